// ROC and precision-recall curves for plots, downsampled to a bounded number of points.
// One point per distinct score (threshold = that score, rule score >= threshold), plus the starting point with
// threshold +Infinity (nothing predicted; Infinity serialises as null in JSON). Downsampling keeps the first and
// last points and spaces the rest evenly along the curve's length, so steep and flat parts both keep their shape.

import { MetricsAccumulator, type ScoreTable } from './metrics.js';

export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number;
}

function tableOf(source: ScoreTable | MetricsAccumulator): ScoreTable {
  return source instanceof MetricsAccumulator ? source.table() : source;
}

/** Picks at most maxPoints indices of a polyline, evenly spaced by arc length, always first and last. */
function downsample(xs: Float64Array, ys: Float64Array, maxPoints: number): number[] {
  const n = xs.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const cum = new Float64Array(n);
  for (let i = 1; i < n; i++) cum[i] = cum[i - 1] + Math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]);
  const total = cum[n - 1];
  const picked = [0];
  let i = 0;
  for (let k = 1; k < maxPoints - 1; k++) {
    const target = (k * total) / (maxPoints - 1);
    while (i < n - 1 && cum[i] < target) i++;
    if (i > picked[picked.length - 1] && i < n - 1) picked.push(i);
  }
  picked.push(n - 1);
  return picked;
}

function checkMax(maxPoints: number) {
  if (!Number.isInteger(maxPoints) || maxPoints < 2)
    throw new Error(`curves: maxPoints must be an integer >= 2`);
}

/** ROC curve from (0,0) to (1,1); empty when either class is absent. */
export function rocCurve(source: ScoreTable | MetricsAccumulator, maxPoints = 256): RocPoint[] {
  checkMax(maxPoints);
  const t = tableOf(source);
  if (t.P === 0 || t.N === 0) return [];
  const n = t.scores.length + 1;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const th = new Float64Array(n);
  th[0] = Infinity;
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < t.scores.length; g++) {
    tp += t.pos[g];
    fp += t.neg[g];
    xs[g + 1] = fp / t.N;
    ys[g + 1] = tp / t.P;
    th[g + 1] = t.scores[g];
  }
  return downsample(xs, ys, maxPoints).map((i) => ({ fpr: xs[i], tpr: ys[i], threshold: th[i] }));
}

/** Precision-recall curve from (recall 0, precision 1) upwards in recall; empty without vessel pixels. */
export function prCurve(source: ScoreTable | MetricsAccumulator, maxPoints = 256): PrPoint[] {
  checkMax(maxPoints);
  const t = tableOf(source);
  if (t.P === 0) return [];
  const n = t.scores.length + 1;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const th = new Float64Array(n);
  ys[0] = 1;
  th[0] = Infinity;
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < t.scores.length; g++) {
    tp += t.pos[g];
    fp += t.neg[g];
    xs[g + 1] = tp / t.P;
    ys[g + 1] = tp / (tp + fp);
    th[g + 1] = t.scores[g];
  }
  return downsample(xs, ys, maxPoints).map((i) => ({ recall: xs[i], precision: ys[i], threshold: th[i] }));
}
