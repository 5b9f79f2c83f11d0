// The promotion gate, as pure statistics: a paired bootstrap over held-out images of the per-image F1 difference
// (candidate - active), and the verdict in plain words. It judges only on images whose reference a person made
// or corrected (or that came from a dataset): an unedited prediction of the active model as the reference can
// only make the candidate look worse, so such images are not counted at all.
import type { PromotionVerdict } from '../../shared/contract.js';
import { createRng } from '../ml/rng.js';
import { plural } from '../../shared/plural.js';

/** The candidate may not lose more than this much F1 on the benchmark images, whatever it gains elsewhere. */
export const BENCHMARK_TOLERANCE = 0.01;
export const BOOTSTRAP_RESAMPLES = 2000;

export interface BootstrapInterval {
  mean: number;
  /** 2.5th and 97.5th percentiles of the resampled means. */
  low: number;
  high: number;
}

/** The q-quantile of sorted values, interpolating between neighbours. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - frac) + sorted[i + 1] * frac : sorted[i];
}

/**
 * The mean of `deltas` and its 95% percentile interval by resampling the images with replacement. Seeded, so the
 * same scores always give the same interval.
 */
export function pairedBootstrap(
  deltas: readonly number[],
  seed: number,
  resamples = BOOTSTRAP_RESAMPLES,
): BootstrapInterval {
  const n = deltas.length;
  if (n === 0) throw new Error('bootstrap: no images');
  const mean = deltas.reduce((s, d) => s + d, 0) / n;
  const rng = createRng(seed).fork('promotion-gate');
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += deltas[rng.int(n)];
    means[r] = sum / n;
  }
  means.sort();
  return { mean, low: quantile(means, 0.025), high: quantile(means, 0.975) };
}

export interface GateInput {
  /** candidate - active score of each usable held-out image (F1 for vessels; higher is better). */
  deltas: readonly number[];
  /** How many of them have a person's reference (the rest came from a dataset). */
  corrected: number;
  /** The fewest usable images the gate judges on. */
  minImages: number;
  /** Promote only when the interval's lower end is above this. */
  margin: number;
  /** Benchmark F1 change (candidate - active), or null without a benchmark. */
  benchmarkDelta: number | null;
  seed: number;
  resamples?: number;
  /** What the deltas measure, as the verdict names it (default 'F1'). */
  metric?: string;
}

export type GateVerdict = Omit<PromotionVerdict, 'promoted'>;

const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(3)}`;

function imagesNoun(n: number, corrected: number): string {
  const kind = corrected === n ? 'corrected' : corrected === 0 ? 'dataset' : 'corrected or dataset';
  return `${n} ${kind} image${n === 1 ? '' : 's'}`;
}

/** Decides whether the candidate is better, and says why and what would help. */
export function judgePromotion(input: GateInput): GateVerdict {
  const n = input.deltas.length;
  const { margin, benchmarkDelta } = input;
  if (n < input.minImages) {
    const missing = input.minImages - n;
    return {
      better: false,
      judged: false,
      reason:
        `Not judged: ${n === 0 ? 'none' : `only ${n}`} of the held-out images ${n === 1 ? 'was' : 'were'} ` +
        `corrected by a person (or came from a dataset), and the comparison needs ${input.minImages}. ` +
        `Approving the model's own predictions unchanged cannot show whether a new model is better.`,
      advice: `Approve ${plural(missing, 'more image')} that you corrected, then retrain.`,
      usableImages: n,
      delta: null,
      benchmarkDelta,
    };
  }
  const ci = pairedBootstrap(input.deltas, input.seed, input.resamples);
  const stated =
    `${input.metric ?? 'F1'} ${signed(ci.mean)} (95% interval ${signed(ci.low)} to ${signed(ci.high)}) ` +
    `on ${imagesNoun(n, input.corrected)}`;
  const delta = { ...ci, margin };
  const base = { judged: true, usableImages: n, delta, benchmarkDelta };
  const clearGain = ci.low > margin;
  if (benchmarkDelta !== null && benchmarkDelta < -BENCHMARK_TOLERANCE) {
    return {
      ...base,
      better: false,
      reason:
        `${stated}, but the benchmark images scored ${Math.abs(benchmarkDelta).toFixed(3)} F1 worse ` +
        `(more than ${BENCHMARK_TOLERANCE}): not promoted`,
      advice:
        'The candidate lost some of what the model knew. Retrain with more replay of earlier training data, ' +
        'or keep the active model.',
    };
  }
  if (clearGain) {
    return { ...base, better: true, reason: `${stated}: better`, advice: null };
  }
  if (ci.high < 0) {
    return {
      ...base,
      better: false,
      reason: `${stated}: worse`,
      advice: 'Keep the active model. Check that the new approvals are correct before retraining.',
    };
  }
  if (ci.low > 0) {
    return {
      ...base,
      better: false,
      reason: `${stated}: better, but not by the margin ${margin.toFixed(3)}`,
      advice:
        'The gain is real but smaller than the promotion margin in the settings: promote it anyway with a ' +
        'reason, or lower the margin.',
    };
  }
  return {
    ...base,
    better: false,
    reason: `${stated}: not clearly better`,
    advice:
      'The difference is within the noise. Approve more images that you corrected to narrow the interval, ' +
      'then retrain.',
  };
}
