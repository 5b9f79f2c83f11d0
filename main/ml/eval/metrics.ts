// Segmentation metrics following the retinal-vessel literature.
//
// Pixels: `region` non-zero selects the pixels that count (the FOV under protocol 'fov'); null counts every pixel
// ('all'). `truth` non-zero = vessel. A pixel is predicted vessel iff prob >= threshold.
//
// Exactness:
//   - computeMetrics / bestThreshold / scoreTable on one map are exact on the float32 scores (sorting).
//   - MetricsAccumulator pools many images in bounded memory with two 65536-bin histograms: scores are quantised to
//     q = round(p * 65535), which is exact for 16-bit probability maps and within 1/131070 otherwise. The pooled
//     threshold rule is q / 65535 >= threshold.
// AUC-ROC: area under the ROC curve with tied scores forming one diagonal step (trapezoid), which equals the
//   Mann-Whitney U statistic / (P*N) with ties counted 1/2.
// AUC-PR: average precision as scikit-learn's average_precision_score computes it: sum over distinct thresholds
//   (descending) of (R_k - R_{k-1}) * P_k, with no interpolation; tied scores enter together.
// Degenerate cases (deliberate conventions, never a crash):
//   - a ratio whose denominator is zero is NaN, i.e. undefined: sensitivity with no vessel pixels, specificity with
//     no background pixels, precision with no predicted vessel pixels, accuracy with no pixels;
//   - F1 (= Dice) and IoU are 1 when truth and prediction are both empty (perfect agreement on absence);
//   - MCC is 0 when any row or column of the confusion matrix is empty (scikit-learn's convention);
//   - AUC-ROC is NaN without both classes; AUC-PR is NaN without vessel pixels.
// NaN serialises as null in JSON; summarise() skips NaN per metric and reports how many values it used.

import type { Metrics, Protocol } from '../types.js';

/** Scores grouped by distinct value, in DESCENDING score order, with the vessel/background count of each group. */
export interface ScoreTable {
  scores: Float64Array;
  pos: Float64Array;
  neg: Float64Array;
  /** Total vessel (P) and background (N) pixels. */
  P: number;
  N: number;
}

function checkInputs(prob: ArrayLike<number>, truth: Uint8Array, region: Uint8Array | null) {
  if (truth.length !== prob.length)
    throw new Error(`metrics: truth has ${truth.length} values, prob ${prob.length}`);
  if (region && region.length !== prob.length) {
    throw new Error(`metrics: region has ${region.length} values, prob ${prob.length}`);
  }
}

/** Exact score table of one probability map (or any concatenation of maps). NaN scores are an error. */
export function scoreTable(prob: Float32Array, truth: Uint8Array, region: Uint8Array | null): ScoreTable {
  checkInputs(prob, truth, region);
  let P = 0;
  let N = 0;
  for (let i = 0; i < prob.length; i++) {
    if (region && region[i] === 0) continue;
    if (Number.isNaN(prob[i])) throw new Error(`metrics: probability at pixel ${i} is NaN`);
    if (truth[i] !== 0) P++;
    else N++;
  }
  const ps = new Float32Array(P);
  const ns = new Float32Array(N);
  for (let i = 0, a = 0, b = 0; i < prob.length; i++) {
    if (region && region[i] === 0) continue;
    if (truth[i] !== 0) ps[a++] = prob[i];
    else ns[b++] = prob[i];
  }
  ps.sort();
  ns.sort();
  // Merge from the top of both ascending arrays.
  const scores: number[] = [];
  const pos: number[] = [];
  const neg: number[] = [];
  let i = P - 1;
  let j = N - 1;
  while (i >= 0 || j >= 0) {
    const s = i < 0 ? ns[j] : j < 0 ? ps[i] : Math.max(ps[i], ns[j]);
    let cp = 0;
    let cn = 0;
    while (i >= 0 && ps[i] === s) {
      cp++;
      i--;
    }
    while (j >= 0 && ns[j] === s) {
      cn++;
      j--;
    }
    scores.push(s);
    pos.push(cp);
    neg.push(cn);
  }
  return {
    scores: Float64Array.from(scores),
    pos: Float64Array.from(pos),
    neg: Float64Array.from(neg),
    P,
    N,
  };
}

export function aucRocFromTable(t: ScoreTable): number {
  if (t.P === 0 || t.N === 0) return NaN;
  let area = 0;
  let tp = 0;
  for (let g = 0; g < t.scores.length; g++) {
    area += t.neg[g] * (tp + t.pos[g] / 2);
    tp += t.pos[g];
  }
  return area / (t.P * t.N);
}

export function averagePrecisionFromTable(t: ScoreTable): number {
  if (t.P === 0) return NaN;
  let ap = 0;
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < t.scores.length; g++) {
    tp += t.pos[g];
    fp += t.neg[g];
    if (t.pos[g] > 0) ap += t.pos[g] * (tp / (tp + fp));
  }
  // Dividing once at the end keeps a perfect ranking at exactly 1.
  return ap / t.P;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Confusion counts at `threshold` (score >= threshold is positive). */
export function confusionFromTable(t: ScoreTable, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < t.scores.length && t.scores[g] >= threshold; g++) {
    tp += t.pos[g];
    fp += t.neg[g];
  }
  return { tp, fp, fn: t.P - tp, tn: t.N - fp };
}

/** Threshold-dependent metrics from confusion counts, with the conventions documented above. */
export function confusionMetrics(
  c: Confusion,
): Pick<Metrics, 'accuracy' | 'sensitivity' | 'specificity' | 'precision' | 'f1' | 'iou' | 'mcc'> {
  const { tp, fp, tn, fn } = c;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
  const overlap = (a: number, b: number) => (b > 0 ? a / b : 1);
  const pp = tp + fp;
  const ap = tp + fn;
  const an = tn + fp;
  const pn = tn + fn;
  const denom = pp * ap * an * pn;
  return {
    accuracy: ratio(tp + tn, tp + tn + fp + fn),
    sensitivity: ratio(tp, ap),
    specificity: ratio(tn, an),
    precision: ratio(tp, pp),
    f1: overlap(2 * tp, 2 * tp + fp + fn),
    iou: overlap(tp, tp + fp + fn),
    // Square roots taken pairwise to keep the product in range for billions of pixels.
    mcc: denom > 0 ? (tp * tn - fp * fn) / (Math.sqrt(pp * ap) * Math.sqrt(an * pn)) : 0,
  };
}

/** All metrics from a score table. */
export function metricsFromTable(t: ScoreTable, threshold: number, protocol: Protocol): Metrics {
  const c = confusionFromTable(t, threshold);
  return {
    protocol,
    threshold,
    pixels: t.P + t.N,
    ...c,
    aucRoc: aucRocFromTable(t),
    aucPr: averagePrecisionFromTable(t),
    ...confusionMetrics(c),
  };
}

function checkProtocol(region: Uint8Array | null, protocol: Protocol) {
  if (protocol !== 'fov' && protocol !== 'all')
    throw new Error(`metrics: unknown protocol ${String(protocol)}`);
  if (protocol === 'fov' && !region) throw new Error("metrics: protocol 'fov' needs a region (the FOV mask)");
}

/**
 * Metrics of one probability map. `region` = FOV for protocol 'fov'; for 'all' pass null (a region given with
 * 'all' is still applied, e.g. to drop padding). Exact on float scores.
 */
export function computeMetrics(
  prob: Float32Array,
  truth: Uint8Array,
  region: Uint8Array | null,
  threshold: number,
  protocol: Protocol,
): Metrics {
  checkProtocol(region, protocol);
  return metricsFromTable(scoreTable(prob, truth, region), threshold, protocol);
}

/**
 * Threshold maximising F1 on a score table. Returns the midpoint between the chosen distinct score and the next
 * lower one (so the rule score >= threshold reproduces the same split on this data while not sitting on a score).
 * With no vessel pixels F1 is 0 at any threshold that predicts something; then the threshold above every score is
 * returned with its F1 of 1 (empty prediction).
 */
export function bestThresholdFromTable(t: ScoreTable): { threshold: number; f1: number } {
  if (t.scores.length === 0) return { threshold: 0.5, f1: NaN };
  if (t.P === 0) return { threshold: t.scores[0] + Math.max(Math.abs(t.scores[0]), 1) * 1e-9, f1: 1 };
  let best = -1;
  let bestF1 = -1;
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < t.scores.length; g++) {
    tp += t.pos[g];
    fp += t.neg[g];
    const fn = t.P - tp;
    const denom = 2 * tp + fp + fn;
    const f1 = denom > 0 ? (2 * tp) / denom : 1;
    if (f1 > bestF1) {
      bestF1 = f1;
      best = g;
    }
  }
  const hi = t.scores[best];
  const lo = best + 1 < t.scores.length ? t.scores[best + 1] : hi;
  return { threshold: (hi + lo) / 2, f1: bestF1 };
}

/** Threshold maximising F1 of one map (or a concatenation of validation maps); exact on float scores. */
export function bestThreshold(
  prob: Float32Array,
  truth: Uint8Array,
  region: Uint8Array | null,
): { threshold: number; f1: number } {
  return bestThresholdFromTable(scoreTable(prob, truth, region));
}

const LEVELS = 65535;

/**
 * Pools pixels of many images (a split) in bounded memory: pooled metrics count all pixels of all images together,
 * as the literature reports. Scores are quantised to 16 bits (see the header).
 */
export class MetricsAccumulator {
  private readonly posHist = new Float64Array(LEVELS + 1);
  private readonly negHist = new Float64Array(LEVELS + 1);
  private images = 0;

  /** Adds one image; `region` null counts every pixel. */
  add(prob: Float32Array, truth: Uint8Array, region: Uint8Array | null): void {
    checkInputs(prob, truth, region);
    for (let i = 0; i < prob.length; i++) {
      if (region && region[i] === 0) continue;
      const p = prob[i];
      if (Number.isNaN(p)) throw new Error(`metrics: probability at pixel ${i} is NaN`);
      const q = p <= 0 ? 0 : p >= 1 ? LEVELS : Math.round(p * LEVELS);
      if (truth[i] !== 0) this.posHist[q]++;
      else this.negHist[q]++;
    }
    this.images++;
  }

  get imageCount(): number {
    return this.images;
  }

  /** The pooled score table (scores are the quantisation levels q / 65535). */
  table(): ScoreTable {
    const scores: number[] = [];
    const pos: number[] = [];
    const neg: number[] = [];
    let P = 0;
    let N = 0;
    for (let q = LEVELS; q >= 0; q--) {
      const cp = this.posHist[q];
      const cn = this.negHist[q];
      if (cp === 0 && cn === 0) continue;
      scores.push(q / LEVELS);
      pos.push(cp);
      neg.push(cn);
      P += cp;
      N += cn;
    }
    return {
      scores: Float64Array.from(scores),
      pos: Float64Array.from(pos),
      neg: Float64Array.from(neg),
      P,
      N,
    };
  }

  /** Pooled metrics. Regions were chosen at add(); `protocol` labels the result. */
  result(threshold: number, protocol: Protocol): Metrics {
    if (protocol !== 'fov' && protocol !== 'all')
      throw new Error(`metrics: unknown protocol ${String(protocol)}`);
    return metricsFromTable(this.table(), threshold, protocol);
  }

  /** Pooled threshold maximising F1 (for validation data). */
  bestThreshold(): { threshold: number; f1: number } {
    return bestThresholdFromTable(this.table());
  }
}

export const METRIC_KEYS = [
  'aucRoc',
  'aucPr',
  'accuracy',
  'sensitivity',
  'specificity',
  'precision',
  'f1',
  'iou',
  'mcc',
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export interface MetricsSummary {
  /** Images summarised. */
  n: number;
  /** Per metric: mean, sample standard deviation (n-1; 0 for one value) and how many non-NaN values entered. */
  mean: Record<MetricKey, number>;
  std: Record<MetricKey, number>;
  count: Record<MetricKey, number>;
}

/** Per-image mean +- std over a list of metrics; NaN entries are skipped per metric (NaN if none remain). */
export function summarise(perImage: Metrics[]): MetricsSummary {
  const mean = {} as Record<MetricKey, number>;
  const std = {} as Record<MetricKey, number>;
  const count = {} as Record<MetricKey, number>;
  for (const k of METRIC_KEYS) {
    const vals = perImage.map((m) => m[k]).filter((v) => !Number.isNaN(v));
    const n = vals.length;
    const mu = n > 0 ? vals.reduce((a, b) => a + b, 0) / n : NaN;
    const varSum = vals.reduce((a, v) => a + (v - mu) * (v - mu), 0);
    mean[k] = mu;
    std[k] = n > 1 ? Math.sqrt(varSum / (n - 1)) : n === 1 ? 0 : NaN;
    count[k] = n;
  }
  return { n: perImage.length, mean, std, count };
}
