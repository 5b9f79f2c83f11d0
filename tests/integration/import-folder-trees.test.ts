// Folder trees as researchers and clinics keep them: DRIVE's files copied flat into one folder (its FOV files are
// named _mask), two photographs that share a name, datasets linked into a working folder, a link to nothing, and
// an archive's DICOM beside a PNG of the same photograph.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { encodePng, readImage } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  getImage,
  importFolder,
  importPaths,
  latestMasks,
  loadFov,
  loadMask,
  openStore,
  type ImportReport,
} from '../../main/store/index.js';
import { REPO } from '../support/retina-cli.js';
import { writeDicom } from './dicom-fixture.js';

const DRIVE = join(datasetsRoot(), 'DRIVE');

/** A 40x30 mask with 120 vessel pixels (10%, as vessels cover), as a PNG. */
function vesselMaskPng(): Promise<Buffer> {
  const data = new Uint8Array(40 * 30);
  data.fill(255, 0, 120);
  return encodePng({ width: 40, height: 30, channels: 1, bitDepth: 8, data });
}

describe('folder trees', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'retina-folder-trees-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("DRIVE copied flat: its FOV (named _mask) is the image's field of view, never its vessel ground truth", async () => {
    const flat = join(dir, 'flat');
    mkdirSync(flat);
    copyFileSync(join(DRIVE, 'training', 'images', '21_training.tif'), join(flat, '21_training.tif'));
    copyFileSync(join(DRIVE, 'training', 'mask', '21_training_mask.gif'), join(flat, '21_training_mask.gif'));
    const store = openStore(join(dir, 'flat.db'));
    try {
      const report = await importFolder(store, flat, { actor: 't' });
      assert.equal(report.imported.length, 1);
      assert.equal(report.imported[0].maskVersionId, null, 'the FOV became approved vessel ground truth');
      const note = report.skipped.find((s) => s.source.endsWith('21_training_mask.gif'));
      assert.match(
        note?.reason ?? '',
        /covers \d\d% of 21_training\.tif: a field-of-view mask, not a vessel map \(used as the field of view\)/,
      );
      const image = getImage(store, report.imported[0].imageId);
      assert.equal(image.fovDerived, false);
      const official = await readImage(join(DRIVE, 'training', 'mask', '21_training_mask.gif'));
      const fov = await loadFov(store, image);
      assert.deepEqual(
        fov.data,
        Uint8Array.from(
          official.data.filter((_, i) => i % official.channels === 0),
          (v) => (v > 127 ? 1 : 0),
        ),
      );
    } finally {
      store.close();
    }
  });

  test('two photographs sharing a name: their mask is attached to neither, and says why', async () => {
    const twins = join(dir, 'twins');
    mkdirSync(twins);
    const picture = (seed: number) => ({
      width: 32,
      height: 24,
      channels: 3 as const,
      bitDepth: 8 as const,
      data: Uint8Array.from({ length: 32 * 24 * 3 }, (_, i) => (i * 13 + seed * 31) & 0xff),
    });
    writeFileSync(join(twins, 'IMG001.JPG.png'), await encodePng(picture(1)));
    writeFileSync(join(twins, 'IMG001.png'), await encodePng(picture(2)));
    // Same stem "IMG001" for IMG001.png and IMG001.tif:
    writeFileSync(join(twins, 'IMG001.tif'), await encodePng(picture(3)));
    const mask = {
      width: 32,
      height: 24,
      channels: 1 as const,
      bitDepth: 8 as const,
      data: new Uint8Array(32 * 24),
    };
    mask.data.fill(255, 0, 64);
    writeFileSync(join(twins, 'IMG001_mask.png'), await encodePng(mask));
    const store = openStore(join(dir, 'twins.db'));
    try {
      const report = await importFolder(store, twins, { actor: 't' });
      assert.equal(report.imported.length, 3);
      for (const i of report.imported)
        assert.equal(latestMasks(store, i.imageId).approved, null, basename(i.source));
      assert.match(
        report.skipped.find((s) => s.source.endsWith('IMG001_mask.png'))?.reason ?? '',
        /IMG001\.png and IMG001\.tif share that name: which one it belongs to is unclear/,
      );
    } finally {
      store.close();
    }
  });

  test('datasets linked into a working folder are followed (each once); a link to nothing is reported', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    const drive = join(dir, 'drive-copy', 'training');
    for (const sub of ['images', '1st_manual', 'mask']) mkdirSync(join(drive, sub), { recursive: true });
    copyFileSync(
      join(DRIVE, 'training', 'images', '22_training.tif'),
      join(drive, 'images', '22_training.tif'),
    );
    copyFileSync(
      join(DRIVE, 'training', '1st_manual', '22_manual1.gif'),
      join(drive, '1st_manual', '22_manual1.gif'),
    );
    copyFileSync(
      join(DRIVE, 'training', 'mask', '22_training_mask.gif'),
      join(drive, 'mask', '22_training_mask.gif'),
    );
    symlinkSync(join(dir, 'drive-copy'), join(work, 'DRIVE'));
    symlinkSync(join(dir, 'drive-copy'), join(work, 'DRIVE again'));
    symlinkSync(work, join(work, 'loop'));
    symlinkSync(join(dir, 'gone.jpg'), join(work, 'gone.jpg'));
    // Two links to each other: a loop, no file at the end of it.
    symlinkSync(join(work, 'loop-b.jpg'), join(work, 'loop-a.jpg'));
    symlinkSync(join(work, 'loop-a.jpg'), join(work, 'loop-b.jpg'));
    // A link into a part of the linked dataset (sorting before it), and one up to a folder holding the import.
    symlinkSync(join(dir, 'drive-copy', 'training', 'images'), join(work, 'A-images'));
    symlinkSync(dir, join(work, 'up'));
    const store = openStore(join(dir, 'linked.db'));
    try {
      const report = await importFolder(store, work, { actor: 't' });
      assert.deepEqual(report.duplicates, [], 'a photograph was read twice through two links');
      assert.deepEqual(
        report.imported.map((i) => basename(i.source)),
        ['22_training.tif'],
      );
      assert.notEqual(report.imported[0].maskVersionId, null);
      const reasons = report.skipped.map((s) => `${basename(s.source)}: ${s.reason}`);
      assert.ok(
        reasons.some((r) => /^gone\.jpg: a link to a file or folder that is no longer there$/.test(r)),
        reasons.join('\n'),
      );
      assert.ok(
        reasons.some((r) =>
          /^loop-a\.jpg: a link that leads back to itself through other links \(a loop\)/.test(r),
        ),
        reasons.join('\n'),
      );
      assert.ok(
        reasons.some((r) => /^(DRIVE again|DRIVE): a link into .*drive-copy, which is read already$/.test(r)),
        reasons.join('\n'),
      );
      assert.ok(
        reasons.some((r) => /^loop: a link into .*work, which is read already$/.test(r)),
        reasons.join('\n'),
      );
      assert.ok(
        reasons.some((r) => /^A-images: a link into .*drive-copy, which is read already$/.test(r)),
        reasons.join('\n'),
      );
      assert.ok(
        reasons.some((r) => /^up: a link up to .*, which holds the folder imported: not followed$/.test(r)),
        reasons.join('\n'),
      );
    } finally {
      store.close();
    }
  });

  test("an archive's DICOM beside a PNG of the same photograph: the dataset opens, the PNG is read", async () => {
    const root = join(dir, 'archive');
    mkdirSync(join(root, 'images'), { recursive: true });
    mkdirSync(join(root, 'masks'));
    const rgb = Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 7) & 0xff);
    writeDicom(join(root, 'images', 'eye1.dcm'), { width: 40, height: 30, rgb });
    writeFileSync(
      join(root, 'images', 'eye1.png'),
      await encodePng({ width: 40, height: 30, channels: 3, bitDepth: 8, data: rgb }),
    );
    writeFileSync(join(root, 'masks', 'eye1.png'), await vesselMaskPng());
    const store = openStore(join(dir, 'archive.db'));
    try {
      const report = await importFolder(store, root, { actor: 't' });
      assert.deepEqual(report.failed, []);
      assert.deepEqual(
        report.imported.map((i) => basename(i.source)),
        ['eye1.png'],
      );
      const m = latestMasks(store, report.imported[0].imageId).approved;
      assert.ok(m);
      assert.equal((await loadMask(store, m)).data.filter((v) => v).length, 120);
    } finally {
      store.close();
    }
  });

  test('a mask that came after its photograph is added on the next import; a path given twice is read once; NAS thumbnails are no photographs', async () => {
    const later = join(dir, 'later');
    mkdirSync(join(later, '@eaDir', 'eye.png'), { recursive: true });
    const rgb = Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 11) & 0xff);
    const photo = await encodePng({ width: 40, height: 30, channels: 3, bitDepth: 8, data: rgb });
    writeFileSync(join(later, 'eye.png'), photo);
    // A Synology NAS's thumbnail of it, in its metadata folder.
    writeFileSync(join(later, '@eaDir', 'eye.png', 'SYNOFILE_THUMB_M.png'), photo.subarray(0));
    const store = openStore(join(dir, 'later.db'));
    try {
      const first = await importPaths(store, [later, `${later}/`, join(later, '.')], { actor: 't' });
      assert.deepEqual(
        first.imported.map((i) => basename(i.source)),
        ['eye.png'],
      );
      assert.deepEqual(first.duplicates, [], 'a path given twice was read twice');
      const imageId = first.imported[0].imageId;

      writeFileSync(join(later, 'eye_mask.png'), await vesselMaskPng());
      const second = await importFolder(store, later, { actor: 't' });
      assert.equal(second.duplicates.length, 1);
      const added = second.duplicates[0].maskVersionId;
      assert.ok(added, 'the mask given later was dropped');
      assert.equal(latestMasks(store, imageId).approved?.id, added);

      // Once the image has a person's mask, a mask given again is reported, never replacing it.
      const third = await importFolder(store, later, { actor: 't' });
      assert.equal(third.duplicates[0].maskVersionId, undefined);
      assert.match(
        third.skipped.find((x) => x.source.endsWith('eye_mask.png'))?.reason ?? '',
        /already image \d+, which has a mask a person saved: an import does not replace it/,
      );
      assert.equal(latestMasks(store, imageId).approved?.id, added);
    } finally {
      store.close();
    }
  });

  test("a photograph named like an annotation (a clinic's initials: Keller_VK.jpg) is imported; a real label is not", async () => {
    const clinic = join(dir, 'initials');
    mkdirSync(clinic);
    const rgb = Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 13) & 0xff);
    writeFileSync(
      join(clinic, 'Keller_VK.png'),
      await encodePng({ width: 40, height: 30, channels: 3, bitDepth: 8, data: rgb }),
    );
    writeFileSync(join(clinic, 'orphan_mask.png'), await vesselMaskPng());
    const store = openStore(join(dir, 'initials.db'));
    try {
      const report = await importFolder(store, clinic, { actor: 't' });
      assert.deepEqual(
        report.imported.map((i) => basename(i.source)),
        ['Keller_VK.png'],
      );
      assert.match(
        report.skipped.find((x) => x.source.endsWith('orphan_mask.png'))?.reason ?? '',
        /named like a .*\(_mask\), with no image of that name beside it to pair with/,
      );
    } finally {
      store.close();
    }
  });
  test("a sub-folder the user may not read (a USB stick's lost+found) is reported; the rest is imported", () => {
    // Root reads any folder: the import then runs as an unprivileged user, who owns all but lost+found.
    const asNobody = process.getuid?.() === 0;
    const stick = join(dir, 'stick');
    const locked = join(stick, 'lost+found');
    mkdirSync(locked, { recursive: true });
    copyFileSync(join(DRIVE, 'test', 'images', '03_test.tif'), join(stick, '03_test.tif'));
    copyFileSync(join(DRIVE, 'test', 'images', '04_test.tif'), join(locked, '04_test.tif'));
    const study = join(dir, 'stick-study');
    mkdirSync(study);
    if (asNobody) {
      chmodSync(dir, 0o755);
      for (const p of [stick, join(stick, '03_test.tif'), study]) chownSync(p, 65534, 65534);
    }
    chmodSync(locked, 0o700);
    const cli = join(REPO, 'main', 'cli', 'main.ts');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', cli, 'db', 'import', stick, '--database', join(study, 's.db'), '--json'],
      { cwd: REPO, encoding: 'utf8', ...(asNobody ? { uid: 65534, gid: 65534 } : {}) },
    );
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as ImportReport;
    assert.deepEqual(
      report.imported.map((i) => basename(i.source)),
      ['03_test.tif'],
    );
    assert.deepEqual(
      report.failed.map((f) => f.source),
      [locked],
    );
    assert.match(report.failed[0].error, /cannot be read \(permission denied/);
  });
});
