// Review states on a real database, through the handler table both shells use: predicted -> draft -> approved ->
// edited (a draft again, "reopened") -> re-approved; a draft never lands on an approved image without an explicit
// reopen; reopening what is not approved is a conflict; version numbers count per image; and every place that
// reports a status (the viewer's masks, an image's summary, worklist rows, filters, totals and counts) agrees.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  importImageFiles,
  latestApprovedMasks,
  latestIds,
  listImages,
  registerModel,
  reviewOf,
  reviewStatus,
  saveMaskVersion,
  type MaskKind,
  type MaskStatus,
  type Store,
} from '../../main/store/index.js';
import { reviewStatusFilterSql } from '../../main/store/review.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { IMAGE_STATUSES, type ImageStatus } from '../../shared/contract.js';
import { handlerCaller } from '../support/handler-call.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };
const DRIVE_TEST = path.join(datasetsRoot(), 'DRIVE', 'test');
const MASK_STATUSES: MaskStatus[] = ['none', 'prediction', 'draft', 'approved'];

for (const kind of STORE_BACKENDS)
  describe(`review states (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let ws: Workstation;
    let store: Store;
    let modelId: number;
    /** Image ids of DRIVE test 01..04, imported in that order. */
    let ids: number[];
    let width: number;
    let height: number;
    /** A real vessel map (DRIVE's second observer) to use as a "prediction", and a first-observer edit of it. */
    let predicted: Uint8Array;
    let edited: Uint8Array;

    const call = handlerCaller(() => ws, ctx);

    const versions = (): number =>
      store.db.prepare('SELECT COUNT(*) FROM mask_versions').pluck().get() as number;

    async function predict(imageId: number): Promise<void> {
      await saveMaskVersion(store, {
        imageId,
        kind: 'prediction',
        author: 'model:observer',
        modelId,
        mask: { width, height, data: predicted },
      });
    }

    const save = (
      channel: 'saveDraft' | 'approveMask',
      imageId: number,
      mask: Uint8Array,
      parent: string | null,
    ) => call(channel, { imageId: String(imageId), width, height, mask, parentVersionId: parent });

    /** What every reporting path says about one image: all must agree. */
    async function statusEverywhere(imageId: number): Promise<ImageStatus> {
      const id = String(imageId);
      const masks = await call('getMasks', { imageId: id });
      const info = await call('getImageInfo', { imageId: id });
      const row = (await call('listImages', { offset: 0, limit: 100 })).items.find((i) => i.id === id);
      assert.ok(row, `image ${id} is not listed`);
      assert.equal(info.status, masks.review.status, 'getImageInfo and getMasks disagree');
      assert.equal(row.status, masks.review.status, 'the worklist row and getMasks disagree');
      assert.equal(row.reopened, masks.review.reopened);
      assert.equal(info.reopened, masks.review.reopened);
      for (const s of IMAGE_STATUSES) {
        const filtered = await call('listImages', { offset: 0, limit: 100, status: [s] });
        const inFilter = filtered.items.some((i) => i.id === id);
        assert.equal(inFilter, s === masks.review.status, `status filter '${s}' disagrees about image ${id}`);
        assert.equal(filtered.total, filtered.items.length);
      }
      return masks.review.status;
    }

    before(async () => {
      ws = await createWorkstation({ dbPath: backend.location('review'), shell: 'browser', user: 'ann' });
      store = ws.store;
      const report = await importImageFiles(
        store,
        ['01', '02', '03', '04'].map((n) => ({
          imagePath: path.join(DRIVE_TEST, 'images', `${n}_test.tif`),
        })),
        { actor: 'ann' },
      );
      ids = report.imported.map((i) => i.imageId);
      assert.equal(ids.length, 4);
      modelId = registerModel(
        store,
        { name: 'observer-2', dirPath: '/none', architecture: { kind: 'observer' } },
        'ann',
      ).id;
      const second = toBinaryMap(await readImage(path.join(DRIVE_TEST, '2nd_manual', '01_manual2.gif')));
      const first = toBinaryMap(await readImage(path.join(DRIVE_TEST, '1st_manual', '01_manual1.gif')));
      ({ width, height } = second);
      predicted = Uint8Array.from(second.data, (v) => (v ? 1 : 0));
      edited = Uint8Array.from(first.data, (v) => (v ? 1 : 0));
    });

    after(async () => {
      await ws.close();
    });

    test('the rule: the newer of the latest draft and approval decides; predictions never change a reviewed image', () => {
      const s = (prediction: number | null, draft: number | null, approved: number | null) =>
        reviewStatus({ prediction, draft, approved });
      assert.deepEqual(s(null, null, null), { status: 'none', reopened: false });
      assert.deepEqual(s(1, null, null), { status: 'prediction', reopened: false });
      assert.deepEqual(s(1, 2, null), { status: 'draft', reopened: false });
      assert.deepEqual(s(1, 2, 3), { status: 'approved', reopened: false });
      assert.deepEqual(s(1, 4, 3), { status: 'draft', reopened: true });
      assert.deepEqual(s(9, 4, 5), { status: 'approved', reopened: false });
      assert.deepEqual(s(null, null, 1), { status: 'approved', reopened: false });
    });

    test('predicted -> draft -> approved -> edited (draft, reopened) -> re-approved, everywhere alike', async () => {
      const a = ids[0];
      assert.equal(await statusEverywhere(a), 'new');

      await predict(a);
      assert.equal(await statusEverywhere(a), 'predicted');
      const pred = (await call('getMasks', { imageId: String(a) })).prediction!;
      assert.equal(pred.version, 1);

      const draft = await save('saveDraft', a, predicted, pred.versionId);
      assert.deepEqual([draft.status, draft.review.reopened, draft.version], ['draft', false, 2]);
      assert.equal(await statusEverywhere(a), 'draft');

      const approved = await save('approveMask', a, edited, draft.versionId);
      assert.deepEqual([approved.status, approved.version], ['approved', 3]);
      assert.equal(approved.review.approval?.by, 'ann');
      assert.equal(approved.review.approval?.version, 3);
      assert.equal(approved.review.approval?.at, approved.createdAt);
      assert.equal(await statusEverywhere(a), 'approved');
      assert.equal((await call('getRetrainStatus', {})).newApprovals, 1);
      const info = await call('getImageInfo', { imageId: String(a) });
      assert.deepEqual([info.approvedBy, info.approvedAt], ['ann', approved.createdAt]);

      // Editing an approved image without reopening it: refused, nothing saved.
      const before = versions();
      await assert.rejects(
        save('saveDraft', a, predicted, approved.versionId),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'conflict');
          assert.match(err.message, /01_test\.tif is approved: reopen it for editing/);
          return true;
        },
      );
      assert.equal(versions(), before);
      assert.equal(await statusEverywhere(a), 'approved');
      // Nor approving other pixels over the approval (a crafted request; a second reader's draft approved after the
      // first's): the approved mask changes only after a reopen, which the audit log records.
      await assert.rejects(
        save('approveMask', a, predicted, approved.versionId),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'conflict');
          assert.match(err.message, /01_test\.tif is approved: reopen it for editing/);
          return true;
        },
      );
      assert.equal(versions(), before);
      assert.deepEqual((await call('getMasks', { imageId: String(a) })).approved?.data, edited);

      // Reopen: a draft copy of the approval; the approval is kept and named.
      const reopened = await call('reopenMask', { imageId: String(a) });
      assert.deepEqual([reopened.status, reopened.review.reopened, reopened.version], ['draft', true, 4]);
      assert.deepEqual(reopened.review.approval, { by: 'ann', at: approved.createdAt, version: 3 });
      const masks = await call('getMasks', { imageId: String(a) });
      assert.equal(masks.draft?.versionId, reopened.versionId);
      assert.equal(masks.draft?.parentVersionId, approved.versionId);
      assert.deepEqual(masks.draft?.data, edited, 'the reopened draft is not the approved mask');
      assert.equal(await statusEverywhere(a), 'draft');
      // A reopened approval is under review again: retraining does not take it until it is re-approved.
      const standing = () => latestApprovedMasks(store, { standing: true }).map((v) => v.imageId);
      assert.ok(!standing().includes(a));
      assert.ok(
        latestApprovedMasks(store).some((v) => v.imageId === a),
        'the approval itself is kept',
      );
      // Nor does the Models screen count it among the approvals a retrain would add (no model is active here).
      assert.equal((await call('getRetrainStatus', {})).newApprovals, 0);

      // Edit after reopening: still a draft, still reopened, until approved again.
      const changed = edited.slice();
      changed.fill(1, 200 * width + 100, 200 * width + 140);
      const editedDraft = await save('saveDraft', a, changed, reopened.versionId);
      assert.deepEqual(
        [editedDraft.status, editedDraft.review.reopened, editedDraft.version],
        ['draft', true, 5],
      );
      const row = (await call('listImages', { offset: 0, limit: 10, status: ['draft'] })).items[0];
      assert.deepEqual([row.id, row.status, row.reopened, row.approvedBy], [String(a), 'draft', true, 'ann']);

      const again = await save('approveMask', a, changed, editedDraft.versionId);
      assert.deepEqual([again.status, again.review.reopened, again.version], ['approved', false, 6]);
      assert.equal(again.review.approval?.version, 6);
      assert.equal(await statusEverywhere(a), 'approved');
      assert.ok(standing().includes(a));

      // A new prediction after approval leaves the review alone.
      await predict(a);
      assert.equal(await statusEverywhere(a), 'approved');
      assert.equal((await call('getMasks', { imageId: String(a) })).prediction?.version, 7);
    });

    test('reopening an image that is not approved is a conflict naming the file, and saves nothing', async () => {
      const [a, b, c] = ids;
      await predict(b);
      // a is approved (previous test): it reopens once; then it is a draft, and a draft cannot be reopened.
      assert.equal((await call('reopenMask', { imageId: String(a) })).status, 'draft');
      for (const [imageId, name] of [
        [a, '01_test.tif'],
        [b, '02_test.tif'],
        [c, '03_test.tif'],
      ] as const) {
        const before = versions();
        await assert.rejects(
          call('reopenMask', { imageId: String(imageId) }),
          (err: Error & { code?: string }) => {
            assert.equal(err.code, 'conflict');
            assert.equal(err.message, `${name} is not approved: there is nothing to reopen`);
            return true;
          },
        );
        assert.equal(versions(), before);
      }
    });

    test('version numbers count per image: a first approval after many versions elsewhere is version 2', async () => {
      const b = ids[1];
      const pred = (await call('getMasks', { imageId: String(b) })).prediction!;
      assert.equal(pred.version, 1);
      const approved = await save('approveMask', b, predicted, pred.versionId);
      assert.ok(Number(approved.versionId) > 8, 'the test needs other images to have versions first');
      assert.equal(approved.version, 2);
      assert.equal(approved.review.approval?.version, 2);
      assert.equal((await call('getMasks', { imageId: String(b) })).approved?.version, 2);
    });

    test('filters, totals and counts agree with each image’s own record over random histories', async () => {
      // A seeded sequence of versions over the four images; after each, every view is compared.
      let seed = 13;
      const next = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const kinds: MaskKind[] = ['prediction', 'draft', 'approved'];
      for (let step = 0; step < 24; step++) {
        const imageId = ids[next(ids.length)];
        const kind = kinds[next(kinds.length)];
        await saveMaskVersion(store, {
          imageId,
          kind,
          author: 'ann',
          modelId: kind === 'prediction' ? modelId : null,
          mask: { width, height, data: next(2) ? predicted : edited },
        });
        const listed = listImages(store, { limit: 100 }).items;
        for (const item of listed) {
          const own = reviewOf(store, item.id);
          assert.equal(item.maskStatus, own.status, `row and record disagree on image ${item.id}`);
          assert.equal(item.reopened, own.reopened);
          assert.deepEqual(reviewStatus(latestIds(store, item.id)).status, own.status);
        }
        for (const s of MASK_STATUSES) {
          const page = listImages(store, { limit: 100, maskStatus: s });
          const expected = listed.filter((i) => i.maskStatus === s).map((i) => i.id);
          assert.deepEqual(
            page.items.map((i) => i.id),
            expected,
            `filter '${s}' at step ${step}`,
          );
          assert.equal(page.total, expected.length);
        }
        const counted = new Map<string, number>();
        for (const s of IMAGE_STATUSES) {
          counted.set(s, (await call('listImages', { offset: 0, limit: 100, status: [s] })).total);
        }
        const all = (await call('listImages', { offset: 0, limit: 100 })).items;
        for (const s of IMAGE_STATUSES) {
          assert.equal(counted.get(s), all.filter((i) => i.status === s).length, `worklist count of '${s}'`);
        }
      }
    });

    test(
      'the status filter seeks the (image_id, kind, id) index and never scans mask versions',
      {
        // SQLite's plan; PostgreSQL's planner chooses by table statistics, which a four-image table does not show.
        skip: kind === 'postgres' && 'a SQLite query plan',
      },
      () => {
        for (const s of MASK_STATUSES) {
          const plan = store.db
            .prepare(`EXPLAIN QUERY PLAN SELECT i.id FROM images i WHERE ${reviewStatusFilterSql(s, 'i.id')}`)
            .all() as { detail: string }[];
          const details = plan.map((p) => p.detail);
          const onVersions = details.filter((d) => / [mo]\b/.test(d));
          assert.ok(onVersions.length > 0, `no mask_versions lookup in ${details.join('; ')}`);
          for (const d of onVersions) assert.match(d, /USING (COVERING )?INDEX mask_versions_latest/, d);
        }
      },
    );
  });
