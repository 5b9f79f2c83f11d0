// Training-mode batch normalisation in two fused passes. Stock tfjs builds it from moments + batchNorm, whose
// gradient is ~20 full-size tensor ops per layer (tile, sums over leading axes that transpose first, ...);
// on wasm that cost more than the convolutions. Here: one kernel forward, one kernel backward, JS loops over
// channel-last data, float64 accumulators (the same loops in native code when the addon is built). The BatchNormalization layer class is patched to use it only while
// training on wasm with channel-last input; the layer and its saved form stay the stock ones.
import { tf, tfl, type BackendWasm, type Tensor, type TensorInfo } from '../tf-packages.js';
import { nativeKernels } from './native-addon.js';
import { heapBuffer, heapF32, heapOffset, type Attrs } from './wasm-backend.js';

export const BN_MOMENTS = 'RetinaMoments';
export const BN_NORMALIZE = 'RetinaBatchNormalize';
export const BN_TRAIN_GRAD = 'RetinaBatchNormTrainGrad';

type KernelParams = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Attrs };

function channels(x: TensorInfo): number {
  return x.shape[x.shape.length - 1];
}

/** Per-channel batch mean and (biased) variance over all leading axes; outputs [mean, variance]. */
function moments({ inputs, backend }: KernelParams): TensorInfo[] {
  const b = backend as BackendWasm;
  const { x } = inputs;
  const c = channels(x);
  const rows = x.shape.reduce((a, d) => a * d, 1) / c;
  const meanOut = b.makeOutput([c], 'float32');
  const varOut = b.makeOutput([c], 'float32');
  const addon = nativeKernels();
  if (addon && rows > 0 && c > 0) {
    const off = (t: TensorInfo): number => heapOffset(b, t);
    addon.bnMoments(heapBuffer(b), off(x), rows, c, off(meanOut), off(varOut));
    return [meanOut, varOut];
  }
  const xs = heapF32(b, x);
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) {
      const v = xs[i];
      sum[k] += v;
      sq[k] += v * v;
    }
  }
  const mean = heapF32(b, meanOut);
  const variance = heapF32(b, varOut);
  for (let k = 0; k < c; k++) {
    const m = sum[k] / rows;
    mean[k] = m;
    variance[k] = Math.max(0, sq[k] / rows - m * m);
  }
  return [meanOut, varOut];
}

/** y = (x - mean) / sqrt(var + eps) * gamma + beta, per channel. */
function normalize({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const b = backend as BackendWasm;
  const { x, mean, variance, gamma, beta } = inputs;
  const eps = (attrs as { epsilon: number }).epsilon;
  const c = channels(x);
  const y = b.makeOutput(x.shape, 'float32');
  const addon = nativeKernels();
  const rowCount = x.shape.reduce((a, d) => a * d, 1) / c;
  if (addon && rowCount > 0 && c > 0) {
    const off = (t: TensorInfo): number => heapOffset(b, t);
    addon.bnNormalize(
      heapBuffer(b),
      off(x),
      rowCount,
      c,
      off(mean),
      off(variance),
      off(gamma),
      off(beta),
      eps,
      off(y),
    );
    return y;
  }
  const xs = heapF32(b, x);
  const ys = heapF32(b, y);
  const mu = heapF32(b, mean);
  const va = heapF32(b, variance);
  const g = heapF32(b, gamma);
  const be = heapF32(b, beta);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = g[k] / Math.sqrt(va[k] + eps);
    shift[k] = be[k] - mu[k] * scale[k];
  }
  const rows = xs.length / c;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) ys[i] = xs[i] * scale[k] + shift[k];
  }
  return y;
}

/** Gradients of the above w.r.t. x, gamma, beta (mean and variance depend on x: the full batch-norm backward). */
function batchNormTrainGrad({ inputs, backend, attrs }: KernelParams): TensorInfo[] {
  const b = backend as BackendWasm;
  const { dy, x, mean, variance, gamma } = inputs;
  const eps = (attrs as { epsilon: number }).epsilon;
  const c = channels(x);
  const rows = x.shape.reduce((a, d) => a * d, 1) / c;
  const dx = b.makeOutput(x.shape, 'float32');
  const dgOut = b.makeOutput([c], 'float32');
  const dbOut = b.makeOutput([c], 'float32');
  const addon = nativeKernels();
  if (addon && rows > 0 && c > 0) {
    const off = (t: TensorInfo): number => heapOffset(b, t);
    addon.bnTrainGrad(
      heapBuffer(b),
      off(dy),
      off(x),
      rows,
      c,
      off(mean),
      off(variance),
      off(gamma),
      eps,
      off(dx),
      off(dgOut),
      off(dbOut),
    );
    return [dx, dgOut, dbOut];
  }
  const xs = heapF32(b, x);
  const gs = heapF32(b, dy);
  const dxs = heapF32(b, dx);
  const mu = heapF32(b, mean);
  const va = heapF32(b, variance);
  const ga = heapF32(b, gamma);
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) {
      const d = gs[i];
      sumDy[k] += d;
      sumDyX[k] += d * xs[i];
    }
  }
  const dgamma = heapF32(b, dgOut);
  const dbeta = heapF32(b, dbOut);
  // dx = gamma*inv * (dy - mean(dy) - xhat * mean(dy*xhat)) = a*dy + bx*x + c0 per channel.
  const a = new Float32Array(c);
  const bx = new Float32Array(c);
  const c0 = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const inv = 1 / Math.sqrt(va[k] + eps);
    const sDyXhat = (sumDyX[k] - mu[k] * sumDy[k]) * inv; // sum(dy * xhat)
    dbeta[k] = sumDy[k];
    dgamma[k] = sDyXhat;
    const gi = ga[k] * inv;
    const mDy = sumDy[k] / rows;
    const mDyXhat = sDyXhat / rows;
    a[k] = gi;
    bx[k] = -gi * mDyXhat * inv;
    c0[k] = -gi * mDy + gi * mDyXhat * inv * mu[k];
  }
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) dxs[i] = a[k] * gs[i] + bx[k] * xs[i] + c0[k];
  }
  return [dx, dgOut, dbOut];
}

export const batchNormKernelConfigs = [
  { kernelName: BN_MOMENTS, backendName: 'wasm', kernelFunc: moments },
  { kernelName: BN_NORMALIZE, backendName: 'wasm', kernelFunc: normalize },
  { kernelName: BN_TRAIN_GRAD, backendName: 'wasm', kernelFunc: batchNormTrainGrad },
];

/**
 * Training-mode batch norm over the last axis; returns the output and the (biased) batch statistics. The
 * statistics are computed outside the custom-gradient op (nothing differentiates through them directly); the
 * backward kernel accounts for their dependence on x.
 */
export function batchNormTraining(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  epsilon: number,
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const [mean, variance] = tf.engine().runKernel(BN_MOMENTS, { x }, {}) as Tensor[];
  type Forward = (
    x: Tensor,
    g: Tensor,
    b: Tensor,
    save: tf.GradSaveFunc,
  ) => { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor[] };
  const forward: Forward = (xIn, gIn, bIn, save) => {
    save([xIn, mean, variance, gIn]);
    const value = tf
      .engine()
      .runKernel(BN_NORMALIZE, { x: xIn, mean, variance, gamma: gIn, beta: bIn }, { epsilon }) as Tensor;
    return {
      value,
      gradFunc: (dy, saved) => {
        const [xs, m, v, g] = saved;
        return tf
          .engine()
          .runKernel(BN_TRAIN_GRAD, { dy, x: xs, mean: m, variance: v, gamma: g }, { epsilon }) as Tensor[];
      },
    };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    x: Tensor,
    g: Tensor,
    b: Tensor,
  ) => Tensor;
  return { y: op(x, gamma, beta), mean, variance };
}

interface BatchNormLayerFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): Tensor };
  beta: { read(): Tensor };
  movingMean: { read(): Tensor; write(t: Tensor): void };
  movingVariance: { read(): Tensor; write(t: Tensor): void };
}

type LayerCall = (
  this: BatchNormLayerFields,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>,
) => Tensor;

let patched = false;

/** Routes BatchNormalization's training-mode call through the fused kernels when running on wasm. */
export function patchBatchNormalizationLayer(): void {
  if (patched) return;
  const proto = Object.getPrototypeOf(tfl.layers.batchNormalization({})) as { call: LayerCall };
  const original = proto.call;
  proto.call = function (this: BatchNormLayerFields, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const rank = input.shape.length;
    const lastAxis = this.axis === -1 || this.axis === rank - 1;
    if (
      kwargs['training'] !== true ||
      tf.getBackend() !== 'wasm' ||
      !lastAxis ||
      !this.center ||
      !this.scale
    ) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(
        input,
        this.gamma.read(),
        this.beta.read(),
        this.epsilon,
      );
      // Same moving-average update as the stock layer: moving -= (moving - batch) * (1 - momentum).
      const decay = 1 - this.momentum;
      const mm = this.movingMean.read();
      this.movingMean.write(tf.sub(mm, tf.mul(tf.sub(mm, mean), decay)));
      const mv = this.movingVariance.read();
      this.movingVariance.write(tf.sub(mv, tf.mul(tf.sub(mv, variance), decay)));
      return y;
    });
  };
  patched = true;
}
