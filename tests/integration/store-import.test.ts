import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { basename, join } from 'node:path';
import { openDataset, loadSample } from '../../main/ml/data/datasets.js';
import { encodePng, readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import type { BinaryMap, RasterImage } from '../../main/ml/types.js';
import { runDbCommand } from '../../main/cli/db.js';
import {
  approveMaskVersion,
  SCHEMA_VERSION,
  backupStore,
  buildCoco,
  checkStore,
  computeImageMetrics,
  decodeCocoRle,
  encodeMaskPng,
  exportDataset,
  exportMasks,
  exportMetricsCsv,
  getImage,
  getModel,
  importDataset,
  importFolder,
  importImageFiles,
  latestMasks,
  listImages,
  listMaskVersions,
  loadFov,
  loadImageRaster,
  loadMask,
  MaskSizeError,
  openStore,
  readMaskPng,
  registerModel,
  saveMaskVersion,
  type ImageRecord,
  type Store,
} from '../../main/store/index.js';
import { blobPath, sha256 } from '../../main/store/file-store.js';
import { writeDicom } from './dicom-fixture.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const DRIVE = join(datasetsRoot(), 'DRIVE');

function counts(store: Store): Record<string, number> {
  const n = (t: string): number => store.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number;
  return { images: n('images'), masks: n('mask_versions'), audit: n('audit_log'), patients: n('patients') };
}

/** Ground truth of a DRIVE image as the dataset stores it, 0/255 grey. */
async function driveManual(image: ImageRecord): Promise<RasterImage> {
  const num = image.datasetSampleId!.split('_')[0];
  const folder = image.datasetSplit === 'train' ? 'training' : 'test';
  return readImage(join(DRIVE, folder, '1st_manual', `${num}_manual1.gif`));
}

const SAMPLE_PHOTO = join(
  import.meta.dirname,
  '..',
  '..',
  'resources',
  'samples',
  'fundus-normal-left-eye-cc0.jpg',
);

function syntheticRgb(width: number, height: number, seed: number): RasterImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 17 + (((i / 3) | 0) % width)) & 0xff;
  return { width, height, channels: 3, bitDepth: 8, data };
}

function binary(width: number, height: number, seed: number): BinaryMap {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed) % 5 === 0 ? 1 : 0;
  return { width, height, data };
}

for (const kind of STORE_BACKENDS)
  describe(`DRIVE in the store (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let store: Store;
    let images: ImageRecord[];

    before(async () => {
      dir = backend.dir;
      store = backend.open('study');
      const report = await importDataset(store, DRIVE, { actor: 'tester' });
      assert.equal(report.imported.length, 40);
      assert.deepEqual(report.failed, []);
      images = listImages(store, { limit: 1000 }).items;
    });
    after(() => store.close());

    test('ground truth imported as approved versions by dataset:drive, splits kept', () => {
      assert.equal(images.length, 40);
      assert.equal(images.filter((i) => i.datasetSplit === 'train').length, 20);
      assert.equal(images.filter((i) => i.datasetSplit === 'test').length, 20);
      for (const img of images) {
        const v = listMaskVersions(store, img.id);
        assert.equal(v.length, 1);
        assert.equal(v[0].kind, 'approved');
        assert.equal(v[0].author, 'dataset:drive');
        assert.equal(img.fovDerived, false);
        assert.equal(`${img.width}x${img.height}`, '565x584');
      }
    });

    test('round trip: exported masks are pixel-identical to 1st_manual and byte-deterministic', async () => {
      const out1 = join(dir, 'masks1');
      const out2 = join(dir, 'masks2');
      const exported = await exportMasks(store, out1);
      await exportMasks(store, out2);
      assert.equal(exported.length, 40);
      for (const e of exported) {
        const image = getImage(store, e.imageId);
        const original = await driveManual(image);
        const written = await readImage(e.file);
        assert.equal(written.channels, 1);
        assert.deepEqual(written.data, original.data, `${e.file} pixels`);
        const bytes = readFileSync(e.file);
        assert.ok(bytes.equals(readFileSync(join(out2, basename(e.file)))), 'second export identical');
        assert.ok(bytes.equals(encodeMaskPng(toBinaryMap(original))), 'same pixels, same PNG bytes');
        const stored = listMaskVersions(store, e.imageId).find((v) => v.id === e.maskVersionId)!;
        assert.ok(bytes.equals(await readMaskPng(store, stored)), 'export writes the stored blob');
      }
    });

    test('the original image bytes and pixels come back unchanged', async () => {
      const img = images[0];
      const raster = await loadImageRaster(store, img);
      const source = await readImage(img.sourcePath!);
      assert.deepEqual(raster.data, source.data);
      assert.ok(readFileSync(blobPath(store, img.fileHash)).equals(readFileSync(img.sourcePath!)));
      const fov = await loadFov(store, img);
      const num = img.datasetSampleId!.split('_')[0];
      const fovFile = toBinaryMap(await readImage(join(DRIVE, 'test', 'mask', `${num}_test_mask.gif`)));
      assert.deepEqual(fov.data, fovFile.data);
    });

    test('dataset export reads back with openDataset: same splits, masks and image bytes', async () => {
      const out = join(dir, 'dataset');
      const result = await exportDataset(store, out);
      assert.equal(result.images, 40);
      const ref = openDataset(out);
      assert.equal(ref.kind, 'generic');
      assert.equal(ref.splits.train.length, 20);
      assert.equal(ref.splits.test.length, 20);
      for (const sample of [ref.splits.train[0], ref.splits.test[5]]) {
        const loaded = await loadSample(sample);
        const image = images.find((i) => i.datasetSampleId === sample.id)!;
        assert.deepEqual(loaded.mask!.data, toBinaryMap(await driveManual(image)).data);
        assert.equal(loaded.fovDerived, false);
        assert.ok(readFileSync(sample.imagePath).equals(readFileSync(image.sourcePath!)));
      }
    });

    test('COCO RLE decodes to the masks', async () => {
      const doc = await buildCoco(store, { imageIds: [images[3].id, images[30].id] });
      assert.equal(doc.annotations.length, 2);
      for (const a of doc.annotations) {
        const truth = toBinaryMap(await driveManual(getImage(store, a.image_id)));
        assert.deepEqual(decodeCocoRle(a.segmentation).data, truth.data);
        assert.equal(
          a.area,
          truth.data.reduce((s, v) => s + v, 0),
        );
        assert.deepEqual(a.segmentation.size, [584, 565]);
      }
    });

    test('importing the dataset again skips every image as a duplicate', async () => {
      const before = counts(store);
      const again = await importDataset(store, DRIVE, { actor: 'tester' });
      assert.equal(again.imported.length, 0);
      assert.equal(again.duplicates.length, 40);
      // The same bytes under another name are a duplicate too.
      const copy = join(dir, 'renamed.tif');
      copyFileSync(images[0].sourcePath!, copy);
      const r = await importImageFiles(store, [{ imagePath: copy }], { actor: 'tester' });
      assert.deepEqual(r.duplicates, [{ source: copy, existingImageId: images[0].id }]);
      assert.deepEqual(counts(store), before);
    });

    test('mask versions: drafts, approval, history, immutability, wrong size', async () => {
      const img = images[1];
      const gt = latestMasks(store, img.id).approved!;
      const truth = await loadMask(store, gt);
      const edited = { ...truth, data: truth.data.slice() };
      edited.data[1000] ^= 1;
      const draft = await saveMaskVersion(store, {
        imageId: img.id,
        kind: 'draft',
        author: 'ann',
        mask: edited,
        parentId: gt.id,
      });
      assert.equal(latestMasks(store, img.id).draft?.id, draft.id);
      const approved = approveMaskVersion(store, draft.id, 'lead');
      assert.equal(approved.pngHash, draft.pngHash);
      assert.equal(latestMasks(store, img.id).approved?.id, approved.id);
      assert.deepEqual((await loadMask(store, approved)).data, edited.data);
      assert.deepEqual(
        listMaskVersions(store, img.id).map((v) => v.kind),
        ['approved', 'draft', 'approved'],
      );
      assert.throws(
        () => store.db.prepare("UPDATE mask_versions SET author = 'x' WHERE id = ?").run(draft.id),
        /immutable/,
      );
      assert.throws(
        () => store.db.prepare('DELETE FROM mask_versions WHERE id = ?').run(draft.id),
        /immutable/,
      );

      const before = counts(store);
      await assert.rejects(
        saveMaskVersion(store, { imageId: img.id, kind: 'draft', author: 'ann', mask: binary(564, 584, 1) }),
        (err: Error) => err instanceof MaskSizeError && /564x584.*565x584/.test(err.message),
      );
      assert.deepEqual(counts(store), before);
      const page = listImages(store, { limit: 5, maskStatus: 'approved' });
      assert.equal(page.total, 40);
      const second = listImages(store, { limit: 5, cursor: page.nextCursor });
      assert.equal(second.items[0].id, page.items[4].id + 1);
    });

    test('metrics CSV: prediction against approved mask inside the FOV', async () => {
      const img = images.find((i) => i.datasetSampleId === '01_test')!;
      const model = registerModel(
        store,
        { name: 'human-2', dirPath: tmpdir(), architecture: { kind: 'observer' } },
        'tester',
      );
      const second = toBinaryMap(await readImage(join(DRIVE, 'test', '2nd_manual', '01_manual2.gif')));
      await saveMaskVersion(store, {
        imageId: img.id,
        kind: 'prediction',
        author: 'model:human-2',
        modelId: model.id,
        mask: second,
      });
      const file = join(dir, 'metrics.csv');
      const rows = await exportMetricsCsv(store, file);
      assert.equal(rows.length, 1);
      // Dice of the second observer against the first, inside the FOV, counted here independently.
      const truth = toBinaryMap(await driveManual(img));
      const fov = toBinaryMap(await readImage(join(DRIVE, 'test', 'mask', '01_test_mask.gif')));
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let i = 0; i < fov.data.length; i++) {
        if (!fov.data[i]) continue;
        if (second.data[i] && truth.data[i]) tp++;
        else if (second.data[i]) fp++;
        else if (truth.data[i]) fn++;
      }
      const dice = (2 * tp) / (2 * tp + fp + fn);
      assert.ok(Math.abs(rows[0].metrics.f1 - dice) < 1e-12);
      assert.ok(dice > 0.7 && dice < 0.9, `inter-observer Dice ${dice}`);
      const csv = readFileSync(file, 'utf8').trim().split('\n');
      assert.equal(csv.length, 2);
      const header = csv[0].split(',');
      assert.equal(Number(csv[1].split(',')[header.indexOf('f1')]), rows[0].metrics.f1);
      assert.equal((await computeImageMetrics(store, { protocol: 'all' }))[0].metrics.protocol, 'all');
    });

    test('online backup and check; a missing file is reported', async () => {
      const dest = join(dir, 'backup', 'copy.db');
      const r = await backupStore(store, dest);
      assert.ok(r.blobsCopied >= 120);
      // One self-contained file and its files folder, nothing beside them, again after a second backup.
      assert.deepEqual(readdirSync(join(dir, 'backup')).sort(), ['copy.db', 'copy.db.files']);
      assert.equal((await backupStore(store, dest)).blobsCopied, 0);
      assert.deepEqual(readdirSync(join(dir, 'backup')).sort(), ['copy.db', 'copy.db.files']);
      await assert.rejects(
        backupStore(store, join(dir, 'backup')),
        /backup is a folder: give the backup file's path/,
      );
      // A retrained model kept beside the database goes with it; the backup's registry names the copy.
      const retrained = join(store.beside('models'), 'default+r1');
      mkdirSync(retrained, { recursive: true });
      writeFileSync(join(retrained, 'retina-model.json'), '{"name":"default+r1"}');
      const model = registerModel(
        store,
        { name: 'default+r1', dirPath: retrained, architecture: { kind: 'x' } },
        'tester',
      );
      assert.equal((await backupStore(store, dest)).modelsCopied, 1);
      const copy = openStore(dest, { readonly: true });
      const kept = getModel(copy, model.id).dirPath;
      assert.equal(kept, join(`${dest}.models`, 'default+r1'));
      assert.equal(readFileSync(join(kept, 'retina-model.json'), 'utf8'), '{"name":"default+r1"}');
      assert.deepEqual(counts(copy), counts(store));
      assert.equal((await checkStore(copy, { verifyHashes: true })).ok, true);
      const img = getImage(copy, images[2].id);
      unlinkSync(blobPath(copy, img.fileHash));
      const bad = await checkStore(copy);
      assert.equal(bad.ok, false);
      assert.deepEqual(bad.missingBlobs, [img.fileHash]);
      copy.close();
    });
  });

describe('folder, DICOM and bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'retina-store-folder-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a new study is its user's alone: the database 0600, its folders 0700, whatever the umask", async () => {
    const old = process.umask(0o022);
    try {
      const study = join(dir, 'private', 'study');
      const store = openStore(join(study, 'p.db'));
      writeFileSync(join(dir, 'private-in.png'), await encodePng(syntheticRgb(16, 16, 41)));
      await importImageFiles(store, [{ imagePath: join(dir, 'private-in.png') }], { actor: 'tester' });
      const mode = (p: string) => statSync(p).mode & 0o777;
      assert.equal(mode(join(study, 'p.db')), 0o600);
      assert.equal(mode(study), 0o700);
      assert.equal(mode(store.filesDir), 0o700);
      for (const sub of readdirSync(store.filesDir))
        assert.equal(mode(join(store.filesDir, sub)), 0o700, sub);
      const backup = join(dir, 'private', 'backups', 'b.db');
      await backupStore(store, backup);
      assert.equal(mode(backup), 0o600);
      assert.equal(mode(`${backup}.files`), 0o700);
      store.close();
    } finally {
      process.umask(old);
    }
  });

  test('a backup never replaces a working database or a foreign file, and one cut short leaves the earlier backup whole', async () => {
    const study = (name: string) => join(dir, 'backup-guard', name);
    mkdirSync(study('in'), { recursive: true });
    writeFileSync(study('in/a.png'), await encodePng(syntheticRgb(40, 30, 11)));
    const store = openStore(study('live.db'));
    await importFolder(store, study('in'), { actor: 'tester' });
    // Another study (the default database, when --database was forgotten): refused, left as it was.
    const other = openStore(study('other.db'));
    await importFolder(other, study('in'), { actor: 'tester' });
    other.close();
    const otherBytes = readFileSync(study('other.db'));
    await assert.rejects(backupStore(store, study('other.db')), /other\.db is a working study database/);
    assert.deepEqual(readFileSync(study('other.db')), otherBytes);
    writeFileSync(study('notes.db'), 'my notes');
    await assert.rejects(backupStore(store, study('notes.db')), /is not a RetinaStudio database/);
    assert.equal(readFileSync(study('notes.db'), 'utf8'), 'my notes');
    symlinkSync(study('live.db'), study('link.db'));
    await assert.rejects(backupStore(store, study('link.db')), /cannot overwrite the database itself/);

    // An earlier backup is replaced; a snapshot a killed backup left is cleared away.
    const dest = study('backups/b.db');
    await backupStore(store, dest);
    writeFileSync(`${dest}.tmp-999999`, 'half a snapshot');
    writeFileSync(study('in/b.png'), await encodePng(syntheticRgb(40, 30, 12)));
    const added = await importFolder(store, study('in'), { actor: 'tester' });
    assert.equal((await backupStore(store, dest)).blobsCopied, 1);
    assert.deepEqual(readdirSync(study('backups')).sort(), ['b.db', 'b.db.files']);

    // Cut short (here a file the snapshot refers to cannot be read): the backup there is still the earlier one,
    // whole, and the message says so.
    writeFileSync(study('in/c.png'), await encodePng(syntheticRgb(40, 30, 13)));
    const third = await importFolder(store, study('in'), { actor: 'tester' });
    unlinkSync(blobPath(store, getImage(store, third.imported[0].imageId).fileHash));
    await assert.rejects(
      backupStore(store, dest),
      /backup failed \(the study's file .* is missing: `retina db check` names its image; --no-files backs up the database alone\); any earlier backup there is unchanged/,
    );
    const kept = openStore(dest, { readonly: true });
    try {
      assert.equal(counts(kept).images, 2, 'the earlier backup');
      assert.equal(getImage(kept, added.imported[0].imageId).fileName, 'b.png');
      assert.equal((await checkStore(kept, { verifyHashes: true })).ok, true);
    } finally {
      kept.close();
      store.close();
    }
  });

  test('folder import: recursive, masks paired by masks/ folder or _mask suffix, bad files reported', async () => {
    const src = join(dir, 'in');
    mkdirSync(join(src, 'visit2', 'masks'), { recursive: true });
    const a = syntheticRgb(40, 30, 1);
    writeFileSync(join(src, 'a.png'), await encodePng(a));
    writeFileSync(join(src, 'a_mask.png'), encodeMaskPng(binary(40, 30, 1)));
    writeFileSync(join(src, 'visit2', 'b.png'), await encodePng(syntheticRgb(40, 30, 2)));
    writeFileSync(join(src, 'visit2', 'masks', 'b.png'), encodeMaskPng(binary(40, 30, 2)));
    writeFileSync(join(src, 'visit2', 'c.png'), await encodePng(syntheticRgb(40, 30, 3)));
    writeFileSync(join(src, 'visit2', 'masks', 'c.png'), encodeMaskPng(binary(41, 30, 3))); // wrong size
    writeFileSync(join(src, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n this is not really a png'));
    writeFileSync(join(src, 'notes.txt'), 'ignored');
    const store = openStore(join(dir, 'folder.db'));
    const report = await importFolder(store, src, { actor: 'tester', maskKind: 'draft' });
    // A mask of the wrong size costs its photograph nothing: c.png is imported without it, the mask reported.
    assert.deepEqual(report.imported.map((i) => basename(i.source)).sort(), ['a.png', 'b.png', 'c.png']);
    assert.equal(report.failed.length, 2);
    const wrongMask = report.failed.find((f) => f.source.endsWith(join('masks', 'c.png')))!;
    assert.match(
      wrongMask.error,
      /c\.png: mask is 41x30 but its image is 40x30 \(c\.png imported without it\)/,
    );
    assert.match(report.failed.find((f) => f.source.endsWith('broken.png'))!.error, /broken\.png/);
    assert.deepEqual(counts(store), { images: 3, masks: 2, audit: 5, patients: 0 });
    assert.equal(
      latestMasks(store, report.imported.find((i) => i.source.endsWith('c.png'))!.imageId).draft,
      null,
    );
    for (const i of report.imported.filter((x) => !x.source.endsWith('c.png'))) {
      const m = latestMasks(store, i.imageId);
      assert.equal(m.draft?.author, 'tester');
      assert.equal(m.approved, null);
      assert.equal(getImage(store, i.imageId).fovDerived, true);
    }
    const b = report.imported.find((i) => i.source.endsWith('b.png'))!;
    assert.deepEqual(
      (await loadMask(store, latestMasks(store, b.imageId).draft!)).data,
      binary(40, 30, 2).data,
    );
    store.close();
  });

  for (const format of ['jpeg', 'png'] as const)
    test(`a ${format.toUpperCase()} turned by its EXIF orientation is stored turned; one recorded unturned (an older import) says why it fails`, async () => {
      const file = join(dir, `turned.${format}`);
      const pixels = syntheticRgb(40, 30, 3);
      await sharp(Buffer.from(pixels.data), { raw: { width: 40, height: 30, channels: 3 } })
        .toFormat(format)
        .withMetadata({ orientation: 6 })
        .toFile(file);
      const store = openStore(join(dir, `turned-${format}.db`));
      try {
        const id = (await importImageFiles(store, [{ imagePath: file }], { actor: 't' })).imported[0].imageId;
        assert.deepEqual([getImage(store, id).width, getImage(store, id).height], [30, 40]);
        const raster = await loadImageRaster(store, id);
        assert.deepEqual([raster.width, raster.height], [30, 40]);
        assert.deepEqual((await checkStore(store)).unturnedImages, []);
        // As an import before the orientation was applied recorded it.
        store.db.prepare('UPDATE images SET width = 40, height = 30 WHERE id = ?').run(id);
        await assert.rejects(
          loadImageRaster(store, id),
          new RegExp(
            `turned\\.${format} \\(image \\d+\\) decodes as 30x40 but is recorded as 40x30: its EXIF orientation turns it.*import the file again`,
          ),
        );
        // `retina db check` finds it.
        const check = await checkStore(store);
        assert.deepEqual(check.unturnedImages, [id]);
        assert.equal(check.ok, false);
      } finally {
        store.close();
      }
    });

  test('JPEG-compressed DICOM (as fundus cameras write it): the frame decoded from its fragments; a corrupt one refused', async () => {
    // A fundus photograph's worth of detail, JPEG-coded in YBR as the standard has it, in two fragments.
    const { data, info } = await sharp(SAMPLE_PHOTO)
      .resize(96, 72)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const jpeg = await sharp(data, { raw: { width: 96, height: 72, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const good = join(dir, 'camera.dcm');
    writeDicom(
      good,
      { width: info.width, height: info.height, rgb },
      { jpeg: { bytes: jpeg, fragments: 2 } },
    );
    const broken = join(dir, 'camera-broken.dcm');
    const cut = jpeg.subarray(0, jpeg.length >> 1);
    writeDicom(broken, { width: 96, height: 72, rgb }, { jpeg: { bytes: cut, fragments: 1 } });
    const store = openStore(join(dir, 'dicom-jpeg.db'));
    try {
      const report = await importImageFiles(store, [{ imagePath: good }, { imagePath: broken }], {
        actor: 'tester',
      });
      assert.equal(report.imported.length, 1, JSON.stringify(report.failed));
      assert.match(report.failed[0].error, /camera-broken\.dcm: the JPEG pixel data is corrupt/);
      const rec = getImage(store, report.imported[0].imageId);
      assert.deepEqual([rec.format, rec.width, rec.height, rec.laterality], ['dicom', 96, 72, 'OS']);
      const raster = await loadImageRaster(store, rec.id);
      assert.equal(raster.channels, 3);
      // Lossy, so close rather than equal: the mean difference per sample is a few grey levels.
      let diff = 0;
      for (let i = 0; i < rgb.length; i++) diff += Math.abs(raster.data[i] - rgb[i]);
      assert.ok(diff / rgb.length < 4, `mean difference ${diff / rgb.length}`);
    } finally {
      store.close();
    }
  });

  test('a multi-frame DICOM (a stereo pair), plain or JPEG: its first frame is read, and the record says so', async () => {
    const { data } = await sharp(SAMPLE_PHOTO).resize(64, 48).raw().toBuffer({ resolveWithObject: true });
    const rgb = new Uint8Array(data);
    const jpeg = await sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const plain = join(dir, 'stereo.dcm');
    writeDicom(plain, { width: 64, height: 48, rgb }, { frames: 2 });
    const coded = join(dir, 'stereo-jpeg.dcm');
    writeDicom(coded, { width: 64, height: 48, rgb }, { frames: 2, jpeg: { bytes: jpeg, fragments: 2 } });
    const store = openStore(join(dir, 'stereo.db'));
    try {
      const report = await importImageFiles(store, [{ imagePath: plain }, { imagePath: coded }], {
        actor: 'tester',
      });
      assert.equal(report.imported.length, 2, JSON.stringify(report.failed));
      for (const im of report.imported) {
        const rec = getImage(store, im.imageId);
        assert.deepEqual([rec.width, rec.height], [64, 48]);
        assert.equal(rec.acquisition?.frames, '2 (the first is read)');
        const raster = await loadImageRaster(store, rec.id);
        let diff = 0;
        for (let i = 0; i < rgb.length; i++) diff += Math.abs(raster.data[i] - rgb[i]);
        assert.ok(diff / rgb.length < 4, `${rec.fileName}: mean difference ${diff / rgb.length}`);
      }
    } finally {
      store.close();
    }
  });

  test('DICOM Ophthalmic Photography: pixels, laterality, spacing, patient and study', async () => {
    const img = syntheticRgb(48, 36, 4);
    const file = join(dir, 'fundus.dcm');
    writeDicom(file, { width: 48, height: 36, rgb: img.data as Uint8Array });
    writeDicom(
      join(dir, 'j2k.dcm'),
      { width: 48, height: 36, rgb: img.data as Uint8Array },
      {
        transferSyntax: '1.2.840.10008.1.2.4.90',
      },
    );
    const store = openStore(join(dir, 'dicom.db'));
    const report = await importImageFiles(store, [{ imagePath: file }, { imagePath: join(dir, 'j2k.dcm') }], {
      actor: 'tester',
    });
    assert.equal(report.imported.length, 1);
    assert.match(
      report.failed[0].error,
      /j2k\.dcm: compressed DICOM .*1\.2\.840\.10008\.1\.2\.4\.90\) is not supported: uncompressed and JPEG baseline/,
    );
    const rec = getImage(store, report.imported[0].imageId);
    assert.equal(rec.format, 'dicom');
    assert.equal(rec.laterality, 'OS');
    assert.deepEqual(rec.pixelSpacingMm, [0.0125, 0.013]);
    assert.equal(rec.acquisition?.modality, 'OP');
    const item = listImages(store).items[0];
    assert.equal(item.patientPseudonym, 'PSEUDO-0042');
    assert.equal(item.studyDate, '2024-03-15');
    const raster = await loadImageRaster(store, rec);
    assert.deepEqual(raster.data, img.data);
    assert.ok(readFileSync(blobPath(store, rec.fileHash)).equals(readFileSync(file)));
    // Right eye from (0020,0062) 'R'; a second study of the same patient reuses the patient row.
    const right = join(dir, 'right.dcm');
    writeDicom(
      right,
      { width: 48, height: 36, rgb: syntheticRgb(48, 36, 5).data as Uint8Array },
      { laterality: 'R' },
    );
    const r2 = await importImageFiles(store, [{ imagePath: right }], { actor: 'tester' });
    assert.equal(getImage(store, r2.imported[0].imageId).laterality, 'OD');
    assert.equal(counts(store).patients, 1);
    const out = join(dir, 'dicom-dataset');
    await exportDataset(store, out, { onlyWithMasks: false });
    assert.deepEqual(readdirSync(join(out, 'images')), ['fundus.png', 'right.png']);
    assert.deepEqual((await readImage(join(out, 'images', 'fundus.png'))).data, img.data);
    store.close();
  });

  test('db copy into a new file takes its name only once complete: one that fails midway leaves nothing', async () => {
    const study = join(dir, 'copy-guard');
    mkdirSync(join(study, 'in'), { recursive: true });
    for (const seed of [21, 22])
      writeFileSync(join(study, 'in', `${seed}.png`), await encodePng(syntheticRgb(30, 20, seed)));
    const from = join(study, 'from.db');
    const store = openStore(from);
    const [, second] = (await importFolder(store, join(study, 'in'), { actor: 'tester' })).imported;
    const lost = blobPath(store, getImage(store, second.imageId).fileHash);
    const bytes = readFileSync(lost);
    store.close();
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) }, env: {} };
    const to = join(study, 'to.db');
    // A file the copy needs is missing: it fails part of the way through.
    unlinkSync(lost);
    assert.equal(await runDbCommand(['copy', '--from', from, '--to', to], io), 1);
    assert.match(err.join(''), /retina db copy: /);
    // (A read-only reader of a WAL database leaves its -wal and -shm files: not the copy's.)
    const listed = () =>
      readdirSync(study)
        .filter((f) => !/^from\.db-(wal|shm)$/.test(f))
        .sort();
    assert.deepEqual(listed(), ['from.db', 'from.db.files', 'in']);
    // Whole again: the copy lands under its own name, nothing else beside it.
    writeFileSync(lost, bytes);
    assert.equal(await runDbCommand(['copy', '--from', from, '--to', to], io), 0, err.join(''));
    assert.deepEqual(listed(), ['from.db', 'from.db.files', 'in', 'to.db', 'to.db.files']);
    const copied = openStore(to, { readonly: true });
    try {
      assert.equal(counts(copied).images, 2);
      assert.equal((await checkStore(copied, { verifyHashes: true })).ok, true);
    } finally {
      copied.close();
    }
  });

  test('CLI: init, import, export, check, with exit codes', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: {},
    };
    const db = join(dir, 'cli.db');
    assert.equal(await runDbCommand(['init', '--db', db, '--json'], io), 0);
    assert.equal(JSON.parse(out.pop()!).schemaVersion, SCHEMA_VERSION);
    const src = join(dir, 'cli-in');
    mkdirSync(src);
    writeFileSync(join(src, 'x.png'), await encodePng(syntheticRgb(20, 20, 9)));
    writeFileSync(join(src, 'x_mask.png'), encodeMaskPng(binary(20, 20, 9)));
    assert.equal(await runDbCommand(['import', src, '--db', db, '--json'], io), 0);
    assert.equal(JSON.parse(out.pop()!).imported.length, 1);
    assert.equal(
      await runDbCommand(['export', '--db', db, '--format', 'masks', '--out', join(dir, 'cli-out')], io),
      0,
    );
    assert.ok(readFileSync(join(dir, 'cli-out', 'x.png')).equals(encodeMaskPng(binary(20, 20, 9))));
    assert.equal(await runDbCommand(['check', '--db', db], io), 0);
    assert.match(out.pop()!, new RegExp(`ok \\(schema v${SCHEMA_VERSION}, 1 images`));
    // The database file copied alone, without the folder of its files: the check says what is missing and why.
    const alone = join(dir, 'copied-alone.db');
    copyFileSync(db, alone);
    assert.equal(await runDbCommand(['check', '--db', alone], io), 1);
    const said = out.pop()!;
    assert.match(
      said,
      /missing .*; the folder of its files, .*copied-alone\.db\.files, is not there: a database is its file and that folder together/,
    );
    // And each file by what it held, whose, and where it belongs.
    assert.match(
      said,
      /\n {2}missing: the photograph of x\.png \(image 1\): \S*copied-alone\.db\.files\/\S+/,
    );
    assert.match(said, /\n {2}missing: the mask of x\.png \(image 1, approved version \d+\): /);
    assert.match(said, /restore them from a backup of this database, or import the images again/);
    assert.equal(await runDbCommand(['frobnicate', '--db', db], io), 2);
    assert.equal(await runDbCommand(['export', '--db', db], io), 2);
    assert.equal(await runDbCommand(['check', '--db', join(dir, 'missing.db')], io), 1);
    assert.match(err.pop()!, /no such database/);
  });

  test('a store whose file folder cannot be written: clear error, database unchanged', async () => {
    const store = openStore(join(dir, 'nofiles.db'));
    // A plain file where the blob folder should be: every blob write fails, as on a full or read-only disk.
    writeFileSync(store.filesDir, 'in the way');
    const src = join(dir, 'one.png');
    writeFileSync(src, await encodePng(syntheticRgb(16, 16, 11)));
    const before = counts(store);
    await assert.rejects(
      importImageFiles(store, [{ imagePath: src }], { actor: 'tester' }),
      /nofiles\.db\.files/,
    );
    assert.deepEqual(counts(store), before);
    store.close();
  });

  test('an import the store stops part of the way says what it imported before, and a rerun goes on', async () => {
    const src = join(dir, 'stopped-in');
    mkdirSync(src);
    const bytes: Buffer[] = [];
    for (const [i, name] of ['a.png', 'b.png', 'c.png'].entries()) {
      bytes.push(await encodePng(syntheticRgb(16, 16, 30 + i)));
      writeFileSync(join(src, name), bytes[i]);
    }
    const db = join(dir, 'stopped.db');
    const store = openStore(db);
    // A file where b.png's blob folder should go: its write fails as a full disk's would.
    const blocked = join(store.filesDir, sha256(bytes[1]).slice(0, 2));
    mkdirSync(store.filesDir, { recursive: true });
    writeFileSync(blocked, 'in the way');
    store.close();
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true }, env: {} };
    assert.equal(await runDbCommand(['import', src, '--db', db], io), 1);
    assert.match(out.join(''), /^imported 1 \(0 with masks\)/);
    assert.match(
      out.join(''),
      /stopped: .*; 2 files not imported\. Once that is fixed, run the same import again/,
    );
    unlinkSync(blocked);
    assert.equal(await runDbCommand(['import', src, '--db', db, '--json'], io), 0);
    const again = JSON.parse(out.pop()!) as { imported: unknown[]; duplicates: unknown[] };
    assert.deepEqual([again.imported.length, again.duplicates.length], [2, 1]);
  });
});
