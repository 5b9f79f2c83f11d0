// A retrain whose training set holds a photograph whose stored file is damaged fails at once, naming that
// photograph as the user knows it (file name and image id), not the temporary copy the trainer read, which is gone
// by then; the run row records the same reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { getImage, imageFilePath, listTrainingRuns } from '../../main/store/index.js';
import { runRetrain } from '../../main/retrain/run.js';
import { withRetrainStudy } from './retrain-study.js';

test('a damaged photograph in the training set fails the retrain naming the photograph, not a temporary file', async () => {
  const numbers = ['21', '22', '23', '24', '25'];
  await withRetrainStudy('retrain-damaged', numbers, async ({ store, imageIds }) => {
    // Every stored photograph truncated (a disk fault after import): whichever the trainer reads first fails.
    for (const imageId of imageIds) {
      const file = imageFilePath(store, getImage(store, imageId));
      await writeFile(file, (await readFile(file)).subarray(0, 2000));
    }
    const err = await runRetrain(store, {
      actor: 'tester',
      trigger: 'cli',
      promote: 'never',
      threads: 1,
      workers: 1,
      settings: { epochs: 1, stepsPerEpoch: 2, batchSize: 2, replayImages: 0 },
    }).then(
      () => assert.fail('the retrain succeeded on damaged photographs'),
      (e: unknown) => e as Error,
    );
    assert.match(err.message, /^2\d_training\.tif \(image \d+\): TIFF corrupt or truncated/);
    assert.doesNotMatch(err.message, /retina-retrain-|img\d/);
    const [run] = listTrainingRuns(store, {});
    assert.equal(run.status, 'failed');
    assert.deepEqual(run.outcome, { reason: err.message.split('\n')[0] });
  });
});
