// `retina segment a/01.tif --out a/01.tif` (the photograph typed where the folder belongs) is a usage error naming the
// file, given before any model loads, not a write failure (exit 1) after the models have loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

function retina(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'retina.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, RETINA_FROM_SOURCE: '1' },
  });
}

test('segment and measure refuse an --out that is a file, or lies inside one, as a usage error naming it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'retina-out-file-'));
  try {
    const photo = path.join(dir, '01.jpg');
    copyFileSync(SAMPLE, photo);
    const seg = retina(['segment', photo, '--out', photo, '--threads', '1']);
    assert.equal(seg.status, 2, seg.stderr);
    assert.ok(seg.stderr.includes(`--out ${photo} is a file, not a folder`), seg.stderr);
    // A model that does not exist is never looked for: the --out is refused first.
    const missingModel = path.join(dir, 'no-such-model');
    const inside = path.join(photo, 'results');
    const m = retina(['measure', photo, '--out', inside, '--model', missingModel]);
    assert.equal(m.status, 2, m.stderr);
    assert.ok(m.stderr.includes(`--out ${inside} lies inside ${photo}, a file, not a folder`), m.stderr);
    assert.ok(!m.stderr.includes('no-such-model'), m.stderr);
    assert.deepEqual(readdirSync(dir), ['01.jpg']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
