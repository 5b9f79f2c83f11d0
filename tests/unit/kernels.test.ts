// The project's wasm kernels against the stock cpu backend (random inputs, several geometries), the convolution
// gradients also against finite differences of a float64 reference convolution, and a whole U-Net gradient.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf, useBackend, type BackendName, type Tensor } from '../../main/ml/tf.js';
import { convOutputSize, type ConvCase } from './conv-cases.js';
import { buildUNet } from '../../main/ml/model/model.js';
import { diceBceLoss } from '../../main/ml/train/losses.js';
import type { UNetConfig } from '../../main/ml/types.js';

/** Small deterministic generator (mulberry32), so failures reproduce. */
function randoms(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` on a backend with fresh tensors made from the same arrays; returns the values. */
async function on(backend: BackendName, fn: () => Tensor): Promise<Float32Array> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(fn);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return values.slice();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

async function compareWithCpu(name: string, fn: () => Tensor, tol = 1e-4): Promise<void> {
  const w = await on('wasm', fn);
  const c = await on('cpu', fn);
  const err = maxAbsDiff(w, c) / Math.max(1, maxAbs(c));
  assert.ok(err <= tol, `${name}: wasm vs cpu relative error ${err}`);
  assert.ok(maxAbs(c) > 0, `${name}: reference is all zeros, the comparison proves nothing`);
}

const CONV_CASES: ConvCase[] = [
  { n: 1, h: 7, w: 6, ci: 3, co: 4, k: 3, s: 1, pad: 'same' },
  { n: 3, h: 8, w: 8, ci: 2, co: 5, k: 3, s: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 3, co: 2, k: 3, s: 2, pad: 'same' },
  { n: 2, h: 9, w: 7, ci: 2, co: 3, k: 3, s: 2, pad: 'valid' },
  { n: 2, h: 8, w: 6, ci: 4, co: 3, k: 2, s: 2, pad: 'same' },
  { n: 3, h: 5, w: 5, ci: 3, co: 2, k: 1, s: 1, pad: 'valid' },
  { n: 2, h: 10, w: 10, ci: 2, co: 2, k: 5, s: 3, pad: 'same' },
];

describe('project wasm kernels vs cpu', () => {
  before(async () => {
    const { backend } = await initTf('wasm');
    assert.equal(backend, 'wasm');
  });

  for (const c of CONV_CASES) {
    const label = `${c.n}x${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.s} ${c.pad}`;
    test(`Conv2DBackpropFilter ${label}`, async () => {
      const { ho, wo } = convOutputSize(c);
      const xv = randoms(c.n * c.h * c.w * c.ci, 1);
      const dyv = randoms(c.n * ho * wo * c.co, 2);
      await compareWithCpu(
        label,
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]), dy: tf.tensor4d(dyv, [c.n, ho, wo, c.co]) },
              { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.ci, c.co] },
            ) as Tensor,
      );
    });

    test(`Conv2DBackpropInput ${label}`, async () => {
      const { ho, wo } = convOutputSize(c);
      const wv = randoms(c.k * c.k * c.ci * c.co, 3);
      const dyv = randoms(c.n * ho * wo * c.co, 4);
      await compareWithCpu(
        label,
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: tf.tensor4d(dyv, [c.n, ho, wo, c.co]), filter: tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]) },
              { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.ci] },
            ) as Tensor,
      );
    });
  }

  test('conv2dTranspose 2x2 stride 2 (the U-Net upsampling) forward and gradients', async () => {
    const xv = randoms(2 * 4 * 3 * 6, 5);
    const wv = randoms(2 * 2 * 4 * 6, 6);
    const rv = randoms(2 * 8 * 6 * 4, 7);
    const f = (): Tensor => {
      const x = tf.tensor4d(xv, [2, 4, 3, 6]);
      const w = tf.tensor4d(wv, [2, 2, 4, 6]);
      const r = tf.tensor4d(rv, [2, 8, 6, 4]);
      const loss = (a: Tensor, b: Tensor): Tensor =>
        tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 6, 4], 2, 'same'), r));
      const [gx, gw] = tf.grads(loss)([x, w]);
      const y = tf.conv2dTranspose(x, w, [2, 8, 6, 4], 2, 'same');
      return tf.concat([tf.reshape(y, [-1]), tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
    };
    await compareWithCpu('conv2dTranspose', f);
  });

  for (const [pool, stride, pad] of [
    [2, 2, 'valid'],
    [3, 2, 'same'],
    [3, 1, 'same'],
  ] as const) {
    test(`MaxPoolGrad pool ${pool} stride ${stride} ${pad}, all-negative and mixed inputs, batch 3`, async () => {
      for (const [lo, hi] of [
        [-5, -0.5],
        [-1, 1],
      ]) {
        const xv = randoms(3 * 7 * 8 * 2, 8, lo, hi);
        await compareWithCpu(
          `maxPool ${lo}..${hi}`,
          () => {
            const x = tf.tensor4d(xv, [3, 7, 8, 2]);
            const g = tf.grad((a: Tensor) => {
              const y = tf.maxPool(a as tf.Tensor4D, pool, stride, pad);
              return tf.sum(tf.mul(y, tf.add(tf.reshape(tf.range(0, y.size), y.shape), 1)));
            });
            return g(x);
          },
          1e-6,
        );
      }
    });
  }

  // The cpu kernel itself is wrong for batch > 1 (it indexes dy with the image's batch stride), so the reference
  // is the cpu gradient of each image alone, stacked.
  test('ResizeNearestNeighborGrad for batch > 1 (upsampling 2x and an odd ratio)', async () => {
    for (const [h, w, oh, ow] of [
      [4, 5, 8, 10],
      [5, 3, 7, 8],
    ]) {
      const n = 3;
      const xv = randoms(n * h * w * 2, 9);
      const grad = (x: Tensor): Tensor =>
        tf.grad((a: Tensor) => {
          const y = tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [oh, ow]);
          return tf.sum(tf.mul(y, tf.reshape(tf.range(0, y.size), y.shape)));
        })(x);
      const wasm = await on('wasm', () => grad(tf.tensor4d(xv, [n, h, w, 2])));
      const perImage: Float32Array[] = [];
      for (let b = 0; b < n; b++) {
        const one = xv.subarray(b * h * w * 2, (b + 1) * h * w * 2);
        // Image b alone, with dy offset as in the batch: the loss weights continue the batch's range.
        perImage.push(
          await on('cpu', () =>
            tf.grad((a: Tensor) => {
              const y = tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [oh, ow]);
              return tf.sum(tf.mul(y, tf.reshape(tf.range(b * y.size, (b + 1) * y.size), y.shape)));
            })(tf.tensor4d(one, [1, h, w, 2])),
          ),
        );
      }
      const ref = new Float32Array(wasm.length);
      perImage.forEach((p, b) => ref.set(p, b * p.length));
      assert.ok(maxAbsDiff(wasm, ref) <= 1e-6 * maxAbs(ref), `resize ${h}x${w}->${oh}x${ow}: wasm differs`);
    }
  });

  test('Tile for several ranks and repeat counts', async () => {
    const cases: [number[], number[]][] = [
      [
        [1, 1, 1, 3],
        [2, 4, 5, 1],
      ],
      [
        [2, 3],
        [3, 2],
      ],
      [[4], [3]],
      [
        [2, 1, 3],
        [1, 4, 2],
      ],
    ];
    for (const [shape, reps] of cases) {
      const v = randoms(size(shape), 10);
      await compareWithCpu(`tile ${shape} x ${reps}`, () => tf.tile(tf.tensor(v, shape), reps), 0);
    }
  });
});

/** Float64 reference: L = sum(conv2d(x, w) * r) for 'same'/'valid' padding and any stride. */
function refConvLoss(
  x: Float64Array,
  w: Float64Array,
  r: Float64Array,
  c: ConvCase,
  ho: number,
  wo: number,
): number {
  const info = tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.ci],
    [c.k, c.k, c.ci, c.co],
    c.s,
    1,
    c.pad,
  );
  const { top, left } = info.padInfo;
  let loss = 0;
  for (let b = 0; b < c.n; b++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        for (let o = 0; o < c.co; o++) {
          let acc = 0;
          for (let p = 0; p < c.k; p++) {
            const ih = i * c.s + p - top;
            if (ih < 0 || ih >= c.h) continue;
            for (let q = 0; q < c.k; q++) {
              const iw = j * c.s + q - left;
              if (iw < 0 || iw >= c.w) continue;
              for (let k = 0; k < c.ci; k++) {
                acc += x[((b * c.h + ih) * c.w + iw) * c.ci + k] * w[((p * c.k + q) * c.ci + k) * c.co + o];
              }
            }
          }
          loss += acc * r[((b * ho + i) * wo + j) * c.co + o];
        }
      }
    }
  }
  return loss;
}

describe('conv gradients vs finite differences', () => {
  before(async () => {
    await initTf('wasm');
    await useBackend('wasm');
  });

  for (const c of [CONV_CASES[0], CONV_CASES[2], CONV_CASES[3], CONV_CASES[4]]) {
    test(`dL/dW and dL/dx ${c.k}x${c.k} stride ${c.s} ${c.pad}`, () => {
      const { ho, wo } = convOutputSize(c);
      const xv = randoms(c.n * c.h * c.w * c.ci, 11);
      const wv = randoms(c.k * c.k * c.ci * c.co, 12);
      const rv = randoms(c.n * ho * wo * c.co, 13);
      const gW = tf.tidy(() =>
        (
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]), dy: tf.tensor4d(rv, [c.n, ho, wo, c.co]) },
              { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.ci, c.co] },
            ) as Tensor
        ).dataSync(),
      );
      const gX = tf.tidy(() =>
        (
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: tf.tensor4d(rv, [c.n, ho, wo, c.co]), filter: tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]) },
              { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.ci] },
            ) as Tensor
        ).dataSync(),
      );
      const x = Float64Array.from(xv);
      const w = Float64Array.from(wv);
      const r = Float64Array.from(rv);
      const eps = 1e-3;
      const numeric = (arr: Float64Array, i: number): number => {
        const keep = arr[i];
        arr[i] = keep + eps;
        const up = refConvLoss(x, w, r, c, ho, wo);
        arr[i] = keep - eps;
        const down = refConvLoss(x, w, r, c, ho, wo);
        arr[i] = keep;
        return (up - down) / (2 * eps);
      };
      // Every filter tap, and a spread of input pixels including borders.
      for (let i = 0; i < w.length; i++) {
        assert.ok(
          Math.abs(numeric(w, i) - gW[i]) < 1e-3,
          `dW[${i}]: numeric ${numeric(w, i)} vs kernel ${gW[i]}`,
        );
      }
      for (let i = 0; i < x.length; i += Math.max(1, Math.floor(x.length / 40))) {
        assert.ok(
          Math.abs(numeric(x, i) - gX[i]) < 1e-3,
          `dx[${i}]: numeric ${numeric(x, i)} vs kernel ${gX[i]}`,
        );
      }
    });
  }
});

describe('whole U-Net gradient, wasm (project kernels, fused batch norm) vs cpu (stock)', () => {
  const arch: UNetConfig = {
    kind: 'unet',
    inputChannels: 1,
    depth: 2,
    baseFilters: 4,
    convsPerLevel: 2,
    batchNorm: true,
    dropout: 0,
    upsampling: 'transpose',
    residual: false,
  };

  async function gradients(
    backend: BackendName,
    a: UNetConfig,
    n: number,
  ): Promise<{ loss: number; grads: Float32Array[]; stats: Float32Array[] }> {
    await useBackend(backend);
    const model = buildUNet(a, 7);
    const xv = randoms(n * 16 * 16, 21);
    const yv = randoms(n * 16 * 16, 22, 0, 1).map((v) => (v > 0.7 ? 1 : 0));
    const before = tf.memory().numTensors;
    const { loss, grads } = tf.tidy(() => {
      const x = tf.tensor4d(xv, [n, 16, 16, 1]);
      const y = tf.tensor4d(yv, [n, 16, 16, 1]);
      const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => diceBceLoss(y, model.apply(x, { training: true }) as Tensor, null),
        vars,
      );
      return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
    });
    assert.equal(tf.memory().numTensors, before, `${backend}: a training step leaked tensors`);
    const stats = model.nonTrainableWeights.map((v) => v.read().dataSync() as Float32Array);
    model.dispose();
    return { loss, grads, stats };
  }

  // Nearest upsampling runs at batch 1: the cpu reference's ResizeNearestNeighborGrad is wrong for batch > 1.
  for (const [upsampling, n] of [
    ['transpose', 3],
    ['nearest', 1],
  ] as const) {
    test(`depth 2, base 4, 16x16, batch ${n}, ${upsampling} upsampling`, async () => {
      const a = { ...arch, upsampling, residual: upsampling === 'nearest' };
      const w = await gradients('wasm', a, n);
      const c = await gradients('cpu', a, n);
      assert.ok(Math.abs(w.loss - c.loss) < 1e-5 * Math.abs(c.loss), `loss ${w.loss} vs ${c.loss}`);
      let worst = 0;
      c.grads.forEach((g, i) => {
        worst = Math.max(worst, maxAbsDiff(w.grads[i], g) / Math.max(1e-8, maxAbs(g)));
      });
      assert.ok(worst < 1e-4, `worst relative gradient error ${worst}`);
      c.stats.forEach((s, i) => assert.ok(maxAbsDiff(w.stats[i], s) < 1e-5, `moving statistics ${i} differ`));
    });
  }
});
