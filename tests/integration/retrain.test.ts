// The whole retrain on a real SQLite store, real DRIVE images and a tiny real model (fine-tuned with tfjs in
// worker threads, scored with ONNX Runtime): lineage and exact mask versions recorded, held-out images never in
// the training set (and kept held out by later runs), promotion only when better, an override only with a
// reason, rollback, re-prediction that skips drafts and approvals, and cancel leaving the active model. (The gate's
// refusals and its reference rule are in retrain-gate.test.ts.)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  activeModel,
  getModel,
  getTrainingRun,
  importImageFiles,
  latestMasks,
  listAudit,
  listModels,
  loadMask,
  modelTrainingMasks,
  openStore,
  promoteModel,
  registerModel,
  saveMaskVersion,
  type Store,
} from '../../main/store/index.js';
import { runRetrain, type RetrainOutcome } from '../../main/retrain/run.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { RetrainCancelledError, RetrainError } from '../../main/retrain/errors.js';
import {
  PromotionRefusedError,
  promoteCandidate,
  rejectCandidate,
  rollbackTo,
} from '../../main/retrain/registry.js';
import type { RetrainSnapshot } from '../../main/retrain/snapshot.js';
import type { RetrainSettings } from '../../main/retrain/settings.js';
import { datasetsRoot, tinyModelDir } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE');
const TINY: Partial<RetrainSettings> = {
  epochs: 2,
  stepsPerEpoch: 6,
  batchSize: 4,
  replayImages: 0,
  learningRate: 3e-3,
};

function driveTraining(n: string) {
  return {
    imagePath: path.join(DRIVE, 'training', 'images', `${n}_training.tif`),
    maskPath: path.join(DRIVE, 'training', '1st_manual', `${n}_manual1.gif`),
    fovPath: path.join(DRIVE, 'training', 'mask', `${n}_training_mask.gif`),
  };
}

function snapshotOf(store: Store, runId: number): RetrainSnapshot {
  return (getTrainingRun(store, runId).config as { snapshot: RetrainSnapshot }).snapshot;
}

describe('retrain on a real store', () => {
  let dir: string;
  let store: Store;
  let root: number;
  let first: RetrainOutcome;
  let draftImage: number;
  let freeImage: number;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-test-'));
    store = openStore(path.join(dir, 'retina.db'));
    const tiny = await tinyModelDir();
    root = registerModel(store, { name: 'tiny', dirPath: tiny, architecture: {} }, 'test').id;
    promoteModel(store, root, 'test');
    // Six annotator-approved images, and two unlabelled test images: one with a draft, one draft-free.
    const imported = await importImageFiles(store, ['21', '22', '23', '24', '25', '26'].map(driveTraining), {
      actor: 'annotator',
    });
    assert.equal(imported.imported.length, 6);
    const plain = await importImageFiles(
      store,
      ['01', '02'].map((n) => ({
        imagePath: path.join(DRIVE, 'test', 'images', `${n}_test.tif`),
        fovPath: path.join(DRIVE, 'test', 'mask', `${n}_test_mask.gif`),
      })),
      { actor: 'annotator' },
    );
    [draftImage, freeImage] = plain.imported.map((i) => i.imageId);
    const draft = await loadMask(store, latestMasks(store, imported.imported[0].imageId).approved!);
    await saveMaskVersion(store, { imageId: draftImage, kind: 'draft', author: 'annotator', mask: draft });
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a retrain records its lineage and exact mask versions, never trains on held-out images, and promotes only a better model', async () => {
    const phases = new Set<string>();
    first = await runRetrain(store, {
      actor: 'tester',
      trigger: 'cli',
      promote: 'if-better',
      settings: TINY,
      threads: 1,
      onProgress: (p) => phases.add(p.phase),
    });
    assert.deepEqual(
      [...phases].filter((p) => p !== 'repredicting'),
      ['preparing', 'training', 'evaluating', 'finished'],
    );
    const run = getTrainingRun(store, first.runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.baseModelId, root);
    const snap = snapshotOf(store, first.runId);
    // 6 approvals a person made: the gate's minimum of 3 held out, 1 of the other 3 validates, 2 are fitted.
    assert.equal(snap.heldOut.length, 3);
    assert.deepEqual(
      snap.usableHeldOut,
      snap.heldOut.map((h) => h.imageId),
    );
    assert.equal(snap.validation.length, 1);
    assert.equal(snap.train.length, 2);
    const candidate = getModel(store, first.candidateModelId);
    assert.equal(candidate.parentModelId, root);
    assert.equal(candidate.trainingRunId, first.runId);
    // Its manifest says what it learnt as a reader (and a model card) can use it: the study, and each image by its
    // dataset and sample or its file's stem, not the gone temporary folder's img<id>.
    const candidateManifest = await readManifest(candidate.dirPath);
    const provenance = candidateManifest.provenance;
    assert.equal(provenance.datasetKind, 'study');
    // And the fingerprints of what it and its lineage learnt, by those names: a retrain from it, on a machine
    // without the datasets, still knows a copy of one of them.
    const prints = Object.keys(candidateManifest.sampleFingerprints ?? {});
    const parentPrints = Object.keys(
      (await readManifest(getModel(store, root).dirPath)).sampleFingerprints ?? {},
    );
    assert.deepEqual(
      [...provenance.trainIds, ...provenance.validationIds, ...parentPrints].filter(
        (id) => !prints.includes(id),
      ),
      [],
    );
    assert.ok(provenance.trainIds.length > 0);
    assert.ok(
      provenance.trainIds.every((id) => /^[^/]+\/[^/]+$/.test(id) && !/^img\d+$/.test(id.split('/')[1])),
      provenance.trainIds.join(', '),
    );
    const trained = modelTrainingMasks(store, candidate.id);
    assert.deepEqual(
      trained.map((t) => t.maskVersionId).sort((a, b) => a - b),
      [...snap.train, ...snap.validation].map((e) => e.maskVersionId).sort((a, b) => a - b),
    );
    const heldOutIds = new Set(snap.heldOut.map((h) => h.imageId));
    assert.ok(
      trained.every((t) => !heldOutIds.has(t.imageId)),
      'a held-out image was trained on',
    );
    assert.deepEqual(
      first.heldOut.images.map((i) => i.imageId).sort(),
      [...heldOutIds].sort(),
      'the comparison did not use exactly the held-out images',
    );
    assert.equal(first.losses.length, 12);
    assert.ok(
      first.heldOut.images.some((i) => i.overlay) &&
        existsSync(path.join(`${store.path}.runs`, String(first.runId))),
    );
    // The overlays are drawn on patients' photographs, the models' cards name them: the study's alone.
    for (const side of ['runs', 'models'])
      assert.equal(statSync(`${store.path}.${side}`).mode & 0o077, 0, `${side} is readable by others`);
    // The gate: judged on the 3 held-out references, promoted exactly when the interval's lower end is above 0.
    const better = first.decision.delta !== null && first.decision.delta.low > 0;
    assert.equal(first.decision.judged, true);
    assert.equal(first.decision.usableImages, 3);
    assert.equal(first.decision.better, better);
    assert.equal(first.decision.promoted, better);
    assert.ok(better, `fine-tuning a random-weight model on vessels should help: ${first.decision.reason}`);
    assert.equal(activeModel(store)?.id, candidate.id);
    // Re-prediction: the draft-free image got a prediction by the new model; the draft and approvals did not.
    assert.equal(first.repredicted, 1);
    assert.equal(latestMasks(store, freeImage).prediction?.modelId, candidate.id);
    assert.equal(latestMasks(store, draftImage).prediction, null);
    for (const h of snap.heldOut) assert.equal(latestMasks(store, h.imageId).prediction, null);
    const promote = listAudit(store, { entity: 'model', entityId: candidate.id }).find(
      (a) => a.action === 'model.promote',
    );
    assert.match(String((promote?.details as { reason?: string }).reason), /95% interval .* better$/);
  });

  test('nothing new to train on is refused before any run starts', async () => {
    const runs = listModels(store).length;
    await assert.rejects(
      runRetrain(store, { actor: 't', trigger: 'cli', promote: 'if-better', settings: TINY }),
      RetrainError,
    );
    assert.equal(listModels(store).length, runs);
  });

  test('a worse candidate is not promoted; an override needs a recorded reason; rollback restores the old model', async () => {
    const before = activeModel(store)!;
    await importImageFiles(store, ['27', '28'].map(driveTraining), { actor: 'annotator' });
    // A learning rate a hundred times too high wrecks the fine-tuned weights.
    const worse = await runRetrain(store, {
      actor: 'tester',
      trigger: 'cli',
      promote: 'if-better',
      settings: { ...TINY, epochs: 1, stepsPerEpoch: 3, learningRate: 0.05 },
      threads: 1,
    });
    const snap = snapshotOf(store, worse.runId);
    const firstHeldOut = snapshotOf(store, first.runId).heldOut.map((h) => h.imageId);
    assert.deepEqual(
      snap.heldOut.map((h) => h.imageId),
      firstHeldOut,
      'earlier held-out images must stay held out',
    );
    assert.deepEqual(
      snap.train.map((t) => t.imageId).length + snap.validation.length,
      2,
      'only the 2 new approvals train',
    );
    assert.ok(worse.heldOut.pooled.candidate.f1 < worse.heldOut.pooled.active.f1, worse.decision.reason);
    assert.equal(worse.decision.promoted, false);
    assert.equal(activeModel(store)?.id, before.id);
    assert.equal(worse.repredicted, 0);

    assert.throws(() => promoteCandidate(store, worse.candidateModelId, 'tester'), PromotionRefusedError);
    assert.equal(activeModel(store)?.id, before.id);
    promoteCandidate(store, worse.candidateModelId, 'tester', 'annotators prefer its thin-vessel recall');
    assert.equal(activeModel(store)?.id, worse.candidateModelId);
    const audit = listAudit(store, { entity: 'model', entityId: worse.candidateModelId }).find(
      (a) => a.action === 'model.promote',
    );
    assert.deepEqual(
      {
        reason: (audit?.details as { reason: string }).reason,
        override: (audit?.details as { override: boolean }).override,
      },
      { reason: 'annotators prefer its thin-vessel recall', override: true },
    );

    rollbackTo(store, before.id, 'tester');
    assert.equal(activeModel(store)?.id, before.id);
    assert.equal(getModel(store, worse.candidateModelId).status, 'retired');
    assert.throws(() => rejectCandidate(store, before.id, 'tester'), PromotionRefusedError);
  });

  test('cancel during training leaves the active model and removes the candidate', async () => {
    const before = activeModel(store)!;
    const models = listModels(store).length;
    await importImageFiles(store, ['29', '30', '31'].map(driveTraining), { actor: 'annotator' });
    const controller = new AbortController();
    let runId = 0;
    await assert.rejects(
      runRetrain(store, {
        actor: 'tester',
        trigger: 'cli',
        promote: 'if-better',
        settings: { ...TINY, epochs: 5, stepsPerEpoch: 20 },
        threads: 1,
        signal: controller.signal,
        onStarted: (id) => (runId = id),
        onProgress: (p) => {
          if (p.phase === 'training' && p.step >= 2) controller.abort();
        },
      }),
      RetrainCancelledError,
    );
    assert.equal(activeModel(store)?.id, before.id);
    assert.equal(listModels(store).length, models, 'a cancelled run registered a model');
    const run = getTrainingRun(store, runId);
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(run.outcome, { reason: 'cancelled by the user' });
    assert.ok(
      !existsSync(`${store.path}.models/tiny+r${runId}`) &&
        !existsSync(`${store.path}.models/tiny+r${runId}.checkpoint`),
    );
  });
});
