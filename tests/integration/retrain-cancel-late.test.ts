// A cancel that arrives once the vessel model's part of a retrain has finished (its candidate registered, perhaps
// already active and re-predicting) stops only the parts still to run: the retrain ends with the vessel outcome,
// not as "cancelled" while a new candidate (or active model) stands that the screen would then never show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  getModel,
  getTrainingRun,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
} from '../../main/store/index.js';
import { describeAll, runRetrainAll } from '../../main/retrain/retrain-all.js';
import { datasetsRoot, tinyModelDir } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');

test('a cancel after the vessel part finished keeps its outcome; the anatomy parts say they were cancelled', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-cancel-late-'));
  const store = openStore(path.join(dir, 'retina.db'));
  try {
    const root = registerModel(store, { name: 'tiny', dirPath: await tinyModelDir(), architecture: {} }, 't');
    promoteModel(store, root.id, 't');
    const files = ['21', '22', '23', '24', '25'].map((n) => ({
      imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
      maskPath: path.join(DRIVE, '1st_manual', `${n}_manual1.gif`),
      fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
    }));
    await importImageFiles(store, files, { actor: 'annotator' });
    const controller = new AbortController();
    const outcome = await runRetrainAll(store, {
      actor: 'tester',
      trigger: 'button',
      promote: 'never',
      anatomyDirs: null,
      threads: 1,
      workers: 1,
      settings: { epochs: 1, stepsPerEpoch: 2, batchSize: 2, replayImages: 0 },
      signal: controller.signal,
      // The user presses Cancel as the vessel part reports its verdict.
      onProgress: (p) => {
        if (p.phase === 'finished') controller.abort();
      },
    });
    assert.ok(controller.signal.aborted);
    assert.ok(outcome.vessel, 'the finished vessel part is reported');
    assert.equal(getTrainingRun(store, outcome.vessel.runId).status, 'succeeded');
    assert.equal(getModel(store, outcome.vessel.candidateModelId).status, 'candidate');
    assert.deepEqual(
      outcome.anatomy.map((a) => ('skipped' in a ? a.skipped : 'ran')),
      ['artery/vein: cancelled by the user', 'optic disc: cancelled by the user'],
    );
    assert.equal(describeAll(outcome), outcome.vessel.decision.reason);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
