// Calibration of the vessel probability: a temperature and bias on the logit (Platt scaling) fitted on validation
// pixels, with the reliability diagram and expected calibration error (ECE) before and after, for the model card.
import { logit, sigmoid } from '../log-odds.js';

export interface ReliabilityBin {
  /** Bin [lo, hi) of predicted probability. */
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  observed: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
  /** Expected calibration error: the count-weighted mean |predicted - observed| over the bins. */
  ece: number;
}

export interface Temperature {
  /** p' = sigmoid(logit(p) / temperature + bias). */
  temperature: number;
  bias: number;
}

export function applyTemperature(p: number, t: Temperature): number {
  return sigmoid(logit(p) / t.temperature + t.bias);
}

/** Equal-width reliability bins of predictions `p` against 0/1 outcomes `y`. */
export function reliability(p: ArrayLike<number>, y: ArrayLike<number>, nBins = 10): Reliability {
  const count = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(nBins - 1, Math.floor(p[i] * nBins));
    count[b]++;
    sumP[b] += p[i];
    sumY[b] += y[i];
  }
  const total = p.length || 1;
  let ece = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const c = count[b];
    const meanPredicted = c ? sumP[b] / c : 0;
    const observed = c ? sumY[b] / c : 0;
    ece += (c / total) * Math.abs(meanPredicted - observed);
    bins.push({ lo: b / nBins, hi: (b + 1) / nBins, count: c, meanPredicted, observed });
  }
  return { bins, ece };
}

/** Fits temperature and bias by Newton's method on the logistic loss of (logit p, y) pairs (a convex problem). */
export function fitTemperature(p: ArrayLike<number>, y: ArrayLike<number>): Temperature {
  let a = 1;
  let b = 0;
  const z = Float64Array.from({ length: p.length }, (_, i) => logit(p[i]));
  for (let it = 0; it < 50; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    for (let i = 0; i < z.length; i++) {
      const q = 1 / (1 + Math.exp(-(a * z[i] + b)));
      const e = q - y[i];
      const w = q * (1 - q);
      ga += e * z[i];
      gb += e;
      haa += w * z[i] * z[i];
      hab += w * z[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-7 && Math.abs(db) < 1e-7) break;
  }
  if (!(a > 0)) throw new Error('calibration: the probabilities do not rank the labels (non-positive slope)');
  return { temperature: 1 / a, bias: b };
}
