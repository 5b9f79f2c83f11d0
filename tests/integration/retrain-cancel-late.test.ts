// A cancel that arrives once the vessel model's part of a retrain has finished (its candidate registered, perhaps
// already active and re-predicting) stops only the parts still to run: the retrain ends with the vessel outcome,
// not as "cancelled" while a new candidate (or active model) stands that the screen would then never show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getModel, getTrainingRun } from '../../main/store/index.js';
import { describeAll, runRetrainAll } from '../../main/retrain/retrain-all.js';
import { withRetrainStudy } from './retrain-study.js';

test('a cancel after the vessel part finished keeps its outcome; the anatomy parts say they were cancelled', async () => {
  await withRetrainStudy('retrain-cancel-late', ['21', '22', '23', '24', '25'], async ({ store }) => {
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
  });
});
