// A retrain's candidate learns and predicts in its parent's canonical frame, with its parent's test-time flips:
// corrections drawn at native size are resampled exactly as the parent's training images were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fineTuneConfig } from '../../main/retrain/fine-tune.js';
import { defaultModelDir } from '../../main/ml/model/model-dir.js';
import type { ModelManifest } from '../../main/ml/types.js';

const parent = JSON.parse(
  readFileSync(path.join(defaultModelDir(), 'retina-model.json'), 'utf8'),
) as ModelManifest;

test('fine-tuning keeps the parent frame and flips', () => {
  const framed: ModelManifest = {
    ...parent,
    testTimeFlips: true,
    frame: { reference: 'fov-diameter', diameter: 536, snap: 0.03, labelCalibre: 2.6, maskCalibre: 2.7 },
  };
  const cfg = fineTuneConfig(framed);
  assert.deepEqual(cfg.frame, framed.frame);
  assert.notEqual(cfg.frame, framed.frame, 'a copy, not the parent object');
  assert.equal(cfg.testTimeFlips, true);
  const native = fineTuneConfig({ ...parent, frame: undefined, testTimeFlips: false });
  assert.equal(native.frame, undefined);
  assert.equal(native.testTimeFlips, undefined);
});
