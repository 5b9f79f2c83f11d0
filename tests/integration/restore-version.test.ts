// Restoring an earlier mask version from an image's History, through the handler table both shells use, on both
// store backends: the History names each entry's version; a version is shown before it is restored; restoring makes
// a new draft with that version's pixels on top of the current one (history kept, audited, one History line);
// it is refused over an approval, on a stale view of the image, while another window edits it, and across images.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  importImageFiles,
  listAudit,
  registerModel,
  saveMaskVersion,
  type Store,
} from '../../main/store/index.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { handlerCaller } from '../support/handler-call.js';

const DRIVE_TEST = path.join(datasetsRoot(), 'DRIVE', 'test');
const binary = async (file: string) => {
  const m = toBinaryMap(await readImage(path.join(DRIVE_TEST, file)));
  return { width: m.width, height: m.height, data: Uint8Array.from(m.data, (v) => (v ? 1 : 0)) };
};

for (const kind of STORE_BACKENDS)
  describe(`restoring an earlier mask version (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let ws: Workstation;
    let store: Store;
    let ids: string[];
    const call = handlerCaller(() => ws);
    /** A prediction on the image by a model of its own named `name`. */
    const predict = (
      imageId: string,
      name: string,
      mask: Awaited<ReturnType<typeof binary>>,
      more: Pick<Parameters<typeof saveMaskVersion>[1], 'anatomy' | 'av'> = {},
    ) => {
      const modelId = registerModel(store, { name, dirPath: '/none', architecture: {} }, 'ann').id;
      return saveMaskVersion(store, {
        imageId: Number(imageId),
        kind: 'prediction',
        author: `model:${name}`,
        modelId,
        mask,
        ...more,
      });
    };
    const versionCount = (): number =>
      store.db.prepare('SELECT COUNT(*) FROM mask_versions').pluck().get() as number;

    before(async () => {
      ws = await createWorkstation({ dbPath: backend.location('restore'), shell: 'browser', user: 'ann' });
      store = ws.store;
      const report = await importImageFiles(
        store,
        ['01', '02', '03', '04'].map((n) => ({
          imagePath: path.join(DRIVE_TEST, 'images', `${n}_test.tif`),
        })),
        { actor: 'ann' },
      );
      ids = report.imported.map((i) => String(i.imageId));
    });
    after(async () => {
      await ws.close();
    });

    test('open a version from the History, restore it over the reopened approval; refusals change nothing', async () => {
      const predicted = await binary('2nd_manual/01_manual2.gif');
      const edited = await binary('1st_manual/01_manual1.gif');
      const { width, height } = predicted;
      await predict(ids[0], 'observer-2', predicted);
      const masks = await call('getMasks', { imageId: ids[0] });
      const predictionId = masks.prediction!.versionId;
      const draft = await call('saveDraft', {
        imageId: ids[0],
        width,
        height,
        mask: edited.data,
        parentVersionId: null,
      });
      const approval = await call('approveMask', {
        imageId: ids[0],
        width,
        height,
        mask: edited.data,
        parentVersionId: draft.versionId,
      });

      // The History names the version each mask entry made.
      const history = (await call('getImageHistory', { imageId: ids[0] })).entries;
      const named = history.filter((e) => e.versionId).map((e) => [e.action, e.versionId, e.version]);
      assert.deepEqual(named, [
        ['mask.prediction', predictionId, 1],
        ['mask.draft', draft.versionId, 2],
        ['mask.approved', approval.versionId, 3],
      ]);

      // Shown before it is restored: the prediction's own pixels.
      const preview = await call('getMaskVersionPreview', { imageId: ids[0], versionId: predictionId });
      assert.deepEqual(
        [preview.kind, preview.version, preview.author, preview.width, preview.height],
        ['prediction', 1, 'model:observer-2', width, height],
      );
      assert.deepEqual(preview.data, predicted.data);
      await assert.rejects(
        call('getMaskVersionPreview', { imageId: ids[1], versionId: predictionId }),
        /is not a version of 02_test\.tif/,
      );

      const before = versionCount();
      const restore = (parentVersionId: string | null, clientId = 'window-a') =>
        call('restoreMaskVersion', { imageId: ids[0], versionId: predictionId, parentVersionId, clientId });
      // Approved: a reopen comes first.
      await assert.rejects(restore(approval.versionId), /approved: reopen it for editing before restoring/);
      const reopened = await call('reopenMask', { imageId: ids[0] });
      // A window that had not seen the reopen.
      await assert.rejects(restore(approval.versionId), /after you opened it; nothing was restored/);
      // Another window edits the image.
      await call('acquireEditLease', { imageId: ids[0], clientId: 'window-b' });
      await assert.rejects(restore(reopened.versionId), /being edited by .*nothing was restored/);
      await call('releaseEditLease', { imageId: ids[0], clientId: 'window-b' });
      // Another image's version.
      await assert.rejects(
        call('restoreMaskVersion', {
          imageId: ids[1],
          versionId: predictionId,
          parentVersionId: null,
        }),
        /is not a version of 02_test\.tif/,
      );
      assert.equal(versionCount(), before + 1, 'a refused restore wrote a version (only the reopen should)');

      const restored = await call('restoreMaskVersion', {
        imageId: ids[0],
        versionId: predictionId,
        parentVersionId: reopened.versionId,
        clientId: 'window-a',
      });
      assert.equal(restored.version, 5);
      const now = await call('getMasks', { imageId: ids[0] });
      assert.equal(now.review.status, 'draft');
      assert.equal(now.draft?.versionId, restored.versionId);
      assert.equal(now.draft?.parentVersionId, reopened.versionId);
      assert.deepEqual(now.draft?.data, predicted.data);
      // One History line, naming the version it brought back, and the new version to restore in turn.
      const after = (await call('getImageHistory', { imageId: ids[0] })).entries;
      const last = after.at(-1)!;
      assert.deepEqual(
        [last.action, last.words, last.versionId, last.version],
        ['mask.restore', 'restored version 1', restored.versionId, 5],
      );
      assert.equal(after.at(-2)?.action, 'mask.reopen');
    });

    test('the version that is the current mask is not restored over itself (a duplicate and a History line)', async () => {
      const predicted = await binary('2nd_manual/02_manual2.gif');
      await predict(ids[1], 'observer-2b', predicted);
      const predictionId = (await call('getMasks', { imageId: ids[1] })).prediction!.versionId;
      const restore = (versionId: string, parentVersionId: string | null) =>
        call('restoreMaskVersion', { imageId: ids[1], versionId, parentVersionId, clientId: 'window-a' });
      const before = versionCount();
      // Nothing saved yet: the prediction is what the viewer shows.
      await assert.rejects(
        restore(predictionId, null),
        /version 1 is the current mask of 02_test\.tif: nothing was restored/,
      );
      const draft = await call('saveDraft', {
        imageId: ids[1],
        width: predicted.width,
        height: predicted.height,
        mask: new Uint8Array(predicted.data.length),
        parentVersionId: null,
        clientId: 'window-a',
      });
      await assert.rejects(
        restore(draft.versionId, draft.versionId),
        /version 2 is the current mask of 02_test\.tif: nothing was restored/,
      );
      assert.equal(versionCount(), before + 1, 'only the draft should have been written');
      // Once a draft is on top, the prediction is an earlier version again.
      assert.equal((await restore(predictionId, draft.versionId)).version, 3);
    });

    test('a version whose disc and labels differ: the preview says so, and the restore audits the disc moving back', async () => {
      const predicted = await binary('2nd_manual/03_manual2.gif');
      const { width, height } = predicted;
      const modelDisc = { x: 480.5, y: 290.25, diameter: 80 };
      // Every vessel an artery in the prediction, a vein in the draft.
      const artery = predicted.data.map((v) => v);
      const vein = predicted.data.map((v) => v * 2);
      const record = {
        disc: modelDisc,
        fovea: { x: 290, y: 300, confidence: 0.7 },
        laterality: 'R' as const,
      };
      const prediction = await predict(ids[2], 'observer-2c', predicted, { anatomy: record, av: artery });
      const movedDisc = { x: 450, y: 300, diameter: 80 };
      const draft = await call('saveDraft', {
        imageId: ids[2],
        width,
        height,
        mask: predicted.data,
        parentVersionId: null,
        anatomy: { ...record, disc: movedDisc },
        av: vein,
        clientId: 'window-a',
      });
      // The preview shows vessels only: it says what else a restore would bring back.
      const preview = await call('getMaskVersionPreview', {
        imageId: ids[2],
        versionId: String(prediction.id),
      });
      assert.deepEqual(preview.alsoDiffers, {
        av: predicted.data.reduce((n, v) => n + v, 0),
        disc: { version: modelDisc, current: movedDisc },
      });
      // And carries them, so the viewer draws what a restore gives: the version's own labels and disc and fovea.
      assert.deepEqual(preview.av, artery);
      assert.deepEqual(preview.anatomy, { ...record, discMovedBy: null });
      // A refused save with the prediction's labels and disc, kept: opened, it carries them and says so as well.
      await assert.rejects(
        call('saveDraft', {
          imageId: ids[2],
          width,
          height,
          mask: predicted.data,
          parentVersionId: String(prediction.id),
          anatomy: record,
          av: artery,
          clientId: 'window-a',
        }),
        /kept as draft #\d+/,
      );
      const [keptSummary] = (await call('listKeptDrafts', { imageId: ids[2] })).drafts;
      const kept = await call('getKeptDraft', { keptDraftId: keptSummary.id });
      assert.deepEqual(kept.av, artery);
      assert.deepEqual(kept.anatomy?.disc, modelDisc);
      assert.deepEqual(kept.alsoDiffers, preview.alsoDiffers);
      const same = await call('getMaskVersionPreview', { imageId: ids[2], versionId: draft.versionId });
      assert.deepEqual(same.alsoDiffers, { av: 0, disc: null });
      const moves = () =>
        listAudit(store, { entity: 'mask_version' })
          .filter(
            (e) =>
              e.action === 'mask.disc.move' && (e.details as { imageId: number }).imageId === Number(ids[2]),
          )
          .map((e) => [e.actor, String(e.entityId), e.details]);
      assert.deepEqual(moves(), [
        ['ann', draft.versionId, { imageId: Number(ids[2]), from: modelDisc, to: movedDisc }],
      ]);

      const restored = await call('restoreMaskVersion', {
        imageId: ids[2],
        versionId: String(prediction.id),
        parentVersionId: draft.versionId,
        clientId: 'window-a',
      });
      const now = await call('getMasks', { imageId: ids[2] });
      assert.deepEqual(now.draft?.anatomy?.disc, modelDisc);
      // What the preview drew is what came back: the labels too, not only the vessels and the disc.
      assert.deepEqual(now.draft?.av, preview.av);
      // The disc went back to the model's place: the audit (newest first) says so, as for a disc moved by hand.
      assert.deepEqual(moves()[0], [
        'ann',
        restored.versionId,
        { imageId: Number(ids[2]), from: movedDisc, to: modelDisc },
      ]);
      const words = (await call('getImageHistory', { imageId: ids[2] })).entries.map((e) => e.words);
      assert.deepEqual(words.slice(-2), ['moved the optic disc', 'restored version 1']);
    });
    test('a version with no disc record of its own keeps the disc the annotator placed', async () => {
      // The prediction came from a model without an optic-disc head; the annotator then placed the disc by hand.
      const predicted = await binary('2nd_manual/04_manual2.gif');
      const { width, height } = predicted;
      const prediction = await predict(ids[3], 'observer-2d', predicted);
      assert.equal(prediction.anatomy, null);
      const placed = { disc: { x: 120, y: 300, diameter: 82 }, fovea: null, laterality: 'L' as const };
      const draft = await call('saveDraft', {
        imageId: ids[3],
        width,
        height,
        mask: new Uint8Array(predicted.data.length),
        parentVersionId: null,
        anatomy: placed,
        clientId: 'window-a',
      });
      const placedRecord = (await call('getMasks', { imageId: ids[3] })).draft?.anatomy;
      assert.deepEqual(placedRecord?.disc, placed.disc);
      // Restoring the old vessels brings back vessels: the disc is the image's, and the old version had none.
      await call('restoreMaskVersion', {
        imageId: ids[3],
        versionId: String(prediction.id),
        parentVersionId: draft.versionId,
        clientId: 'window-a',
      });
      const now = await call('getMasks', { imageId: ids[3] });
      assert.deepEqual(now.draft?.data, predicted.data);
      assert.deepEqual(now.draft?.anatomy, placedRecord);
    });
  });
