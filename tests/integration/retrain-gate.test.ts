// The promotion gate on a real store and real DRIVE images: approvals of the model's own unedited predictions
// are not references the gate can judge on (a retrain with too few others is refused at once, saying what would
// help), corrected approvals are the ones held out, a finished retrain stores the gate's whole verdict, the
// approvals a retrain used stop counting as new, whatever became of its candidate, and an exact repeat of a run
// is refused.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import {
  activeModel,
  approveMaskVersion,
  finishTrainingRun,
  getMaskVersion,
  getTrainingRun,
  importImageFiles,
  latestMasks,
  listTrainingRuns,
  openStore,
  promoteModel,
  registerModel,
  saveMaskVersion,
  startTrainingRun,
  type Store,
} from '../../main/store/index.js';
import { RetrainError } from '../../main/retrain/errors.js';
import { planRetrain } from '../../main/retrain/plan.js';
import { MIN_CORRECTED_PIXELS, referenceKind } from '../../main/retrain/reference.js';
import { runRetrain, type RetrainOutcome } from '../../main/retrain/run.js';
import type { RetrainSettings } from '../../main/retrain/settings.js';
import { newApprovals } from '../../main/retrain/snapshot.js';
import { pendingApprovals } from '../../main/handlers/retrain.js';
import { createWorkstation, type CallerContext } from '../../main/handlers/index.js';
import { dispatchRequest, type RequestChannel, type ResponseOf } from '../../shared/contract.js';
import { datasetsRoot, tinyModelDir } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');
const TINY: Partial<RetrainSettings> = {
  epochs: 1,
  stepsPerEpoch: 3,
  batchSize: 4,
  replayImages: 0,
  learningRate: 3e-3,
};

const image = (n: string) => ({
  imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
  fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
});

/** A prediction by `modelId` (the DRIVE label stands in for the model's output), approved with `flip` pixels changed. */
async function predictAndApprove(store: Store, imageId: number, n: string, modelId: number, flip: number) {
  const label = await readBinaryMap(path.join(DRIVE, '1st_manual', `${n}_manual1.gif`));
  const prediction = await saveMaskVersion(store, {
    imageId,
    kind: 'prediction',
    author: 'model',
    modelId,
    mask: label,
    threshold: 0.5,
  });
  if (flip === 0) return approveMaskVersion(store, prediction.id, 'annotator');
  const edited = { ...label, data: Uint8Array.from(label.data) };
  for (let i = 0; i < flip; i++) {
    const at = label.width * 100 + 200 + i;
    edited.data[at] = edited.data[at] ? 0 : 1;
  }
  const draft = await saveMaskVersion(store, {
    imageId,
    kind: 'draft',
    author: 'annotator',
    mask: edited,
    parentId: prediction.id,
  });
  return approveMaskVersion(store, draft.id, 'annotator');
}

describe('promotion gate on a real store', () => {
  let dir: string;
  let store: Store;
  let root: number;
  const ids = new Map<string, number>();
  let judgedRun = 0;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-gate-'));
    store = openStore(path.join(dir, 'retina.db'));
    root = registerModel(store, { name: 'tiny', dirPath: await tinyModelDir(), architecture: {} }, 't').id;
    promoteModel(store, root, 't');
    const names = ['21', '22', '23', '24', '25', '26', '27', '28'];
    const report = await importImageFiles(store, names.map(image), { actor: 'annotator' });
    report.imported.forEach((im, i) => ids.set(names[i], im.imageId));
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an approval is a person’s reference only when it differs from its prediction by more than a handful of pixels', async () => {
    const unchanged = await predictAndApprove(store, ids.get('21')!, '21', root, 0);
    const touched = await predictAndApprove(store, ids.get('22')!, '22', root, MIN_CORRECTED_PIXELS);
    assert.equal(await referenceKind(store, unchanged), 'model');
    assert.equal(await referenceKind(store, touched), 'model');
    const draft = getMaskVersion(store, touched.parentId!);
    assert.notEqual(touched.pngHash, getMaskVersion(store, draft.parentId!).pngHash);
    assert.equal(
      await referenceKind(store, await predictAndApprove(store, ids.get('22')!, '22', root, 60)),
      'person',
    );
    // Approving the unchanged prediction again makes it the model's output once more.
    assert.equal(
      await referenceKind(store, await predictAndApprove(store, ids.get('22')!, '22', root, 0)),
      'model',
    );
  });

  test('a retrain whose held-out references would be the model’s own predictions is refused at once and says what would help', async () => {
    for (const n of ['23', '24', '25']) await predictAndApprove(store, ids.get(n)!, n, root, 0);
    await assert.rejects(
      runRetrain(store, { actor: 't', trigger: 'cli', promote: 'if-better', settings: TINY, threads: 1 }),
      (err: Error) =>
        err instanceof RetrainError &&
        /Not enough corrected images to judge a new model/.test(err.message) &&
        /none is available/.test(err.message) &&
        /Approve 3 more images that you corrected, then retrain\.$/.test(err.message),
    );
    assert.equal(listTrainingRuns(store, { limit: 100 }).length, 0, 'a run was started');

    // One corrected image: still too few, and the advice counts down.
    await predictAndApprove(store, ids.get('26')!, '26', root, 400);
    await assert.rejects(
      planRetrain(store, TINY),
      /only 1 is available.*Approve 2 more images that you corrected/,
    );
  });

  test('corrected approvals are the ones held out; a finished retrain stores the verdict, and its approvals are no longer new', async () => {
    for (const n of ['27', '28']) await predictAndApprove(store, ids.get(n)!, n, root, 400);
    const corrected = ['26', '27', '28'].map((n) => ids.get(n)!);
    assert.equal(newApprovals(store, root).length, 8);
    assert.equal(pendingApprovals(store), 8);

    const plan = await planRetrain(store, TINY);
    assert.deepEqual(
      plan.snapshot.heldOut.map((h) => h.imageId),
      corrected,
      'the corrected images should be held out',
    );
    assert.deepEqual(plan.snapshot.usableHeldOut, corrected);

    const outcome = await runRetrain(store, {
      actor: 't',
      trigger: 'cli',
      promote: 'never',
      settings: TINY,
      threads: 1,
    });
    judgedRun = outcome.runId;
    const v = outcome.decision;
    assert.equal(v.judged, true);
    assert.equal(v.usableImages, 3);
    assert.equal(v.promoted, false);
    assert.ok(v.delta && v.delta.low <= v.delta.mean && v.delta.mean <= v.delta.high);
    assert.match(
      v.reason,
      /^F1 [+-]\d\.\d{3} \(95% interval [+-]\d\.\d{3} to [+-]\d\.\d{3}\) on 3 corrected images: /,
    );
    assert.ok(outcome.heldOut.images.every((im) => im.usable === true));
    assert.equal(activeModel(store)?.id, root);

    // The candidate was not promoted, yet retraining on the same approvals would repeat the same run.
    assert.equal(newApprovals(store, root).length, 0);
    assert.equal(pendingApprovals(store), 0);
    // Retraining on the same approvals with the same settings would repeat the run exactly: refused at once.
    await assert.rejects(planRetrain(store, TINY), new RegExp(`nothing changed since run ${outcome.runId}`));
    await planRetrain(store, { ...TINY, promotionMargin: 0.01 });
    // A new approval counts again.
    const extra = await importImageFiles(store, [image('29')], { actor: 'annotator' });
    await predictAndApprove(store, extra.imported[0].imageId, '29', root, 0);
    assert.equal(pendingApprovals(store), 1);
    assert.ok(latestMasks(store, extra.imported[0].imageId).approved);
  });

  test('the report carries the whole verdict of a new run, and reads a run recorded before the gate', async () => {
    // A run as recorded before the gate: its decision held only better, reason and promoted.
    const recorded = getTrainingRun(store, judgedRun);
    const old = startTrainingRun(store, { config: recorded.config, seed: 1, baseModelId: root }, 't');
    const outcome = recorded.outcome as RetrainOutcome;
    finishTrainingRun(
      store,
      old.id,
      {
        status: 'succeeded',
        outcome: {
          ...outcome,
          runId: old.id,
          decision: {
            better: false,
            reason: 'held-out F1 0.9175 < 0.9821 on 3 images: not better',
            promoted: false,
          },
        },
      },
      't',
    );
    const ctx: CallerContext = { shell: 'browser', sender: 'test' };
    const ws = await createWorkstation({ dbPath: store.path, shell: 'browser', user: 't', threads: 1 });
    const call = async <C extends RequestChannel>(channel: C, payload: unknown): Promise<ResponseOf<C>> => {
      const r = await dispatchRequest(ws.handlers, channel, payload, ctx);
      if (!r.ok) throw new Error(r.error.message);
      return r.value as ResponseOf<C>;
    };
    try {
      const fresh = await call('getRetrainRun', { runId: String(judgedRun) });
      assert.equal(fresh.decision?.judged, true);
      assert.equal(fresh.decision?.usableImages, 3);
      assert.deepEqual(fresh.decision?.delta, outcome.decision.delta);
      assert.equal(fresh.decision?.reason, outcome.decision.reason);
      assert.ok(fresh.heldOut?.images.every((im) => im.usable === true));

      const before = await call('getRetrainRun', { runId: String(old.id) });
      assert.deepEqual(before.decision, {
        better: false,
        reason: 'held-out F1 0.9175 < 0.9821 on 3 images: not better',
        promoted: false,
        judged: true,
        advice: null,
        usableImages: 3,
        delta: null,
        benchmarkDelta: null,
      });
      assert.equal((await call('getRetrainStatus', {})).newApprovals, 1);
    } finally {
      await ws.close();
    }
  });
});
