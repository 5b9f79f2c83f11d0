// Per-pixel features from which the uncertainty head predicts where the binary mask is wrong. They use only the
// network's output over the image and its flips (no extra inference): how far the probability lies from the
// threshold, how much the flips disagree, where the pixel sits relative to the mask's edge, and whether it lies on
// a faint ridge of probability (a thin vessel the mask missed). Computed in the canonical frame, so the radii mean
// the same on every camera.
import { boxMax, boxMean, signedEdgeDistance } from './maps.js';
import { logit as logOdds } from '../log-odds.js';

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

const logit = (p: number): number => logOdds(p, LOGIT_CAP);

/**
 * What the features of a pixel are computed from (feature k of pixel i is featuresAt(maps, i)[k]): the maps are
 * kept rather than the nine features of every pixel, a fifth of the memory on an 8-megapixel photograph.
 */
export interface FeatureMaps {
  width: number;
  height: number;
  /** The binary mask the features refer to (p >= threshold). */
  mask: Uint8Array;
  logit: Float32Array;
  spread: Float32Array;
  /** Signed distance to the mask edge in canonical pixels (inside positive), capped at EDGE_CAP. */
  edge: Float32Array;
  mean3: Float32Array;
  mean7: Float32Array;
  peak: Float32Array;
  thresholdLogit: number;
}

/** The edge distance is capped here (canonical pixels): further away, the edge says nothing more. */
const EDGE_CAP = 6;

/**
 * The maps behind the features of every pixel, from the flips' mean probability and their standard deviation.
 * `scale` is canonical pixels per pixel of these maps (1 in the canonical frame): on an image's own grid the radii
 * and distances are scaled so that they mean what they meant when the head was fitted.
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
  const lg = new Float32Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lg[i] = logit(mean[i]);
    mask[i] = mean[i] >= threshold ? 1 : 0;
  }
  const r = (canonical: number) => Math.max(1, Math.round(canonical / scale));
  const edge = signedEdgeDistance(mask, width, height, EDGE_CAP / scale);
  if (scale !== 1) for (let i = 0; i < n; i++) edge[i] *= scale;
  return {
    width,
    height,
    mask,
    logit: lg,
    spread,
    edge,
    mean3: boxMean(lg, width, height, r(3)),
    mean7: boxMean(lg, width, height, r(7)),
    peak: boxMax(lg, width, height, r(2)),
    thresholdLogit: logit(threshold),
  };
}

/** The features of pixel i, in ERROR_FEATURES order, into `out`. */
export function featuresAt(m: FeatureMaps, i: number, out: Float32Array | Float64Array): void {
  const lg = m.logit[i];
  const e = m.edge[i];
  out[0] = Math.min(10, Math.abs(lg - m.thresholdLogit));
  out[1] = lg / 5;
  out[2] = m.spread[i] * 4;
  out[3] = e / 3;
  out[4] = Math.abs(e) / 3;
  out[5] = (lg - m.mean3[i]) / 3;
  out[6] = (lg - m.mean7[i]) / 3;
  out[7] = m.peak[i] / 5;
  out[8] = m.mask[i];
}
