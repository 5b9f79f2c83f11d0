// U-Net builder (layer vocabulary, names, parameter counts, any input size) and the segmentation losses.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf, type Tensor } from '../../main/ml/tf.js';
import { buildUNet, countParameters, REFERENCE_UNET } from '../../main/ml/model/model.js';
import { InvalidArchitectureError } from '../../main/ml/model/unet-config.js';
import { bceLoss, diceBceLoss, diceLoss, lossFunction } from '../../main/ml/train/losses.js';
import type { UNetConfig } from '../../main/ml/types.js';

const ALLOWED_LAYERS = new Set([
  'InputLayer',
  'Conv2D',
  'BatchNormalization',
  'Activation',
  'MaxPooling2D',
  'Dropout',
  'Conv2DTranspose',
  'UpSampling2D',
  'Concatenate',
  'Add',
]);

const SMALL: UNetConfig = { ...REFERENCE_UNET, depth: 2, baseFilters: 4 };

describe('buildUNet', () => {
  before(async () => {
    await initTf('wasm');
  });

  test('the reference U-Net has ~1.95M parameters and countParameters agrees with tfjs', () => {
    const model = buildUNet(REFERENCE_UNET, 1);
    try {
      assert.equal(countParameters(REFERENCE_UNET), model.countParams());
      assert.ok(
        model.countParams() > 1.9e6 && model.countParams() < 2.0e6,
        `${model.countParams()} parameters`,
      );
    } finally {
      model.dispose();
    }
  });

  const variants: UNetConfig[] = [
    { ...SMALL, residual: true },
    { ...SMALL, upsampling: 'nearest' },
    { ...SMALL, batchNorm: false, dropout: 0 },
    { ...SMALL, depth: 3, convsPerLevel: 1, inputChannels: 3 },
  ];
  for (const cfg of variants) {
    test(`countParameters matches tfjs for ${JSON.stringify(cfg)}`, () => {
      const model = buildUNet(cfg, 2);
      try {
        assert.equal(countParameters(cfg), model.countParams());
      } finally {
        model.dispose();
      }
    });
  }

  test('uses only stock layer classes with unique, readable names', () => {
    for (const cfg of [REFERENCE_UNET, { ...SMALL, upsampling: 'nearest' as const, residual: true }]) {
      const model = buildUNet(cfg, 3);
      try {
        const names = model.layers.map((l) => l.name);
        assert.equal(new Set(names).size, names.length);
        for (const layer of model.layers) {
          assert.ok(ALLOWED_LAYERS.has(layer.getClassName()), `${layer.name}: ${layer.getClassName()}`);
          assert.match(layer.name, /^(image|enc\d+_|bottleneck_|dec\d+_|output_)/);
        }
        assert.equal(model.layers.at(-1)?.name, 'output_sigmoid');
      } finally {
        model.dispose();
      }
    }
  });

  test('one model runs on patches and on larger, non-square tiles (multiples of 2^depth)', () => {
    const model = buildUNet(SMALL, 4);
    try {
      for (const [n, h, w] of [
        [2, 16, 16],
        [1, 32, 48],
      ]) {
        const out = tf.tidy(() => model.predict(tf.randomNormal([n, h, w, 1])) as Tensor);
        assert.deepEqual(out.shape, [n, h, w, 1]);
        const v = out.dataSync();
        assert.ok(v.every((p) => p >= 0 && p <= 1 && Number.isFinite(p)));
        out.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  test('the same seed gives the same weights, another seed different ones', () => {
    const a = buildUNet(SMALL, 5);
    const b = buildUNet(SMALL, 5);
    const c = buildUNet(SMALL, 6);
    try {
      const first = (m: typeof a): Float32Array => m.getWeights()[0].dataSync() as Float32Array;
      assert.deepEqual(first(a), first(b));
      assert.notDeepEqual(first(a), first(c));
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  test('rejects invalid architectures with a one-line error', () => {
    assert.throws(() => buildUNet({ ...SMALL, depth: 0 }), InvalidArchitectureError);
    assert.throws(() => buildUNet({ ...SMALL, dropout: 1 }), /dropout/);
    assert.throws(() => countParameters({ ...SMALL, baseFilters: 1.5 }), /baseFilters/);
  });
});

describe('losses', () => {
  before(async () => {
    await initTf('wasm');
  });

  const y = [1, 0, 1, 0, 0, 1];
  const p = [0.9, 0.2, 0.6, 0.1, 0.4, 0.7];
  const w = [1, 1, 0, 1, 0, 1];
  const t = (v: number[]): Tensor => tf.tensor4d(v, [1, 2, 3, 1]);
  const value = (s: tf.Scalar): number => {
    const v = s.dataSync()[0];
    s.dispose();
    return v;
  };

  function refBce(weights: number[] | null): number {
    let s = 0;
    let ws = 0;
    y.forEach((yi, i) => {
      const wi = weights ? weights[i] : 1;
      s += -wi * (yi * Math.log(p[i]) + (1 - yi) * Math.log(1 - p[i]));
      ws += wi;
    });
    return s / ws;
  }

  function refDice(weights: number[] | null): number {
    let inter = 0;
    let sp = 0;
    let sy = 0;
    y.forEach((yi, i) => {
      const wi = weights ? weights[i] : 1;
      inter += wi * p[i] * yi;
      sp += wi * p[i];
      sy += wi * yi;
    });
    return 1 - (2 * inter + 1) / (sp + sy + 1);
  }

  test('bce and soft dice match their definitions, with and without a weight map', () => {
    for (const weights of [null, w]) {
      const wt = weights ? t(weights) : null;
      assert.ok(Math.abs(value(bceLoss(t(y), t(p), wt)) - refBce(weights)) < 1e-5);
      assert.ok(Math.abs(value(diceLoss(t(y), t(p), wt)) - refDice(weights)) < 1e-5);
      assert.ok(Math.abs(value(diceBceLoss(t(y), t(p), wt)) - refBce(weights) - refDice(weights)) < 1e-5);
    }
  });

  test('pixels outside the weight map do not count', () => {
    for (const name of ['bce', 'dice', 'dice+bce'] as const) {
      const fn = lossFunction(name);
      const changed = p.map((v, i) => (w[i] === 0 ? 1 - v : v));
      const a = value(fn(t(y), t(p), t(w)));
      const b = value(fn(t(y), t(changed), t(w)));
      assert.ok(Math.abs(a - b) < 1e-6, `${name}: ${a} vs ${b}`);
    }
  });

  test('saturated predictions stay finite and a perfect one scores near zero', () => {
    const hard = y.map((v) => 1 - v);
    for (const name of ['bce', 'dice', 'dice+bce'] as const) {
      const fn = lossFunction(name);
      assert.ok(Number.isFinite(value(fn(t(y), t(hard), null))), `${name} on a saturated wrong prediction`);
      assert.ok(value(fn(t(y), t(y), null)) < 1e-4, `${name} on a perfect prediction`);
      assert.ok(
        Number.isFinite(value(fn(t(y), t(p), t([0, 0, 0, 0, 0, 0])))),
        `${name} with an empty weight map`,
      );
    }
    assert.throws(() => lossFunction('l2' as never), /unknown loss/);
  });
});
