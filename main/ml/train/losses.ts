// Segmentation losses on sigmoid probabilities. Every loss takes an optional per-pixel weight map (the FOV:
// pixels with weight 0 do not count). Probabilities are clipped away from 0 and 1 so logs and ratios stay finite.
import { tf, type Scalar, type Tensor } from '../tf.js';
import type { LossName } from '../types.js';

export const LOSS_NAMES: readonly LossName[] = ['dice', 'bce', 'dice+bce'];
const EPS = 1e-6;
/** Laplace smoothing of the soft Dice ratio; keeps empty patches (no vessels) from dominating. */
const DICE_SMOOTH = 1;

export type LossFn = (yTrue: Tensor, yPred: Tensor, weight: Tensor | null) => Scalar;

/** Flattens to [N, pixels]; y, prediction and weight maps may come as NHW or NHW1. */
function flat(t: Tensor): Tensor {
  return tf.reshape(t, [t.shape[0] ?? 1, -1]);
}

export function bceLoss(yTrue: Tensor, yPred: Tensor, weight: Tensor | null): Scalar {
  return tf.tidy(() => {
    const y = flat(yTrue);
    const p = tf.clipByValue(flat(yPred), EPS, 1 - EPS);
    const perPixel = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
    if (!weight) return tf.mean(perPixel) as Scalar;
    const w = flat(weight);
    return tf.div(tf.sum(tf.mul(perPixel, w)), tf.maximum(tf.sum(w), EPS)) as Scalar;
  });
}

/** Soft Dice over the whole batch: 1 - (2·Σwpy + s) / (Σwp + Σwy + s). */
export function diceLoss(yTrue: Tensor, yPred: Tensor, weight: Tensor | null): Scalar {
  return tf.tidy(() => {
    const y = flat(yTrue);
    const p = tf.clipByValue(flat(yPred), 0, 1);
    const w = weight ? flat(weight) : null;
    const wp = w ? tf.mul(p, w) : p;
    const wy = w ? tf.mul(y, w) : y;
    const inter = tf.sum(tf.mul(wp, y));
    const denom = tf.add(tf.add(tf.sum(wp), tf.sum(wy)), DICE_SMOOTH);
    return tf.sub(1, tf.div(tf.add(tf.mul(inter, 2), DICE_SMOOTH), denom)) as Scalar;
  });
}

export function diceBceLoss(yTrue: Tensor, yPred: Tensor, weight: Tensor | null): Scalar {
  return tf.tidy(() => tf.add(diceLoss(yTrue, yPred, weight), bceLoss(yTrue, yPred, weight)) as Scalar);
}

export function lossFunction(name: LossName): LossFn {
  switch (name) {
    case 'dice':
      return diceLoss;
    case 'bce':
      return bceLoss;
    case 'dice+bce':
      return diceBceLoss;
    default:
      throw new Error(`unknown loss ${String(name)}; expected one of ${LOSS_NAMES.join(', ')}`);
  }
}
