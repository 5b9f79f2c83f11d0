// Exports name each image's files once, whatever the photographs were called (x.tif, x.png and x_1.tif gave one
// image's mask and photograph to another), refuse an id that is no image, export an id given twice once, and a
// de-identified export does not carry an import folder's name (which a clinic may have named after the patient).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDbCommand } from '../../main/cli/db.js';
import { encodePng, readImage } from '../../main/ml/io/image-io.js';

const W = 32;
const H = 24;

async function photo(seed: number): Promise<Buffer> {
  const data = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 7 + seed * 41) & 0xff);
  return encodePng({ width: W, height: H, channels: 3, bitDepth: 8, data });
}

/** A mask with `n` vessel pixels, so each image's mask is told apart by its count. */
async function mask(n: number): Promise<Buffer> {
  const data = new Uint8Array(W * H);
  data.fill(255, 0, n);
  return encodePng({ width: W, height: H, channels: 1, bitDepth: 8, data });
}

describe('export names', () => {
  let dir: string;
  let db: string;
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        stdout: { write: (s: string) => out.push(s) > 0 },
        stderr: { write: (s: string) => err.push(s) > 0 },
        env: {},
      },
    };
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retina-export-names-'));
    const src = join(dir, 'Doe, John MRN-777');
    mkdirSync(join(src, 'images'), { recursive: true });
    mkdirSync(join(src, 'masks'));
    writeFileSync(join(src, 'images', 'a.png'), await photo(9));
    writeFileSync(join(src, 'masks', 'a.png'), await mask(40));
    db = join(dir, 'study.db');
    const r = io();
    assert.equal(await runDbCommand(['import', join(src), '--database', db], r.io), 0, r.err.join(''));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("masks of x.tif, x.png and x_1.tif are three files, each its own image's", async () => {
    const study = join(dir, 'names.db');
    const folder = join(dir, 'names');
    mkdirSync(folder);
    const names: [string, number][] = [
      ['x.tif', 10],
      ['x.png', 20],
      ['x_1.tif', 30],
    ];
    for (const [i, [name, n]] of names.entries()) {
      mkdirSync(join(folder, String(i)));
      writeFileSync(join(folder, String(i), name), await photo(i));
      writeFileSync(join(folder, String(i), `${name.replace(/\.\w+$/, '')}_mask.png`), await mask(n));
    }
    let r = io();
    assert.equal(await runDbCommand(['import', folder, '--database', study], r.io), 0, r.err.join(''));
    const out = join(dir, 'masks-out');
    r = io();
    assert.equal(
      await runDbCommand(['export', '--database', study, '--format', 'masks', '--out', out, '--json'], r.io),
      0,
    );
    const files = readdirSync(out).sort();
    assert.equal(files.length, 3, files.join(', '));
    const counts = await Promise.all(
      files.map(async (f) => (await readImage(join(out, f))).data.filter((v) => v > 0).length),
    );
    assert.deepEqual(
      counts.sort((a, b) => a - b),
      [10, 20, 30],
    );
  });

  test('export names are portable: one Unicode form, unique without case, nothing Windows refuses', async () => {
    const study = join(dir, 'portable.db');
    const folder = join(dir, 'portable');
    const names = [
      'Zoë.tif'.normalize('NFC'),
      'Zoë.tif'.normalize('NFD'), // as a Mac names it: a different file on Linux, the same one on macOS
      'ZOË.png',
      'a:b?.png',
      '<x>|"y".png',
      'tab\there.png',
      'ends. .png',
      'CON.png',
    ];
    for (const [i, name] of names.entries()) {
      mkdirSync(join(folder, String(i)), { recursive: true });
      writeFileSync(join(folder, String(i), name), await photo(i));
      writeFileSync(join(folder, String(i), `${name.replace(/\.\w+$/, '')}_mask.png`), await mask(i + 1));
    }
    let r = io();
    assert.equal(await runDbCommand(['import', folder, '--database', study], r.io), 0, r.err.join(''));
    const out = join(dir, 'portable-bundle');
    r = io();
    const args = ['export', '--database', study, '--format', 'bundle', '--out', out];
    assert.equal(await runDbCommand(args, r.io), 0, r.err.join(''));
    const files = readdirSync(join(out, 'masks'));
    assert.deepEqual(files.map((f) => f.replace(/^(Zoë|ZOË)_\d+\.png$/, '$1_<id>.png')).sort(), [
      'ZOË_<id>.png',
      'Zoë_<id>.png',
      'Zoë_<id>.png',
      '_CON.png',
      '_x___y_.png',
      'a_b_.png',
      'ends__.png',
      'tab_here.png',
    ]);
    assert.equal(new Set(files.map((f) => f.normalize('NFC').toLowerCase())).size, names.length);
    // images.csv names each image's mask file as it was written.
    const listed = readFileSync(join(out, 'images.csv'), 'utf8').match(/masks\/[^,\n]+/g) ?? [];
    assert.deepEqual(listed.sort(), files.map((f) => `masks/${f}`).sort());
  });

  test('an id that is no image is refused; an id given twice is exported once', async () => {
    let r = io();
    assert.equal(
      await runDbCommand(
        ['export', '--database', db, '--format', 'coco', '--images', '999', '--out', join(dir, 'c.json')],
        r.io,
      ),
      1,
    );
    assert.match(r.err.join(''), /999/);
    r = io();
    const coco = join(dir, 'c2.json');
    assert.equal(
      await runDbCommand(
        ['export', '--database', db, '--format', 'coco', '--images', '1,1', '--out', coco],
        r.io,
      ),
      0,
      r.err.join(''),
    );
    const doc = JSON.parse(readFileSync(coco, 'utf8')) as { images: { id: number }[] };
    assert.deepEqual(
      doc.images.map((i) => i.id),
      [1],
    );
  });

  test('a de-identified bundle does not name the folder a dataset came from', async () => {
    const out = join(dir, 'deid');
    const r = io();
    assert.equal(
      await runDbCommand(
        ['export', '--database', db, '--format', 'bundle', '--deidentify', '--out', out],
        r.io,
      ),
      0,
      r.err.join(''),
    );
    const leaks: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/Doe|MRN-777/.test(e.name) || readFileSync(p).includes('MRN-777')) leaks.push(p);
      }
    };
    walk(out);
    assert.deepEqual(leaks, []);
    // Imported again by mistake, the bundle gives no "photographs" (its probability maps were imported as 20).
    const again = io();
    const code = await runDbCommand(['import', out, '--database', join(dir, 'again.db')], again.io);
    assert.match(
      again.out.join(''),
      /imported 0 .*a RetinaStudio export \(masks and maps, no photographs\)/s,
    );
    assert.equal(code, 0);
  });

  test('a dataset export goes into an empty folder made for it; one with files is refused without a made-up option', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    let r = io();
    assert.equal(
      await runDbCommand(['export', '--database', db, '--format', 'dataset', '--out', empty], r.io),
      0,
      r.err.join(''),
    );
    assert.deepEqual(readdirSync(empty).sort().slice(0, 3), ['fov', 'images', 'masks']);
    r = io();
    assert.equal(
      await runDbCommand(['export', '--database', db, '--format', 'dataset', '--out', empty], r.io),
      1,
    );
    assert.match(r.err.join(''), /already exists and is not an empty folder: choose another output/);
    assert.doesNotMatch(r.err.join(''), /--force/);
  });
});
