// Import recognises what it is given, without flags: CHASE-, HRF- and images/+masks/ layouts and loose annotation
// files, built here as real image files in a temporary folder and imported into a real SQLite store through the
// store API, the CLI and the app's import job. Annotations are attached as masks and never become images.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { runDbCommand } from '../../main/cli/db.js';
import { createWorkstation, type CallerContext } from '../../main/handlers/index.js';
import { encodePng, readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import type { BinaryMap, RasterImage } from '../../main/ml/types.js';
import {
  getImage,
  importFolder,
  importPaths,
  listImages,
  listMaskVersions,
  loadFov,
  loadMask,
  openStore,
  type ImportReport,
  type Store,
} from '../../main/store/index.js';
import { dispatchRequest } from '../../shared/contract.js';

const W = 48;
const H = 40;

/** A colourful picture (thousands of colours, like a photograph), different per seed. */
function photo(seed: number): RasterImage {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 17 + (((i / 3) | 0) % W) * 5) & 0xff;
  return { width: W, height: H, channels: 3, bitDepth: 8, data };
}

/** A binary map, different per seed. */
function binary(seed: number): BinaryMap {
  const data = new Uint8Array(W * H);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed) % 5 === 0 ? 1 : 0;
  return { width: W, height: H, data };
}

function grey255(map: BinaryMap): RasterImage {
  return {
    width: map.width,
    height: map.height,
    channels: 1,
    bitDepth: 8,
    data: map.data.map((v) => (v ? 255 : 0)),
  };
}

/** An optic-disc-like mask: one bright disc on black, 200x160. */
function disc(): BinaryMap {
  const [w, h] = [200, 160];
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data[y * w + x] = (x - 90) ** 2 + (y - 70) ** 2 < 45 ** 2 ? 1 : 0;
  return { width: w, height: h, data };
}

/** Writes a raster in the format its extension names (PNG exact; JPEG lossy; TIFF exact). */
async function write(path: string, img: RasterImage): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  const ext = path.toLowerCase().split('.').pop();
  if (ext === 'png') {
    writeFileSync(path, await encodePng(img));
    return;
  }
  const raw = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 },
  });
  await (ext === 'tif' ? raw.tiff() : raw.jpeg({ quality: 95 })).toFile(path);
}

const writeLabel = (path: string, seed: number): Promise<void> => write(path, grey255(binary(seed)));

function names(report: ImportReport): string[] {
  return report.imported.map((i) => basename(i.source)).sort();
}

function skippedNames(report: ImportReport): [string, string][] {
  return report.skipped.map((s): [string, string] => [basename(s.source), s.reason]).sort();
}

/** Mask versions per image in the store: [file name, kinds...]. */
function masksByImage(store: Store): [string, string[]][] {
  return listImages(store, { limit: 1000 })
    .items.map((i): [string, string[]] => [i.fileName, listMaskVersions(store, i.id).map((v) => v.kind)])
    .sort();
}

describe('import recognises layouts and annotation files without flags', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'retina-import-layouts-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('CHASE-style folder: _1stHO becomes the approved mask, _2ndHO and an orphan label are skipped', async () => {
    const root = join(tmp, 'CHASEDB1');
    await write(join(root, 'Image_01L.jpg'), photo(1));
    await writeLabel(join(root, 'Image_01L_1stHO.png'), 1);
    await writeLabel(join(root, 'Image_01L_2ndHO.png'), 2);
    await write(join(root, 'Image_01R.jpg'), photo(3));
    await writeLabel(join(root, 'Image_01R_1stHO.png'), 3);
    await writeLabel(join(root, 'Image_02L_1stHO.png'), 4); // its image is missing
    const store = openStore(join(tmp, 'chase.db'));
    try {
      const report = await importFolder(store, root, { actor: 'tester' });
      assert.deepEqual(report.failed, []);
      assert.deepEqual(names(report), ['Image_01L.jpg', 'Image_01R.jpg']);
      assert.deepEqual(report.datasets, [{ root, layout: 'chase', name: 'CHASEDB1', images: 2 }]);
      assert.deepEqual(
        skippedNames(report).map(([n]) => n),
        ['Image_01L_2ndHO.png', 'Image_02L_1stHO.png'],
      );
      assert.match(skippedNames(report)[0][1], /second observer/);
      assert.match(skippedNames(report)[1][1], /named like an annotation \(_1stHO\).*no image/);
      assert.deepEqual(masksByImage(store), [
        ['Image_01L.jpg', ['approved']],
        ['Image_01R.jpg', ['approved']],
      ]);
      const first = report.imported.find((i) => i.source.endsWith('Image_01L.jpg'))!;
      const version = listMaskVersions(store, first.imageId)[0];
      assert.equal(version.author, 'dataset:CHASEDB1');
      assert.deepEqual((await loadMask(store, version)).data, binary(1).data);
    } finally {
      store.close();
    }
  });

  test('images/ + masks/: masks attached; a label file inside images/ is never an image', async () => {
    const root = join(tmp, 'generic');
    await write(join(root, 'images', 'a.png'), photo(5));
    await write(join(root, 'images', 'b.png'), photo(6));
    await writeLabel(join(root, 'images', 'b_gt.png'), 6);
    await writeLabel(join(root, 'masks', 'a.png'), 5);
    const store = openStore(join(tmp, 'generic.db'));
    try {
      const report = await importFolder(store, root, { actor: 'tester' });
      assert.deepEqual(names(report), ['a.png', 'b.png']);
      assert.equal(report.datasets[0].layout, 'generic');
      assert.deepEqual(skippedNames(report), [
        [
          'b_gt.png',
          'named like an annotation (_gt) of an image, but in a folder the generic layout does not read',
        ],
      ]);
      assert.deepEqual(masksByImage(store), [
        ['a.png', ['approved']],
        ['b.png', []],
      ]);
    } finally {
      store.close();
    }
  });

  test('loose files: annotations pair by name; orphans and label-like pictures are skipped with a reason', async () => {
    const root = join(tmp, 'loose');
    await write(join(root, 'photo.png'), photo(7));
    await writeLabel(join(root, 'photo_manual1.png'), 7);
    await writeLabel(join(root, 'lonely_manual1.png'), 8);
    await writeLabel(join(root, 'im0009.ah.png'), 9);
    await writeLabel(join(root, 'x_mask.png'), 10);
    await writeLabel(join(root, 'vessels.png'), 11); // no label name, but one channel with two values
    await write(join(root, 'disc.jpg'), grey255(disc())); // a mask saved as JPEG: grey, values at both ends
    const store = openStore(join(tmp, 'loose.db'));
    try {
      const report = await importFolder(store, root, { actor: 'tester' });
      assert.deepEqual(report.failed, []);
      assert.deepEqual(report.datasets, []);
      assert.deepEqual(names(report), ['photo.png']);
      assert.notEqual(report.imported[0].maskVersionId, null);
      const skipped = skippedNames(report);
      assert.deepEqual(
        skipped.map(([n]) => n),
        ['disc.jpg', 'im0009.ah.png', 'lonely_manual1.png', 'vessels.png', 'x_mask.png'],
      );
      assert.match(skipped[0][1], /^looks like a label, not a photograph/);
      assert.equal(
        skipped[1][1],
        'named like a ground truth (.ah), with no image of that name beside it to pair with',
      );
      assert.match(skipped[3][1], /one channel with two values/);
      assert.deepEqual(masksByImage(store), [['photo.png', ['approved']]]);
    } finally {
      store.close();
    }
  });

  test('files given one by one: a label pairs with its image given beside it, alone it is skipped', async () => {
    const root = join(tmp, 'files');
    await write(join(root, 'eye.png'), photo(13));
    await writeLabel(join(root, 'eye_gt.png'), 13);
    await writeLabel(join(root, 'other_gt.png'), 14);
    const store = openStore(join(tmp, 'files.db'));
    try {
      const alone = await importPaths(store, [join(root, 'other_gt.png')], { actor: 'tester' });
      assert.deepEqual([alone.imported, alone.failed], [[], []]);
      assert.match(alone.skipped[0].reason, /named like a ground truth \(_gt\)/);
      const paired = await importPaths(store, [join(root, 'eye.png'), join(root, 'eye_gt.png')], {
        actor: 'tester',
        maskKind: 'draft',
      });
      assert.deepEqual(names(paired), ['eye.png']);
      assert.deepEqual(masksByImage(store), [['eye.png', ['draft']]]);
    } finally {
      store.close();
    }
  });

  test('CLI: skipped files (a HEIC photograph too) are listed with their reason; --dataset stays an override', async () => {
    const root = join(tmp, 'HRF');
    for (const [id, seed] of [
      ['01_dr', 20],
      ['02_g', 21],
    ] as const) {
      await write(join(root, 'images', `${id}.JPG`), photo(seed));
      await writeLabel(join(root, 'manual1', `${id}.tif`), seed);
      await writeLabel(join(root, 'mask', `${id}_mask.tif`), seed + 1);
    }
    const loose = join(tmp, 'cli-loose');
    await write(join(loose, 'a.png'), photo(22));
    await writeLabel(join(loose, 'b_2ndHO.png'), 22);
    writeFileSync(join(loose, 'IMG_0003.HEIC'), 'ftypheic');
    writeFileSync(join(loose, 'notes.txt'), 'not a photograph');
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: {},
    };
    const db = join(tmp, 'cli.db');
    assert.equal(await runDbCommand(['import', root, loose, '--db', db], io), 0);
    const text = out.pop()!;
    assert.match(
      text,
      /^imported 3 \(2 with masks\), duplicates skipped 0, failed 0, other files skipped 2\n/,
    );
    // A photograph that is not read is named with what to do; the folder's notes are nobody's photograph.
    assert.ok(
      text.includes(
        `skipped: ${join(loose, 'IMG_0003.HEIC')} (HEIC photographs are not read: convert them to JPEG, PNG or TIFF)`,
      ),
      text,
    );
    assert.ok(!text.includes('notes.txt'), text);
    assert.ok(text.includes(`HRF-style layout: ${root} (2 images, dataset 'HRF')`), text);
    assert.ok(
      text.includes(
        `skipped: ${join(loose, 'b_2ndHO.png')} (named like a second observer's annotation (_2ndHO), ` +
          'with no image of that name beside it to pair with)',
      ),
      text,
    );
    // The override: the generic adapter reads the same HRF folder; the DRIVE one refuses it.
    const db2 = join(tmp, 'cli2.db');
    assert.equal(await runDbCommand(['import', root, '--dataset', 'generic', '--db', db2, '--json'], io), 0);
    const json = JSON.parse(out.pop()!) as ImportReport;
    assert.equal(json.imported.filter((i) => i.maskVersionId !== null).length, 2);
    assert.equal(json.datasets[0].layout, 'hrf');
    assert.equal(await runDbCommand(['import', root, '--dataset', 'drive', '--db', db2], io), 1);
    assert.match(err.pop()!, /no images in training\/images or test\/images \(DRIVE layout\)/);
    const store = openStore(db2);
    try {
      for (const img of listImages(store).items) {
        const rec = getImage(store, img.id);
        assert.equal(rec.fovDerived, false, 'FOV from mask/');
        const seed = rec.fileName === '01_dr.JPG' ? 21 : 22;
        assert.deepEqual((await loadFov(store, rec)).data, binary(seed).data);
      }
    } finally {
      store.close();
    }
  });

  test("the app's imports (handler → job worker): a folder layout, and uploads paired by name", async () => {
    const root = join(tmp, 'app-hrf');
    await write(join(root, 'images', '01_h.jpg'), photo(30));
    await writeLabel(join(root, 'manual1', '01_h.tif'), 30);
    await writeLabel(join(root, 'mask', '01_h_mask.tif'), 31);
    await writeLabel(join(root, 'manual1', '09_h.tif'), 32); // no image 09_h
    const ctx: CallerContext = { shell: 'browser', sender: 'test' };
    const ws = await createWorkstation({
      dbPath: join(tmp, 'app.db'),
      shell: 'browser',
      user: 'tester',
      threads: 1,
    });
    try {
      const r = await dispatchRequest(
        ws.handlers,
        'importFolder',
        { path: root, recursive: true, pairMasks: true },
        ctx,
      );
      assert.ok(r.ok, JSON.stringify(r));
      const job = await ws.jobs.wait((r.value as { jobId: string }).jobId);
      assert.equal(job.state, 'done', job.error?.message);
      assert.deepEqual(masksByImage(ws.store), [['01_h.jpg', ['approved']]]);
      // A path typed wrong is answered at once, no job started: missing, or a file.
      for (const [path, why] of [
        [join(tmp, 'no-such-folder'), /no-such-folder does not exist$/],
        [join(root, 'mask', '01_h_mask.tif'), /01_h_mask\.tif is a file, not a folder$/],
      ] as const) {
        for (const channel of ['importFolder', 'importDataset'] as const) {
          const payload =
            channel === 'importFolder' ? { path, recursive: true, pairMasks: true } : { path, kind: 'auto' };
          const wrong = await dispatchRequest(ws.handlers, channel, payload, ctx);
          assert.ok(!wrong.ok && why.test(wrong.error.message), JSON.stringify(wrong));
        }
      }
      const image = listImages(ws.store).items[0];
      assert.equal(getImage(ws.store, image.id).fovDerived, false);
      const mask = listMaskVersions(ws.store, image.id)[0];
      assert.deepEqual(
        (await loadMask(ws.store, mask)).data,
        toBinaryMap(await readImage(join(root, 'manual1', '01_h.tif'))).data,
      );
      // Dropped files: the label pairs with the photo dropped beside it, the orphan label is not an image.
      const up = join(tmp, 'upload');
      await write(join(up, 'u.png'), photo(33));
      await writeLabel(join(up, 'u_gt.png'), 33);
      await writeLabel(join(up, 'w_gt.png'), 34);
      const files = ['u.png', 'u_gt.png', 'w_gt.png'].map((name) => ({
        name,
        bytes: new Uint8Array(readFileSync(join(up, name))),
      }));
      const u = await dispatchRequest(ws.handlers, 'importFiles', { files }, ctx);
      assert.ok(u.ok, JSON.stringify(u));
      const uploadJob = await ws.jobs.wait((u.value as { jobId: string }).jobId);
      assert.equal(uploadJob.state, 'done', uploadJob.error?.message);
      assert.deepEqual(masksByImage(ws.store), [
        ['01_h.jpg', ['approved']],
        ['u.png', ['approved']],
      ]);
      // A name in another script is kept as uploaded (it was staged as 'R_ben __.png', whose lone R read as OD),
      // and still pairs with its annotation.
      const named = ['Rúben 眼底.png', 'Rúben 眼底_gt.png'];
      await write(join(up, named[0]), photo(35));
      await writeLabel(join(up, named[1]), 35);
      const accented = await dispatchRequest(
        ws.handlers,
        'importFiles',
        { files: named.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(up, name))) })) },
        ctx,
      );
      assert.ok(accented.ok, JSON.stringify(accented));
      const job3 = await ws.jobs.wait((accented.value as { jobId: string }).jobId);
      assert.equal(job3.state, 'done', job3.error?.message);
      assert.deepEqual(
        masksByImage(ws.store).find(([name]) => name.startsWith('R')),
        ['Rúben 眼底.png', ['approved']],
      );
      const ruben = listImages(ws.store).items.find((i) => i.fileName === 'Rúben 眼底.png')!;
      assert.equal(getImage(ws.store, ruben.id).laterality, null);
    } finally {
      await ws.close();
    }
  });
});
