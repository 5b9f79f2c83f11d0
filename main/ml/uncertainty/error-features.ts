// Per-pixel features from which the uncertainty head predicts where the binary mask is wrong. They use only the
// network's output over the image and its flips (no extra inference): how far the probability lies from the
// threshold, how much the flips disagree, where the pixel sits relative to the mask's edge, and whether it lies on
// a faint ridge of probability (a thin vessel the mask missed). Computed in the canonical frame, so the radii mean
// the same on every camera.
import { boxMax, boxMean, signedEdgeDistance } from './maps.js';

/** The head's inputs, in order. Changing them invalidates fitted heads (the manifest records the list). */
export const ERROR_FEATURES = [
  'thresholdDistance', // |logit p - logit t|, capped at 10
  'logit', // logit p / 5
  'flipSpread', // 4 x standard deviation over the flips
  'edgeDistance', // signed distance to the mask edge / 3 (inside positive), capped at 6 px
  'edgeNearness', // |edge distance| / 3
  'ridge3', // (logit p - its 7x7 mean) / 3
  'ridge7', // (logit p - its 15x15 mean) / 3
  'localPeak', // max of logit p over 5x5 / 5
  'inMask', // 1 inside the binary mask
] as const;

export type ErrorFeatureName = (typeof ERROR_FEATURES)[number];

const LOGIT_CAP = 4e-4;

function logit(p: number): number {
  const q = Math.min(1 - LOGIT_CAP, Math.max(LOGIT_CAP, p));
  return Math.log(q / (1 - q));
}

export interface FeatureMaps {
  width: number;
  height: number;
  /** Feature-major: feature k of pixel i at k * n + i. */
  data: Float32Array;
  /** The binary mask the features refer to (p >= threshold). */
  mask: Uint8Array;
}

/**
 * The features of every pixel from the flips' mean probability and their standard deviation. `scale` is canonical
 * pixels per pixel of these maps (1 in the canonical frame): on an image's own grid the radii and distances are
 * scaled so that they mean what they meant when the head was fitted.
 */
export function errorFeatures(
  mean: Float32Array,
  spread: Float32Array,
  width: number,
  height: number,
  threshold: number,
  scale = 1,
): FeatureMaps {
  const n = width * height;
  const k = ERROR_FEATURES.length;
  const data = new Float32Array(k * n);
  const lt = logit(threshold);
  const lg = new Float32Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lg[i] = logit(mean[i]);
    mask[i] = mean[i] >= threshold ? 1 : 0;
  }
  const r = (canonical: number) => Math.max(1, Math.round(canonical / scale));
  const edge = signedEdgeDistance(mask, width, height, 6 / scale);
  const mean3 = boxMean(lg, width, height, r(3));
  const mean7 = boxMean(lg, width, height, r(7));
  const peak = boxMax(lg, width, height, r(2));
  for (let i = 0; i < n; i++) {
    data[i] = Math.min(10, Math.abs(lg[i] - lt));
    data[n + i] = lg[i] / 5;
    data[2 * n + i] = spread[i] * 4;
    data[3 * n + i] = (edge[i] * scale) / 3;
    data[4 * n + i] = Math.abs(edge[i] * scale) / 3;
    data[5 * n + i] = (lg[i] - mean3[i]) / 3;
    data[6 * n + i] = (lg[i] - mean7[i]) / 3;
    data[7 * n + i] = peak[i] / 5;
    data[8 * n + i] = mask[i];
  }
  return { width, height, data, mask };
}
