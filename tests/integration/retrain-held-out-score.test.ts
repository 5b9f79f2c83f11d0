// The held-out score stored on a candidate and shown beside "promoted" / "not promoted" is the one the gate decided
// on: a held-out image the gate leaves out (one whose eye or photograph the lineage learnt) is scored and listed,
// never averaged into that score. Real SQLite, real DRIVE photographs, the tiny test model scoring them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import {
  approveMaskVersion,
  getModel,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  saveMaskVersion,
  startTrainingRun,
  type ModelRecord,
  type Store,
} from '../../main/store/index.js';
import { scoreModels } from '../../main/retrain/scoring.js';
import { judgeCandidate } from '../../main/retrain/promotion.js';
import { ProgressTracker } from '../../main/retrain/progress.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import type { RetrainPlan } from '../../main/retrain/plan.js';
import type { RetrainSnapshot } from '../../main/retrain/snapshot.js';
import { anatomyHeldOut } from '../../main/handlers/model-lineage.js';
import { datasetsRoot, tinyModelDir } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');

describe('the held-out score beside the decision is the judged images’', () => {
  let dir: string;
  let store: Store;
  let base: ModelRecord;
  const held: { imageId: number; maskVersionId: number }[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-held-out-score-'));
    store = openStore(path.join(dir, 'retina.db'));
    base = registerModel(store, { name: 'tiny', dirPath: await tinyModelDir(), architecture: {} }, 't');
    promoteModel(store, base.id, 't');
    for (const n of ['21', '22', '23']) {
      const report = await importImageFiles(
        store,
        [
          {
            imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
            fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
          },
        ],
        { actor: 't' },
      );
      const imageId = report.imported[0].imageId;
      const mask = await readBinaryMap(path.join(DRIVE, '1st_manual', `${n}_manual1.gif`));
      const draft = await saveMaskVersion(store, { imageId, kind: 'draft', author: 'annotator', mask });
      const approved = await approveMaskVersion(store, draft.id, 'annotator');
      held.push({ imageId, maskVersionId: approved.id });
    }
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Scores the held-out `images` (the gate judging `usable`) and records the candidate's row as a retrain does. */
  async function judged(images: typeof held, usable: number[]) {
    const snapshot = { baseModelId: base.id, heldOut: images, usableHeldOut: usable } as RetrainSnapshot;
    const plan = {
      settings: { ...DEFAULT_RETRAIN_SETTINGS, minHeldOut: 1 },
      base,
      snapshot,
    } as unknown as RetrainPlan;
    const run = startTrainingRun(store, { config: { kind: 'test' }, seed: 1, baseModelId: base.id }, 't');
    const tracker = new ProgressTracker(store, run.id, 1, 1, () => undefined);
    const scores = await scoreModels(store, plan, base.dirPath, { runId: run.id, threads: 1, tracker });
    const candidate = registerModel(
      store,
      { name: `candidate-${run.id}`, dirPath: base.dirPath, architecture: {}, parentModelId: base.id },
      't',
    );
    judgeCandidate(store, candidate, plan, scores, 't');
    return {
      scores,
      metrics: getModel(store, candidate.id).metrics as { heldOut: { f1: number }; heldOutImages: number },
    };
  }

  test('vessel: an image the gate leaves out is listed, not pooled into the stored score', async () => {
    const usable = held.slice(0, 2).map((h) => h.imageId);
    const withLearnt = await judged(held, usable);
    const onlyJudged = await judged(held.slice(0, 2), usable);
    assert.equal(withLearnt.scores.images.length, 3, 'every held-out image is scored and listed');
    assert.deepEqual(
      withLearnt.scores.images.map((im) => im.usable),
      [true, true, false],
    );
    assert.equal(withLearnt.metrics.heldOutImages, 2);
    assert.equal(withLearnt.metrics.heldOut.f1, onlyJudged.metrics.heldOut.f1);
    assert.equal(
      withLearnt.scores.comparison.pooled.active.f1,
      onlyJudged.scores.comparison.pooled.active.f1,
    );
  });

  test('artery/vein and optic disc: the means shown are over the judged images, with how many were scored', () => {
    const shown = anatomyHeldOut({
      task: 'artery-vein',
      heldOut: {
        measure: 'A/V accuracy',
        images: [
          { imageId: 1, maskVersionId: 1, candidate: 0.8, active: 0.7, usable: true },
          { imageId: 2, maskVersionId: 2, candidate: 0.6, active: 0.5, usable: true },
          // Its eye trained the lineage: the candidate "wins" here only by knowing it.
          { imageId: 3, maskVersionId: 3, candidate: 1, active: 0.1, usable: false },
        ],
      },
    });
    assert.equal(shown.images, 2);
    assert.equal(shown.scored, 3);
    assert.ok(Math.abs(shown.candidate - 0.7) < 1e-9, `candidate mean ${shown.candidate}`);
    assert.ok(Math.abs(shown.parent - 0.6) < 1e-9, `parent mean ${shown.parent}`);
  });
});
