// The uncertainty head: a one-hidden-layer perceptron that maps a pixel's error features to the probability that
// the binary mask is wrong there. Fitted on the model's validation images (never its training images, where it
// is overconfident) and stored in the manifest. A perceptron rather than a logistic regression because the
// features interact (a faint ridge matters far from the mask edge, not beside it): on the generalist model's
// validation images it raised the pooled AUROC from 0.938 to 0.941 and halved the expected-F1 error.
import { Rng } from '../rng.js';
import { sigmoid } from '../log-odds.js';
import { ERROR_FEATURES, featuresAt, type FeatureMaps } from './error-features.js';

export interface ErrorHead {
  method: 'error-mlp';
  features: string[];
  /** Standardisation of each feature (fitted with the weights). */
  mean: number[];
  std: number[];
  hidden: number;
  /** features x hidden, row-major. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
}

export interface PixelSamples {
  /** Row-major: sample s, feature k at s * K + k. */
  x: Float32Array;
  /** 1 where the mask was wrong. */
  y: Uint8Array;
}

/** The features applyHead's loop reads; a type error here when ERROR_FEATURES changes length. */
const FEATURE_COUNT: (typeof ERROR_FEATURES)['length'] = 9;

/** Rejects a head fitted on other features: its weights would be applied to the wrong inputs. */
export function checkHead(head: ErrorHead): void {
  const want = ERROR_FEATURES.join(',');
  if (head.features.join(',') !== want) {
    throw new Error(
      `uncertainty head expects features [${head.features.join(', ')}], this engine computes [${want}]`,
    );
  }
  const k = head.features.length;
  if (
    head.w1.length !== k * head.hidden ||
    head.b1.length !== head.hidden ||
    head.w2.length !== head.hidden
  ) {
    throw new Error('uncertainty head: weight shapes do not match its feature and hidden sizes');
  }
}

/**
 * The head with its standardisation folded into the first layer, in typed arrays, the first layer's weights
 * hidden-unit-major (unit j's weights for the features at j * K .. j * K + K - 1): the per-pixel loop is hot.
 */
function foldHead(head: ErrorHead): { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: number } {
  const k = head.features.length;
  const H = head.hidden;
  const w1 = new Float64Array(k * H);
  const b1 = Float64Array.from(head.b1);
  for (let f = 0; f < k; f++) {
    for (let j = 0; j < H; j++) {
      const w = head.w1[f * H + j] / head.std[f];
      w1[j * k + f] = w;
      b1[j] -= w * head.mean[f];
    }
  }
  return { w1, b1, w2: Float64Array.from(head.w2), b2: head.b2 };
}

/**
 * The probability of a mask error at every pixel (0 outside `region` when given). One pass that reads the maps and
 * holds a pixel's features in locals, in ERROR_FEATURES order (featuresAt is their definition; the unit test holds
 * the two equal): a call, a feature array and an activation array per pixel cost twice the arithmetic.
 */
export function applyHead(head: ErrorHead, maps: FeatureMaps, region?: Uint8Array): Float32Array {
  checkHead(head); // the loop below reads exactly ERROR_FEATURES

  const n = maps.width * maps.height;
  const H = head.hidden;
  const { w1, b1, w2, b2 } = foldHead(head);
  const { logit, spread, edge, mean3, mean7, peak, mask, thresholdLogit } = maps;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (region && !region[i]) continue;
    const lg = logit[i];
    const e = edge[i];
    const x0 = Math.min(10, Math.abs(lg - thresholdLogit));
    const x1 = lg / 5;
    const x2 = spread[i] * 4;
    const x3 = e / 3;
    const x4 = Math.abs(e) / 3;
    const x5 = (lg - mean3[i]) / 3;
    const x6 = (lg - mean7[i]) / 3;
    const x7 = peak[i] / 5;
    const x8 = mask[i];
    let z = b2;
    for (let j = 0, o = 0; j < H; j++, o += FEATURE_COUNT) {
      const a =
        b1[j] +
        x0 * w1[o] +
        x1 * w1[o + 1] +
        x2 * w1[o + 2] +
        x3 * w1[o + 3] +
        x4 * w1[o + 4] +
        x5 * w1[o + 5] +
        x6 * w1[o + 6] +
        x7 * w1[o + 7] +
        x8 * w1[o + 8];
      if (a > 0) z += a * w2[j];
    }
    out[i] = 1 / (1 + Math.exp(-z));
  }
  return out;
}

/** Every `stride`-th pixel of `region` as a training sample, with its label (1 = the mask was wrong). */
export function samplePixels(
  maps: FeatureMaps,
  wrong: Uint8Array,
  region: Uint8Array,
  stride: number,
): PixelSamples {
  const n = maps.width * maps.height;
  const k = ERROR_FEATURES.length;
  const picked: number[] = [];
  let seen = 0;
  for (let i = 0; i < n; i++) if (region[i] && seen++ % stride === 0) picked.push(i);
  const x = new Float32Array(picked.length * k);
  const y = new Uint8Array(picked.length);
  picked.forEach((i, s) => {
    featuresAt(maps, i, x.subarray(s * k, (s + 1) * k));
    y[s] = wrong[i];
  });
  return { x, y };
}

export function concatSamples(parts: PixelSamples[]): PixelSamples {
  const k = ERROR_FEATURES.length;
  const total = parts.reduce((s, p) => s + p.y.length, 0);
  const x = new Float32Array(total * k);
  const y = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    x.set(p.x, at * k);
    y.set(p.y, at);
    at += p.y.length;
  }
  return { x, y };
}

export interface FitOptions {
  hidden?: number;
  iterations?: number;
  batch?: number;
  learningRate?: number;
  seed?: number;
}

/** Fits the head by minibatch Adam on the logistic loss (small: 9 inputs, 16 hidden units, seconds to fit). */
export function fitHead(samples: PixelSamples, opts: FitOptions = {}): ErrorHead {
  const { hidden: H = 16, iterations = 3000, batch = 8192, learningRate = 0.01, seed = 14 } = opts;
  const k = ERROR_FEATURES.length;
  const n = samples.y.length;
  if (n < 1000) throw new Error(`uncertainty head: ${n} pixels are too few to fit on`);
  const mean = new Array<number>(k).fill(0);
  const std = new Array<number>(k).fill(0);
  for (let s = 0; s < n; s++) for (let f = 0; f < k; f++) mean[f] += samples.x[s * k + f] / n;
  for (let s = 0; s < n; s++) for (let f = 0; f < k; f++) std[f] += (samples.x[s * k + f] - mean[f]) ** 2 / n;
  for (let f = 0; f < k; f++) std[f] = Math.sqrt(std[f]) + 1e-6;
  const rng = new Rng(seed);
  const w1 = Float64Array.from({ length: k * H }, () => rng.normal() / Math.sqrt(k));
  const b1 = new Float64Array(H);
  const w2 = Float64Array.from({ length: H }, () => rng.normal() / Math.sqrt(H));
  const b2 = new Float64Array([-3]); // errors are rare: start near the base rate
  const params = [w1, b1, w2, b2];
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  const x = new Float64Array(k);
  const act = new Float64Array(H);
  for (let it = 1; it <= iterations; it++) {
    for (const g of grads) g.fill(0);
    for (let b = 0; b < batch; b++) {
      const s = rng.int(n);
      for (let f = 0; f < k; f++) x[f] = (samples.x[s * k + f] - mean[f]) / std[f];
      let z = b2[0];
      for (let j = 0; j < H; j++) {
        let a = b1[j];
        for (let f = 0; f < k; f++) a += x[f] * w1[f * H + j];
        act[j] = a > 0 ? a : 0;
        z += act[j] * w2[j];
      }
      const e = (sigmoid(z) - samples.y[s]) / batch;
      grads[3][0] += e;
      for (let j = 0; j < H; j++) {
        grads[2][j] += e * act[j];
        if (act[j] <= 0) continue;
        const d = e * w2[j];
        grads[1][j] += d;
        for (let f = 0; f < k; f++) grads[0][f * H + j] += d * x[f];
      }
    }
    const c1 = 1 - 0.9 ** it;
    const c2 = 1 - 0.999 ** it;
    params.forEach((p, q) => {
      for (let i = 0; i < p.length; i++) {
        const g = grads[q][i] + (q === 0 || q === 2 ? 1e-4 * p[i] : 0);
        m[q][i] = 0.9 * m[q][i] + 0.1 * g;
        v[q][i] = 0.999 * v[q][i] + 0.001 * g * g;
        p[i] -= (learningRate * (m[q][i] / c1)) / (Math.sqrt(v[q][i] / c2) + 1e-8);
      }
    });
  }
  return {
    method: 'error-mlp',
    features: [...ERROR_FEATURES],
    mean,
    std,
    hidden: H,
    w1: Array.from(w1),
    b1: Array.from(b1),
    w2: Array.from(w2),
    b2: b2[0],
  };
}
