// The native training kernels (native/, registered on the wasm backend) against the stock cpu backend: every
// instruction-set path this CPU can run, random shapes (batch 1 and > 1, channel counts 1/3/8/16/17/32, odd sizes,
// strides 1 and 2), the transposed 2x2 convolution, batch norm, concat/split, max-pool gradient, and a whole U-Net
// gradient. Skipped, saying why, only when the addon has not been built outside CI; with CI=true that fails.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf, useBackend, type BackendName, type Tensor } from '../../main/ml/tf.js';
import { convOutputSize, type ConvCase } from './conv-cases.js';
import {
  nativeKernels,
  nativeUnavailableReason,
  type NativeIsa,
} from '../../main/ml/kernels/native-addon.js';
import { nativeConvKernelsActive } from '../../main/ml/kernels/native-conv.js';
import { batchNormTraining } from '../../main/ml/kernels/batch-norm.js';
import { buildUNet } from '../../main/ml/model/model.js';
import { diceBceLoss } from '../../main/ml/train/losses.js';
import type { UNetConfig } from '../../main/ml/types.js';

const addon = nativeKernels();
// The default model was trained with these kernels: in CI (CI=true) an addon that did not build is a failure.
const skip =
  addon || process.env.CI === 'true' ? false : `native kernels unavailable: ${nativeUnavailableReason()}`;

test('the native addon is built (required in CI)', { skip: process.env.CI !== 'true' && 'not CI' }, () => {
  assert.ok(addon, `native kernels unavailable in CI: ${nativeUnavailableReason()}`);
});
const isas: NativeIsa[] = addon ? addon.availableIsas() : [];

/** mulberry32: deterministic, so a failure reproduces. */
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

async function on(backend: BackendName, fn: () => Tensor | Tensor[]): Promise<Float32Array> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const values = tf.tidy(() => {
    const out = fn();
    const list = Array.isArray(out) ? out : [out];
    return tf.concat(list.map((t) => tf.reshape(t, [-1])));
  });
  const data = (values.dataSync() as Float32Array).slice();
  values.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return data;
}

function relativeError(a: Float32Array, ref: Float32Array): number {
  assert.equal(a.length, ref.length, 'result sizes differ');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  assert.ok(scale > 0, 'the reference is all zeros: the comparison would prove nothing');
  return diff / scale;
}

async function compareWithCpu(label: string, fn: () => Tensor | Tensor[], tol = 1e-4): Promise<void> {
  const native = await on('wasm', fn);
  const ref = await on('cpu', fn);
  const err = relativeError(native, ref);
  assert.ok(err <= tol, `${label}: native vs cpu relative error ${err.toExponential(2)}`);
}

// Wide rows (>= 24 columns) take the in-place path of the forward convolution, narrow ones the im2col path.
const CONV_CASES: ConvCase[] = [
  { n: 1, h: 7, w: 9, ci: 1, co: 16, k: 3, s: 1, pad: 'same' },
  { n: 3, h: 5, w: 31, ci: 3, co: 17, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 9, w: 7, ci: 8, co: 32, k: 3, s: 1, pad: 'valid' },
  { n: 2, h: 6, w: 27, ci: 16, co: 16, k: 3, s: 1, pad: 'same' },
  { n: 1, h: 5, w: 5, ci: 17, co: 8, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 4, w: 6, ci: 32, co: 3, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 9, w: 11, ci: 3, co: 8, k: 3, s: 2, pad: 'same' },
  { n: 3, h: 8, w: 7, ci: 16, co: 17, k: 3, s: 2, pad: 'valid' },
  { n: 2, h: 8, w: 10, ci: 17, co: 32, k: 2, s: 2, pad: 'same' },
  { n: 2, h: 7, w: 29, ci: 32, co: 1, k: 1, s: 1, pad: 'same' },
  { n: 1, h: 5, w: 3, ci: 8, co: 16, k: 1, s: 1, pad: 'valid' },
];

function label(c: ConvCase): string {
  return `${c.n}x${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.s} ${c.pad}`;
}

describe('native kernels vs the cpu backend', { skip }, () => {
  before(async () => {
    const { backend } = await initTf('wasm');
    assert.equal(backend, 'wasm');
    assert.ok(nativeConvKernelsActive(), 'the addon loaded but its kernels are not registered on wasm');
  });
  after(() => addon?.useIsa('auto'));

  for (const isa of isas) {
    describe(`${isa} path`, () => {
      before(() => addon?.useIsa(isa));

      for (const c of CONV_CASES) {
        test(`conv2d forward (plain, and fused with bias + relu) ${label(c)}`, async () => {
          const x = randoms(c.n * c.h * c.w * c.ci, 1);
          const w = randoms(c.k * c.k * c.ci * c.co, 2);
          const b = randoms(c.co, 3);
          await compareWithCpu(label(c), () => {
            const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
            const wt = tf.tensor4d(w, [c.k, c.k, c.ci, c.co]);
            return [
              tf.conv2d(xt, wt, c.s, c.pad),
              tf.fused.conv2d({
                x: xt,
                filter: wt,
                strides: c.s,
                pad: c.pad,
                bias: tf.tensor1d(b),
                activation: 'relu',
              }),
            ];
          });
        });

        test(`conv2d input and filter gradients ${label(c)}`, async () => {
          const { ho, wo } = convOutputSize(c);
          const x = randoms(c.n * c.h * c.w * c.ci, 4);
          const w = randoms(c.k * c.k * c.ci * c.co, 5);
          const dy = randoms(c.n * ho * wo * c.co, 6);
          await compareWithCpu(label(c), () => {
            const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC' };
            const dyt = tf.tensor4d(dy, [c.n, ho, wo, c.co]);
            const dx = tf
              .engine()
              .runKernel(
                'Conv2DBackpropInput',
                { dy: dyt, filter: tf.tensor4d(w, [c.k, c.k, c.ci, c.co]) },
                { ...attrs, inputShape: [c.n, c.h, c.w, c.ci] },
              ) as Tensor;
            const dw = tf
              .engine()
              .runKernel(
                'Conv2DBackpropFilter',
                { x: tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), dy: dyt },
                { ...attrs, filterShape: [c.k, c.k, c.ci, c.co] },
              ) as Tensor;
            return [dx, dw];
          });
        });
      }

      test('conv2dTranspose 2x2 stride 2 (the U-Net upsampling): forward and both gradients', async () => {
        for (const [n, h, w, ci, co] of [
          [1, 3, 5, 16, 8],
          [3, 4, 13, 17, 32],
        ]) {
          const x = randoms(n * h * w * ci, 7);
          const k = randoms(2 * 2 * co * ci, 8);
          const r = randoms(n * 2 * h * 2 * w * co, 9);
          await compareWithCpu(`transpose ${n}x${h}x${w}x${ci}->${co}`, () => {
            const shape: [number, number, number, number] = [n, 2 * h, 2 * w, co];
            const f = (a: Tensor, b: Tensor): Tensor =>
              tf.sum(
                tf.mul(
                  tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, shape, 2, 'same'),
                  tf.tensor4d(r, shape),
                ),
              );
            const xt = tf.tensor4d(x, [n, h, w, ci]);
            const kt = tf.tensor4d(k, [2, 2, co, ci]);
            return [tf.conv2dTranspose(xt, kt, shape, 2, 'same'), ...tf.grads(f)([xt, kt])];
          });
        }
      });

      test('training batch norm: output and gradients w.r.t. x, gamma, beta (3 and 17 channels)', async () => {
        for (const [rows, ch] of [
          [2 * 5 * 7, 3],
          [3 * 9 * 4, 17],
        ]) {
          const x = randoms(rows * ch, 10, -2, 3);
          const g = randoms(ch, 11, 0.5, 1.5);
          const b = randoms(ch, 12);
          const r = randoms(rows * ch, 13);
          const run = (wasm: boolean) => (): Tensor[] => {
            const xt = tf.tensor4d(x, [1, rows, 1, ch]);
            const norm = (a: Tensor, gamma: Tensor, beta: Tensor): Tensor => {
              if (wasm) return batchNormTraining(a, gamma, beta, 1e-3).y;
              const { mean, variance } = tf.moments(a, [0, 1, 2]);
              return tf.batchNorm(a, mean, variance, beta, gamma, 1e-3);
            };
            const weights = tf.tensor4d(r, [1, rows, 1, ch]);
            const f = (a: Tensor, gamma: Tensor, beta: Tensor): Tensor =>
              tf.sum(tf.mul(norm(a, gamma, beta), weights));
            const inputs = [xt, tf.tensor1d(g), tf.tensor1d(b)];
            return [norm(inputs[0], inputs[1], inputs[2]), ...tf.grads(f)(inputs)];
          };
          const native = await on('wasm', run(true));
          const ref = await on('cpu', run(false));
          const err = relativeError(native, ref);
          assert.ok(err <= 1e-4, `batch norm ${rows}x${ch}: relative error ${err.toExponential(2)}`);
        }
      });
    });
  }

  test('concat and split along every axis, and the max-pool gradient', async () => {
    addon?.useIsa('auto');
    const a = randoms(2 * 3 * 5 * 4, 14);
    const b = randoms(2 * 3 * 5 * 7, 15);
    for (const axis of [0, 1, 2, 3]) {
      await compareWithCpu(
        `concat/split axis ${axis}`,
        () => {
          const shapeB: [number, number, number, number] = [2, 3, 5, 4];
          shapeB[axis] = axis === 3 ? 7 : shapeB[axis] + 1;
          const ta = tf.tensor4d(a, [2, 3, 5, 4]);
          const tb = tf.tensor4d(
            b.subarray(
              0,
              shapeB.reduce((p, d) => p * d, 1),
            ),
            shapeB,
          );
          const joined = tf.concat([ta, tb, ta], axis);
          return [joined, ...tf.split(joined, [ta.shape[axis], tb.shape[axis], ta.shape[axis]], axis)];
        },
        0,
      );
    }
    const x = randoms(3 * 9 * 8 * 5, 16);
    await compareWithCpu(
      'maxPool gradient',
      () =>
        tf.grad((t: Tensor) => {
          const y = tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid');
          return tf.sum(tf.mul(y, tf.reshape(tf.range(1, y.size + 1), y.shape)));
        })(tf.tensor4d(x, [3, 9, 8, 5])),
      1e-6,
    );
  });

  test('out-of-heap offsets and bad geometry are refused with an Error, memory untouched', async () => {
    assert.ok(addon);
    await useBackend('wasm');
    const heap = new ArrayBuffer(1024);
    const geometry: Parameters<typeof addon.conv2d>[1] = [1, 4, 4, 2, 3, 3, 2, 1, 1, 1, 1, 1, 1, 4, 4];
    assert.throws(() => addon.conv2d(heap, geometry, 0, 0, -1, 2048, false), /output lies outside the heap/);
    assert.throws(() => addon.conv2d(heap, geometry, 2, 0, -1, 0, false), /x lies outside the heap/);
    const bad: Parameters<typeof addon.conv2d>[1] = [1, 4, 4, 2, 3, 3, 2, 0, 1, 1, 1, 1, 1, 4, 4];
    assert.throws(() => addon.conv2d(heap, bad, 0, 0, -1, 0, false), /invalid convolution geometry/);
  });

  describe('whole U-Net gradient (native kernels) vs cpu', () => {
    before(() => addon?.useIsa('auto'));
    const arch: UNetConfig = {
      kind: 'unet',
      inputChannels: 1,
      depth: 2,
      baseFilters: 8,
      convsPerLevel: 2,
      batchNorm: true,
      dropout: 0,
      upsampling: 'transpose',
      residual: false,
    };

    async function gradients(
      backend: BackendName,
      n: number,
    ): Promise<{ loss: number; grads: Float32Array[] }> {
      await useBackend(backend);
      const model = buildUNet(arch, 5);
      const xv = randoms(n * 20 * 28, 21);
      const yv = randoms(n * 20 * 28, 22, 0, 1).map((v) => (v > 0.7 ? 1 : 0));
      const out = tf.tidy(() => {
        const x = tf.tensor4d(xv, [n, 20, 28, 1]);
        const y = tf.tensor4d(yv, [n, 20, 28, 1]);
        const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(
          () => diceBceLoss(y, model.apply(x, { training: true }) as Tensor, null),
          vars,
        );
        return {
          loss: value.dataSync()[0],
          grads: vars.map((v) => grads[v.name].dataSync() as Float32Array),
        };
      });
      model.dispose();
      return out;
    }

    for (const n of [1, 3]) {
      test(`depth 2, base 8, 20x28, batch ${n}: loss and every weight gradient`, async () => {
        const w = await gradients('wasm', n);
        const c = await gradients('cpu', n);
        assert.ok(Math.abs(w.loss - c.loss) < 1e-5 * Math.abs(c.loss), `loss ${w.loss} vs ${c.loss}`);
        c.grads.forEach((g, i) => {
          const err = relativeError(w.grads[i], g);
          assert.ok(err < 1e-4, `gradient ${i}: relative error ${err.toExponential(2)}`);
        });
      });
    }
  });
});
