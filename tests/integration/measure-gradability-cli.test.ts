// `retina measure` on photographs that cannot be measured: random noise (no fundus), black, the sample blurred with
// sigma 25, blown out (x3 + 60) and a featureless fundus-coloured frame. They gave made-up numbers (noise: calibre
// 4.42 px, tortuosity 1.22, fractal dimension 1.20; blurred: fractal dimension 1.05, density 0.005; flat: density
// 0.92, fractal dimension 1.95) with no more than a "no field-of-view edge" warning.
// Now each is judged ungradable and every measure is absent with the reason, once on stderr, in the JSON's `quality`
// and the CSV's columns; the sample itself is gradable and measured.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../e2e/model-fixture.js';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';

const CLI = path.join(repoRoot, 'bin', 'retina.mjs');
const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

interface Result {
  input: string;
  quality: { gradable: boolean; reasons: string[]; warnings: string[] };
  [key: string]: unknown;
}

describe('retina measure withholds the measures of an ungradable photograph', () => {
  let dir: string;
  let stderr: string;
  let results: Result[];
  const bad = {
    noise: /no vessel tree/,
    black: /too dark/,
    blurred: /few vessels found/,
    blownout: /blown out/,
    // A featureless frame: the network called 92% of it vessel (density 0.92, fractal dimension 1.95, measured).
    flat: /vessels found almost everywhere/,
  };
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-gradability-'));
    const noise = Buffer.alloc(800 * 600 * 3);
    // A fixed pseudo-random sequence: the same picture every run.
    let s = 1;
    for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    await sharp(noise, { raw: { width: 800, height: 600, channels: 3 } })
      .jpeg()
      .toFile(path.join(dir, 'noise.jpg'));
    await sharp({ create: { width: 800, height: 600, channels: 3, background: '#000000' } })
      .jpeg()
      .toFile(path.join(dir, 'black.jpg'));
    await sharp(SAMPLE).blur(25).jpeg().toFile(path.join(dir, 'blurred.jpg'));
    await sharp(SAMPLE).linear(3, 60).jpeg().toFile(path.join(dir, 'blownout.jpg'));
    await sharp({ create: { width: 600, height: 600, channels: 3, background: '#c85a28' } })
      .jpeg()
      .toFile(path.join(dir, 'flat.jpg'));
    const inputs = [...Object.keys(bad).map((n) => path.join(dir, `${n}.jpg`)), SAMPLE];
    const r = spawnSync(
      process.execPath,
      [CLI, 'measure', ...inputs, '--out', path.join(dir, 'out'), '--json'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    stderr = r.stderr;
    results = (JSON.parse(r.stdout) as { results: Result[] }).results;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('noise, black, heavy blur and blown out: every measure absent, saying why', () => {
    for (const [name, why] of Object.entries(bad)) {
      const r = results.find((x) => path.basename(x.input) === `${name}.jpg`)!;
      assert.equal(r.quality.gradable, false, `${name}: ${JSON.stringify(r.quality)}`);
      assert.match(r.quality.reasons.join('; '), why, name);
      for (const { key } of MEASURE_ROWS) {
        const m = r[key] as { value: number | null; reason?: string };
        assert.equal(m.value, null, `${name}: ${key} = ${m.value}`);
        assert.match(m.reason ?? '', /^ungradable photograph: /, `${name}: ${key}`);
      }
      // Said once for the image, not once per measure.
      const lines = stderr.split('\n').filter((l) => l.includes(`${name}.jpg: ungradable photograph:`));
      assert.equal(lines.length, 1, stderr);
    }
  });

  test('the sample photograph is gradable and measured; the CSV says which is which', async () => {
    const r = results.find((x) => x.input === SAMPLE)!;
    assert.equal(r.quality.gradable, true, JSON.stringify(r.quality));
    assert.deepEqual(r.quality.warnings, []);
    for (const key of ['calibre', 'fractalDimension', 'vesselDensity', 'tortuosity'])
      assert.notEqual((r[key] as { value: number | null }).value, null, key);
    const csv = (await readFile(path.join(dir, 'out', 'measures.csv'), 'utf8')).trim().split('\n');
    assert.match(csv[0], /,gradable,quality$/);
    const rows = csv.slice(1);
    assert.equal(
      rows.filter((l) => /,false,"?ungradable photograph: /.test(l)).length,
      Object.keys(bad).length,
      csv.join('\n'),
    );
    assert.equal(rows.filter((l) => l.endsWith(',true,gradable')).length, 1);
  });
});
