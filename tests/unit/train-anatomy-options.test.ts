// `retina train-anatomy`'s overrides of a task's recipe: what the command line sets, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withOverrides } from '../../main/cli/train-anatomy-command.js';
import { ARTERY_VEIN_CONFIG } from '../../main/ml/anatomy/train-artery-vein.js';

test('no options leave the recipe as it is', () => {
  assert.deepEqual(withOverrides(ARTERY_VEIN_CONFIG, {}), ARTERY_VEIN_CONFIG);
});

test('--seed, --epochs, --minutes and --learning-rate replace their fields only', () => {
  const c = withOverrides(ARTERY_VEIN_CONFIG, { seed: 7, epochs: 3, minutes: 2, learningRate: 4e-4 });
  assert.deepEqual(c, {
    ...ARTERY_VEIN_CONFIG,
    seed: 7,
    epochs: 3,
    maxMinutes: 2,
    learningRate: 4e-4,
    minLearningRate: 2e-5,
  });
  assert.notEqual(c.seed, ARTERY_VEIN_CONFIG.seed);
});

test('--patch-size and --batch-size replace their fields only', () => {
  const c = withOverrides(ARTERY_VEIN_CONFIG, { patchSize: 256, batchSize: 4 });
  assert.deepEqual(c, { ...ARTERY_VEIN_CONFIG, patchSize: 256, batchSize: 4 });
});
