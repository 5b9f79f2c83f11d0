// Adam over flat Float32Arrays, one fused pass (tfjs' optimizer runs ~10 separate tensor ops per variable).
// Same arithmetic as tf.train.adam: bias-corrected moments, epsilon outside the square root.

export interface AdamHyper {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamHyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** Applies update number `step` (1-based) in place to weights `w` with moments `m`, `v`. */
export function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  step: number,
  learningRate: number,
  hyper: AdamHyper = ADAM_DEFAULTS,
): void {
  const { beta1: b1, beta2: b2, epsilon } = hyper;
  const c1 = 1 / (1 - Math.pow(b1, step));
  const c2 = 1 / (1 - Math.pow(b2, step));
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + a1 * gi;
    const vi = b2 * v[i] + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= (learningRate * (mi * c1)) / (Math.sqrt(vi * c2) + epsilon);
  }
}
