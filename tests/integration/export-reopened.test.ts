// An approval reopened for editing is withdrawn, as retraining takes it: an export of approved masks leaves the image
// out (and says so), 'best' writes the current draft, and images.csv's approval columns describe the exported mask.
// On real DRIVE photographs and both store backends.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { decodePng } from '../../main/ml/io/png-codec.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  importImageFiles,
  registerModel,
  reopenApprovedMask,
  saveMaskVersion,
  writeBundleFolder,
  type Store,
} from '../../main/store/index.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const DRIVE_TEST = join(datasetsRoot(), 'DRIVE', 'test');

/** images.csv rows (no quoted commas in these fields). */
function csvRows(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
}

for (const kind of STORE_BACKENDS)
  describe(`export of a reopened approval (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let store: Store;
    /** Image 0: approved, then reopened and edited. Image 1: approved and standing. */
    let ids: number[];
    /** Image 0's draft pixels (0/1), edited after the reopen. */
    let data: Uint8Array;

    before(async () => {
      store = backend.open('export-reopened');
      const report = await importImageFiles(
        store,
        ['01', '02'].map((n) => ({ imagePath: join(DRIVE_TEST, 'images', `${n}_test.tif`) })),
        { actor: 'ann' },
      );
      ids = report.imported.map((i) => i.imageId);
      assert.equal(ids.length, 2, JSON.stringify(report));
      const model = registerModel(store, { name: 'observer', dirPath: '/none', architecture: {} }, 'ann');
      for (const [k, id] of ids.entries()) {
        const manual = toBinaryMap(await readImage(join(DRIVE_TEST, '1st_manual', `0${k + 1}_manual1.gif`)));
        const predicted = await saveMaskVersion(store, {
          imageId: id,
          kind: 'prediction',
          author: 'model:observer',
          modelId: model.id,
          mask: manual,
        });
        await saveMaskVersion(store, {
          imageId: id,
          kind: 'approved',
          author: 'dr-who',
          mask: manual,
          parentId: predicted.id,
        });
      }
      const reopened = reopenApprovedMask(store, ids[0], 'ann');
      const manual = toBinaryMap(await readImage(join(DRIVE_TEST, '1st_manual', '01_manual1.gif')));
      data = Uint8Array.from(manual.data);
      data.fill(1, 5000, 9000); // an edit the approval does not have
      await saveMaskVersion(store, {
        imageId: ids[0],
        kind: 'draft',
        author: 'ann',
        mask: { ...manual, data },
        parentId: reopened.id,
      });
    });

    after(() => store.close());

    test("'approved' leaves the reopened image out and counts it", async () => {
      const out = join(backend.dir, `approved-${kind}`);
      const summary = await writeBundleFolder(store, out, {
        parts: ['masks', 'clinical'],
        source: 'approved',
        appVersion: '9.9.9',
      });
      assert.equal(summary.masks, 1);
      assert.deepEqual(readdirSync(join(out, 'masks')), ['02_test.png']);
      const rows = csvRows(readFileSync(join(out, 'images.csv'), 'utf8'));
      assert.deepEqual(
        [rows[0].review_status, rows[0].reopened, rows[0].mask_kind, rows[0].mask_file],
        ['draft', 'yes', '', ''],
      );
      assert.equal(rows[1].mask_kind, 'approved');
      assert.equal(summary.reopenedLeftOut, 1);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(manifest.reopenedLeftOut, 1);
      assert.match(
        readFileSync(join(out, 'README.txt'), 'utf8'),
        /1 image\(s\) reopened since approval left out/,
      );
    });

    test("'best' writes the reopened image's current draft", async () => {
      const out = join(backend.dir, `best-${kind}`);
      const summary = await writeBundleFolder(store, out, {
        parts: ['masks', 'clinical'],
        source: 'best',
        appVersion: '9.9.9',
      });
      assert.equal(summary.masks, 2);
      assert.equal(summary.reopenedLeftOut, 0);
      const png = decodePng(readFileSync(join(out, 'masks', '01_test.png')));
      const written = Uint8Array.from(
        png.data.filter((_, i) => i % png.channels === 0),
        (v) => (v ? 1 : 0),
      );
      assert.deepEqual(written, data, 'the draft, edit included, is the exported mask');
      const rows = csvRows(readFileSync(join(out, 'images.csv'), 'utf8'));
      assert.equal(rows[0].mask_kind, 'draft');
      assert.equal(rows[0].mask_version, '4');
      // The approval columns describe the exported mask: a draft has no approver.
      assert.deepEqual([rows[0].approved_by, rows[0].approved_at], ['', '']);
      assert.equal(rows[1].approved_by, 'dr-who');
      assert.match(rows[1].approved_at, /^\d{4}-\d\d-\d\dT/);
    });

    test('images.csv names no approver for an exported prediction of an approved image', async () => {
      const out = join(backend.dir, `prediction-${kind}`);
      await writeBundleFolder(store, out, {
        imageIds: [ids[1]],
        parts: ['clinical'],
        source: 'prediction',
        appVersion: '9.9.9',
      });
      const [row] = csvRows(readFileSync(join(out, 'images.csv'), 'utf8'));
      assert.deepEqual(
        [row.review_status, row.mask_kind, row.approved_by, row.approved_at],
        ['approved', 'prediction', '', ''],
      );
    });

    test('metrics.csv judges predictions only against a standing approval', async () => {
      const out = join(backend.dir, `metrics-${kind}`);
      await writeBundleFolder(store, out, { parts: ['metrics'], source: 'best', appVersion: '9.9.9' });
      const rows = csvRows(readFileSync(join(out, 'metrics.csv'), 'utf8'));
      assert.deepEqual(
        rows.map((r) => r.image_id),
        [String(ids[1])],
        'the reopened image has no reference to judge against',
      );
    });
  });
