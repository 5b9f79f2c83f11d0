// An anatomy fine-tune uses its parent's patch side up to ANATOMY_FINE_TUNE_MAX_PATCH: the bundled artery/vein
// network was trained on 384-px patches on a GPU, and a tfjs step of 16 such patches fails here; at the capped side
// a step of the retrain's default batch runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ANATOMY_FINE_TUNE_MAX_PATCH,
  anatomyFineTuneConfig,
  anatomyTaskKit,
} from '../../main/retrain/anatomy-tasks.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import { createTrainer } from '../../main/ml/train/trainer.js';
import { repoRoot } from '../e2e/model-fixture.js';
import type { ModelManifest } from '../../main/ml/types.js';

const bundled = JSON.parse(
  readFileSync(path.join(repoRoot, 'resources', 'models', 'artery-vein', 'retina-model.json'), 'utf8'),
) as ModelManifest;

test('a parent trained on larger patches is fine-tuned at the cap; a smaller one at its own side', async () => {
  const kit = await anatomyTaskKit('artery-vein', bundled);
  assert.ok(bundled.patchSize > ANATOMY_FINE_TUNE_MAX_PATCH, `bundled patch ${bundled.patchSize}`);
  assert.equal(
    anatomyFineTuneConfig(kit, bundled, DEFAULT_RETRAIN_SETTINGS).patchSize,
    ANATOMY_FINE_TUNE_MAX_PATCH,
  );
  assert.equal(
    anatomyFineTuneConfig(kit, { ...bundled, patchSize: 128 }, DEFAULT_RETRAIN_SETTINGS).patchSize,
    128,
  );
});

test('one training step of the default batch at the capped side runs on the bundled network', async () => {
  const kit = await anatomyTaskKit('artery-vein', bundled);
  const cfg = anatomyFineTuneConfig(kit, bundled, DEFAULT_RETRAIN_SETTINGS);
  const trainer = await createTrainer({
    architecture: cfg.architecture,
    loss: cfg.loss,
    learningRate: cfg.learningRate,
    seed: 1,
    workers: 2,
  });
  try {
    await trainer.loadModel(path.join(repoRoot, 'resources', 'models', 'artery-vein', 'tfjs'));
    const p = cfg.patchSize;
    const b = cfg.batchSize;
    const x = new Float32Array(b * p * p * 3).map((_, i) => Math.sin(i * 0.37));
    const y = new Float32Array(b * p * p).map((_, i) => (i % 7 < 3 ? 1 : 0));
    const w = new Float32Array(b * p * p).fill(1);
    const { loss } = await trainer.trainStep(x, y, w, b, p, p);
    assert.ok(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
  } finally {
    await trainer.dispose();
  }
});
