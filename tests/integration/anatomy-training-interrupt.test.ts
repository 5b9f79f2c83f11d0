// An anatomy network's training stopped by its signal (Ctrl+C in `retina train-anatomy`, Cancel in the app's
// retrain): it stops before its next step, writes no model, keeps the finished epochs in its checkpoint, and a
// resumed run finishes from there. A tiny network on synthetic planes, trained for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  trainAnatomyModel,
  type AnatomyTrainConfig,
  type AnatomyTrainOptions,
} from '../../main/ml/anatomy/anatomy-training.js';
import type { AnatomySample } from '../../main/ml/anatomy/anatomy-sample.js';
import { TrainingInterruptedError } from '../../main/ml/train/training-run.js';
import { createRng } from '../../main/ml/rng.js';

const SIZE = 48;

function sample(id: string, seed: number): AnatomySample {
  const rng = createRng(seed);
  const n = SIZE * SIZE;
  const target = Uint8Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
  return {
    id,
    width: SIZE,
    height: SIZE,
    planes: [0, 1, 2].map(() => Float32Array.from(target, (t) => t + 0.5 * (rng.next() - 0.5))),
    target,
    weight: new Uint8Array(n).fill(1),
    focus: Int32Array.from({ length: n }, (_, i) => i).filter((i) => target[i] === 1),
    anywhere: Int32Array.from({ length: n }, (_, i) => i),
  };
}

const CONFIG: AnatomyTrainConfig = {
  architecture: {
    kind: 'unet',
    inputChannels: 3,
    depth: 1,
    baseFilters: 4,
    convsPerLevel: 1,
    batchNorm: false,
    dropout: 0,
    upsampling: 'nearest',
    residual: false,
  },
  augment: null,
  patchSize: 32,
  batchSize: 2,
  loss: 'bce',
  epochs: 3,
  stepsPerEpoch: 2,
  learningRate: 1e-3,
  minLearningRate: 1e-4,
  focusShare: 0.5,
  patience: 10,
  seed: 3,
  maxMinutes: 0,
};

test('a stopped anatomy training keeps its finished epochs, writes no model, and resumes to the end', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-stop-'));
  try {
    const out = path.join(dir, 'disc');
    const controller = new AbortController();
    let epoch = 0;
    const opts: AnatomyTrainOptions = {
      config: CONFIG,
      anatomy: { task: 'optic-disc', input: 'rgb-clahe', downsample: 1 },
      fit: [sample('a', 1), sample('b', 2)],
      val: [sample('v', 3)],
      frame: { reference: 'fov-diameter', diameter: 536, snap: 0.03, labelCalibre: 2.6, maskCalibre: 3 },
      datasetLabel: 'synthetic',
      out,
      threshold: 0.5,
      validate: async () => ({ score: ++epoch, detail: {} }),
    };
    const stopped = trainAnatomyModel({
      ...opts,
      signal: controller.signal,
      // Stop once the first epoch is logged: the next step must not run.
      onLog: (line) => {
        if (line.startsWith('epoch 1/3')) controller.abort();
      },
    });
    await assert.rejects(stopped, TrainingInterruptedError);
    assert.equal(existsSync(out), false, 'no model directory after an interruption');
    const state = JSON.parse(await readFile(path.join(`${out}.checkpoint`, 'state.json'), 'utf8'));
    assert.equal(state.epochsDone, 1);

    const manifest = await trainAnatomyModel({ ...opts, resume: true });
    assert.equal(manifest.provenance.epochs, 3);
    assert.equal(manifest.provenance.validationCurve.length, 3);
    assert.equal(existsSync(`${out}.checkpoint`), false, 'the checkpoint goes once the model is written');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
