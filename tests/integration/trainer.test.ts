// The data-parallel trainer on real DRIVE patches: learning, replica agreement, determinism, exact resume,
// the standard tfjs model files, the tfjs Predictor, and errors that reject instead of hanging.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDataset, loadSample } from '../../main/ml/data/datasets.js';
import { preprocessImage, DEFAULT_PREPROCESS } from '../../main/ml/image/preprocess.js';
import { createTfjsPredictor, createTrainer, type Trainer } from '../../main/ml/train/trainer.js';
import type { UNetConfig } from '../../main/ml/types.js';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const datasets = process.env.RETINA_DATASETS ?? resolve(repoRoot, '../shared/datasets');

const ARCH: UNetConfig = {
  kind: 'unet',
  inputChannels: 1,
  depth: 2,
  baseFilters: 8,
  convsPerLevel: 2,
  batchNorm: true,
  dropout: 0.1,
  upsampling: 'transpose',
  residual: false,
};

interface Batch {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  n: number;
  size: number;
}

/** 8 patches of 32x32 from a preprocessed DRIVE training image, with its manual labels and FOV as weights. */
async function drivePatches(): Promise<Batch> {
  const ds = openDataset(join(datasets, 'DRIVE'), 'drive');
  const sample = await loadSample(ds.splits.train[0]);
  assert.ok(sample.mask, 'DRIVE training images have manual labels');
  const img = preprocessImage(sample.image, sample.fov, DEFAULT_PREPROCESS);
  const { width } = sample.image;
  const n = 8;
  const size = 32;
  const x = new Float32Array(n * size * size);
  const y = new Float32Array(n * size * size);
  const w = new Float32Array(n * size * size);
  for (let p = 0; p < n; p++) {
    const top = 180 + 60 * (p % 4);
    const left = 150 + 150 * Math.floor(p / 4);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const src = (top + r) * width + left + c;
        const dst = (p * size + r) * size + c;
        x[dst] = img[src];
        y[dst] = sample.mask.data[src];
        w[dst] = sample.fov.data[src];
      }
    }
  }
  assert.ok(y.some((v) => v === 1) && y.some((v) => v === 0), 'patches contain vessels and background');
  return { x, y, w, n, size };
}

async function weightsOf(t: Trainer): Promise<Float32Array> {
  return (await t.getWeights()).data;
}

describe('trainer (worker threads, wasm)', () => {
  let batch: Batch;
  let dir: string;
  before(async () => {
    batch = await drivePatches();
    dir = await mkdtemp(join(tmpdir(), 'retina-trainer-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('learns on real patches with two workers whose replicas stay identical', async () => {
    const t = await createTrainer({
      architecture: ARCH,
      loss: 'dice+bce',
      learningRate: 3e-3,
      seed: 11,
      workers: 2,
    });
    try {
      assert.equal(t.workers, 2);
      assert.equal(t.backend, 'wasm');
      const { x, y, w, n, size } = batch;
      const losses: number[] = [];
      for (let i = 0; i < 25; i++) losses.push((await t.trainStep(x, y, w, n, size, size)).loss);
      assert.ok(losses[24] < 0.7 * losses[0], `training loss ${losses[0]} -> ${losses[24]}`);
      assert.ok(Number.isFinite(await t.evaluateLoss(x, y, w, n, size, size)));
      // predict() splits the batch over both replicas; image by image it runs on replica 0 alone.
      const both = await t.predict(x, n, size, size);
      const px = size * size;
      for (const i of [0, n - 1]) {
        const alone = await t.predict(x.slice(i * px, (i + 1) * px), 1, size, size);
        assert.deepEqual(both.subarray(i * px, (i + 1) * px), alone, `replicas disagree on image ${i}`);
      }
      assert.ok(both.every((v) => v >= 0 && v <= 1));
    } finally {
      await t.dispose();
    }
  });

  test('is deterministic given the seed', async () => {
    const run = async (): Promise<{ losses: number[]; weights: Float32Array }> => {
      const t = await createTrainer({
        architecture: ARCH,
        loss: 'bce',
        learningRate: 1e-3,
        seed: 5,
        workers: 2,
      });
      try {
        const losses: number[] = [];
        for (let i = 0; i < 3; i++)
          losses.push((await t.trainStep(batch.x, batch.y, batch.w, batch.n, 32, 32)).loss);
        return { losses, weights: await weightsOf(t) };
      } finally {
        await t.dispose();
      }
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a.losses, b.losses);
    assert.deepEqual(a.weights, b.weights);
  });

  test('saves standard tfjs files, reloads them, and resumes exactly from weights + optimizer state', async () => {
    const opts = { architecture: ARCH, loss: 'dice' as const, learningRate: 2e-3, seed: 3, workers: 1 };
    const a = await createTrainer(opts);
    const b = await createTrainer(opts);
    const modelDir = join(dir, 'model');
    try {
      const { x, y, w, n, size } = batch;
      for (let i = 0; i < 2; i++) await a.trainStep(x, y, w, n, size, size);
      await b.trainStep(x, y, null, n, size, size); // b now differs from a in weights, moments and step
      await a.saveModel(modelDir);
      assert.ok(existsSync(join(modelDir, 'model.json')) && existsSync(join(modelDir, 'weights.bin')));
      const state = await a.getOptimizerState();
      assert.equal(state.step, 2);

      await b.loadModel(modelDir);
      await b.setOptimizerState(state);
      assert.deepEqual(await b.predict(x, n, size, size), await a.predict(x, n, size, size));
      await a.trainStep(x, y, w, n, size, size);
      await b.trainStep(x, y, w, n, size, size);
      assert.deepEqual(await weightsOf(b), await weightsOf(a));

      const predictor = await createTfjsPredictor(modelDir);
      try {
        const fromFiles = await predictor.predict(x, n, size, size, 1);
        const b2 = await createTrainer(opts);
        try {
          await b2.loadModel(modelDir);
          const viaTrainer = await b2.predict(x, n, size, size);
          let worst = 0;
          fromFiles.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - viaTrainer[i]))));
          assert.ok(worst < 1e-5, `predictor vs trainer: ${worst}`);
        } finally {
          await b2.dispose();
        }
        await assert.rejects(predictor.predict(x, n, size, size, 3), /channels/);
      } finally {
        await predictor.dispose();
      }
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  test('bad input and worker-side failures reject with a message instead of hanging', async () => {
    const t = await createTrainer({
      architecture: ARCH,
      loss: 'bce',
      learningRate: 1e-3,
      seed: 1,
      workers: 2,
    });
    try {
      const { x, y, n, size } = batch;
      await assert.rejects(t.trainStep(x, y.subarray(1), null, n, size, size), /y holds/);
      await assert.rejects(
        t.trainStep(x.subarray(0, size * size), y.subarray(0, size * size), null, 1, size, size),
        /smaller than/,
      );
      const good = await t.getWeights();
      const bad = {
        specs: good.specs.map((s, i) => (i === 0 ? { ...s, shape: [1, 2, 3] } : s)),
        data: good.data,
      };
      await assert.rejects(t.setWeights(bad), /trainer worker \d: weights/);
      await assert.rejects(t.loadModel(join(dir, 'missing')), /model\.json/);
      // Still usable afterwards.
      assert.ok(Number.isFinite((await t.trainStep(x, y, null, n, size, size)).loss));
    } finally {
      await t.dispose();
    }
    await assert.rejects(t.predict(batch.x, batch.n, 32, 32), /disposed/);
    await assert.rejects(
      createTrainer({ architecture: { ...ARCH, depth: 0 }, loss: 'bce', learningRate: 1e-3, seed: 1 }),
      /depth/,
    );
  });
});
