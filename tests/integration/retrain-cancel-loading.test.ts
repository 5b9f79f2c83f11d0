// Cancelling a retrain while its training images are still being loaded and preprocessed (minutes for many large
// photographs): the loading says how far it is, image by image, and stops at the next image, not only once
// training starts; the run is recorded as cancelled and nothing is registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeModel, getTrainingRun, listModels } from '../../main/store/index.js';
import { runRetrain } from '../../main/retrain/run.js';
import { RetrainCancelledError } from '../../main/retrain/errors.js';
import { withRetrainStudy } from './retrain-study.js';

test('a cancel while the training images load stops at the next image; the run is cancelled', async () => {
  const numbers = ['21', '22', '23', '24', '25', '26', '27', '28'];
  await withRetrainStudy('retrain-cancel-loading', numbers, async ({ store, root }) => {
    const controller = new AbortController();
    const messages: string[] = [];
    let runId = 0;
    await assert.rejects(
      runRetrain(store, {
        actor: 'tester',
        trigger: 'cli',
        promote: 'if-better',
        threads: 1,
        workers: 1,
        settings: { epochs: 1, stepsPerEpoch: 2, batchSize: 2, replayImages: 0, minHeldOut: 3 },
        signal: controller.signal,
        onStarted: (id) => (runId = id),
        onProgress: (p) => {
          messages.push(`${p.phase}: ${p.message}`);
          if (/image 1\/\d+$/.test(p.message)) controller.abort();
        },
      }),
      RetrainCancelledError,
    );
    const loading = messages.filter((m) => /^preparing: loading and preprocessing image \d+\/\d+$/.test(m));
    assert.equal(loading.length, 1, messages.join('\n'));
    assert.match(loading[0], /image 1\/([2-9])$/, 'more than one image to load');
    assert.ok(!messages.some((m) => m.startsWith('training:')), messages.join('\n'));
    assert.equal(getTrainingRun(store, runId).status, 'cancelled');
    assert.equal(activeModel(store)?.id, root.id);
    assert.equal(listModels(store).length, 1, 'a cancelled run registered a model');
  });
});
