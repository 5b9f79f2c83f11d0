// The worklist's visit date range and "Submitted for review" filters, on both store backends: the store's listing
// (one SQL for SQLite and PostgreSQL) and the handler answer the same rows; a blind reader's "submitted" is their
// own submission, not the other reader's; the request's dates are checked. In single-user mode, where nothing is
// ever submitted, the filter is refused with its reason (it used to answer an always-empty list).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetsRoot } from '../../main/node/package-root.js';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { listImagesPage } from '../../main/handlers/worklist.js';
import {
  importImageFiles,
  listImages,
  listMaskVersions,
  loadMask,
  openStore,
  saveMaskVersion,
  sendBack,
  setClinical,
  submitForReview,
  type ListImagesQuery,
  type Store,
} from '../../main/store/index.js';
import { requestChecks } from '../../shared/contract.js';
import { handlerCaller } from '../support/handler-call.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { useTwoReaderImage } from '../support/two-readers.js';

const DRIVE = join(datasetsRoot(), 'DRIVE', 'test');
const NAMES = ['a.tif', 'b.tif', 'c.tif', 'd.tif', 'e.tif'];

for (const kind of STORE_BACKENDS)
  describe(
    `worklist visit range and review filters (${kind})`,
    { skip: !existsSync(DRIVE) && 'no DRIVE' },
    () => {
      const backend = useStoreBackend(kind);
      let dir: string;
      let store: Store;
      const id: Record<string, number> = {};

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'retina-filters-'));
        NAMES.forEach((name, i) =>
          copyFileSync(join(DRIVE, 'images', `0${i + 1}_test.tif`), join(dir, name)),
        );
        store = backend.open('filters');
        const report = await importImageFiles(
          store,
          NAMES.map((name, i) => ({
            imagePath: join(dir, name),
            // Each comes with DRIVE's ground truth, approved on import: drafts go on top of it below.
            maskPath: join(DRIVE, '1st_manual', `0${i + 1}_manual1.gif`),
          })),
          { actor: 'importer' },
        );
        assert.equal(report.imported.length, NAMES.length, JSON.stringify(report.failed));
        for (const im of report.imported) id[im.source.split('/').pop()!] = im.imageId;
        // Visits: a and b on 2024-03-01, c on 2024-03-15, d on 2025-01-02; e has none (no patient).
        setClinical(store, [id['a.tif'], id['b.tif']], { patientId: 'P-1', visitDate: '2024-03-01' }, 'clin');
        setClinical(store, [id['c.tif']], { patientId: 'P-1', visitDate: '2024-03-15' }, 'clin');
        setClinical(store, [id['d.tif']], { patientId: 'P-2', visitDate: '2025-01-02' }, 'clin');
        // Drafts on a, b, c, d; a and b submitted; b sent back; c submitted then approved (settled).
        for (const name of ['a.tif', 'b.tif', 'c.tif', 'd.tif']) {
          const approved = await loadMask(store, listMaskVersions(store, id[name])[0]);
          await saveMaskVersion(store, {
            imageId: id[name],
            kind: 'draft',
            author: 'anna',
            mask: { ...approved, data: approved.data.map((v, i) => (i < 100 ? 1 : v)) },
          });
        }
        for (const name of ['a.tif', 'b.tif', 'c.tif']) submitForReview(store, id[name], 'anna');
        sendBack(store, id['b.tif'], 'the disc margin', 'rita');
        const draft = await loadMask(store, listMaskVersions(store, id['c.tif']).at(-1)!);
        await saveMaskVersion(store, { imageId: id['c.tif'], kind: 'approved', author: 'rita', mask: draft });
      });

      after(() => {
        store?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      /** The names the store lists and the handler pages for the same filter: they must agree. */
      function listed(q: Omit<ListImagesQuery, 'cursor' | 'limit'>): string[] {
        const fromStore = listImages(store, { ...q, limit: 1000 }).items.map((i) => i.fileName);
        const page = listImagesPage(store, {
          offset: 0,
          limit: 100,
          ...(q.visitFrom ? { visitFrom: q.visitFrom } : {}),
          ...(q.visitTo ? { visitTo: q.visitTo } : {}),
          ...(q.awaitingReview ? { awaitingReview: true } : {}),
        });
        assert.deepEqual(
          page.items.map((i) => i.fileName),
          fromStore,
        );
        assert.equal(page.total, fromStore.length);
        assert.equal(listImages(store, { ...q, limit: 1 }).total, fromStore.length);
        return fromStore;
      }

      test('a visit range keeps the visits inside it, both ends inclusive; undated images are outside any', () => {
        assert.deepEqual(listed({}), NAMES);
        assert.deepEqual(listed({ visitFrom: '2024-03-01', visitTo: '2024-03-15' }), [
          'a.tif',
          'b.tif',
          'c.tif',
        ]);
        assert.deepEqual(listed({ visitFrom: '2024-03-02' }), ['c.tif', 'd.tif']);
        assert.deepEqual(listed({ visitTo: '2024-03-01' }), ['a.tif', 'b.tif']);
        assert.deepEqual(listed({ visitFrom: '2025-01-02', visitTo: '2025-01-02' }), ['d.tif']);
        assert.deepEqual(listed({ visitFrom: '2026-01-01' }), []);
      });

      test('"Submitted for review" keeps open submissions: not sent back, not approved since', () => {
        assert.deepEqual(listed({ awaitingReview: true }), ['a.tif']);
        // Resubmitted after the send-back: awaiting again.
        submitForReview(store, id['b.tif'], 'anna');
        assert.deepEqual(listed({ awaitingReview: true }), ['a.tif', 'b.tif']);
        // With a visit range, both filters hold.
        assert.deepEqual(listed({ awaitingReview: true, visitFrom: '2024-03-01', visitTo: '2024-03-01' }), [
          'a.tif',
          'b.tif',
        ]);
        assert.deepEqual(listed({ awaitingReview: true, visitFrom: '2024-03-02' }), []);
      });
    },
  );

for (const kind of STORE_BACKENDS)
  describe(`"Submitted for review" for two blind readers (${kind})`, () => {
    const image = useTwoReaderImage(kind, 'filter-blind', '03');
    const { anna, otto, rita } = image;

    test("a reader's own submission counts, never the other reader's", async () => {
      const submitted = async (call: typeof anna) =>
        (await call('listImages', { offset: 0, limit: 10, awaitingReview: true })).items.map((i) => i.id);
      await anna('saveDraft', {
        imageId: image.id,
        ...image.mask,
        parentVersionId: null,
        clientId: 'anna-window',
      });
      await anna('submitForReview', { imageId: image.id });
      assert.deepEqual(await submitted(anna), [image.id]);
      assert.deepEqual(await submitted(otto), [], 'otto has not submitted his reading');
      assert.deepEqual(await submitted(rita), [image.id]);
    });
  });

test('listImages checks its visit dates: calendar days, from not after to', () => {
  const check = (extra: Record<string, unknown>) =>
    requestChecks.listImages({ offset: 0, limit: 10, ...extra }, 'listImages');
  assert.equal(check({ visitFrom: '2024-03-01', visitTo: '2024-03-01', awaitingReview: true }), null);
  for (const bad of [
    { visitFrom: '2024-02-30' },
    { visitTo: '01/03/2024' },
    { visitFrom: '2024-03-02', visitTo: '2024-03-01' },
    { awaitingReview: 'yes' },
  ])
    assert.notEqual(check(bad), null, JSON.stringify(bad));
});

describe('"Submitted for review" in single-user mode', () => {
  const backend = useStoreBackend('sqlite');
  let ws: Workstation;
  before(async () => {
    const dbPath = backend.location('single-user');
    const store = openStore(dbPath);
    await importImageFiles(store, [{ imagePath: join(DRIVE, 'images', '01_test.tif') }], { actor: 'me' });
    store.close();
    ws = await createWorkstation({ dbPath, shell: 'browser', user: 'me' });
  });
  after(() => ws?.close());

  test('is refused with its reason, not answered with an always-empty list', async () => {
    // Nobody logs in, so nothing is ever submitted: the filter could only ever list nothing.
    const call = handlerCaller(() => ws);
    assert.equal((await call('listImages', { offset: 0, limit: 10 })).total, 1);
    await assert.rejects(call('listImages', { offset: 0, limit: 10, awaitingReview: true }), {
      code: 'invalid-request',
      message: /"Submitted for review" is a team filter: .*single-user/,
    });
  });
});
