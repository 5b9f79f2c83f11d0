// The promotion gate, as pure statistics: a 95% interval of the mean per-image F1 difference (candidate - active)
// over held-out images, the wider of Student's t and a paired bootstrap, and the verdict in plain words. Images of
// one group (another visit of the same eye, a copy of the photograph) are one sample, their mean difference: they
// are not independent, and counted apart they would narrow the interval and meet the minimum with one eye. It
// judges only on images whose reference a person made or corrected (or that came from a dataset): an unedited
// prediction of the active model as the reference can only make the candidate look worse, so such images are not
// counted at all.
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

/**
 * Student's t 0.975 quantiles for 1-30 degrees of freedom (standard table values); beyond, the Cornish-Fisher
 * expansion around the normal quantile, within 0.001 of the exact value from 30 on. A table, not a library: these
 * 30 numbers are all the gate needs.
 */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return Infinity;
  if (df <= T975.length) return T975[Math.floor(df) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/**
 * The interval the gate judges by: the wider, at each end, of the t interval and the percentile bootstrap. On a
 * few images the bootstrap alone is far too narrow (three images that all gained 0.0001 F1 read as a sure gain,
 * and a model no better than the active one was promoted about one time in seven); t is exact for normal
 * differences, and the bootstrap keeps a skewed sample's long side.
 */
export function pairedInterval(
  deltas: readonly number[],
  seed: number,
  resamples = BOOTSTRAP_RESAMPLES,
): BootstrapInterval {
  const boot = pairedBootstrap(deltas, seed, resamples);
  const n = deltas.length;
  if (n < 2) throw new Error('an interval needs two images at least');
  const variance = deltas.reduce((s, d) => s + (d - boot.mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return {
    mean: boot.mean,
    low: Math.min(boot.low, boot.mean - half),
    high: Math.max(boot.high, boot.mean + half),
  };
}

export interface GateInput {
  /** candidate - active score of each usable held-out image (F1 for vessels; higher is better). */
  deltas: readonly number[];
  /**
   * Each delta's group (any key; images of one eye or copies of one photograph share it), or absent when every
   * image is its own. A group is one sample of the interval and of the minimum.
   */
  groups?: readonly number[];
  /** How many of them have a person's reference (the rest came from a dataset). */
  corrected: number;
  /** The fewest usable groups (independent images) the gate judges on. */
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

/** A difference with its sign, to 0.001; one too small for that with two significant figures (never "+0.000"). */
const signed = (x: number): string => {
  const size = Math.abs(x);
  const digits = size !== 0 && size < 0.0005 ? size.toPrecision(2) : size.toFixed(3);
  return `${x >= 0 ? '+' : '-'}${digits}`;
};

/** " in 3 independent groups" after a count of images that make fewer groups; nothing when each is its own. */
export function inGroups(images: number, groups: number): string {
  return groups < images ? ` in ${plural(groups, 'independent group')}` : '';
}

function imagesNoun(n: number, corrected: number, groups: number): string {
  const kind = corrected === n ? 'corrected' : corrected === 0 ? 'dataset' : 'corrected or dataset';
  return `${n} ${kind} image${n === 1 ? '' : 's'}${inGroups(n, groups)}`;
}

/** The mean delta of each group, in the order the groups first appear. */
export function groupMeans(deltas: readonly number[], groups?: readonly number[]): number[] {
  if (!groups) return [...deltas];
  if (groups.length !== deltas.length) throw new Error('gate: one group per image');
  const sums = new Map<number, { sum: number; n: number }>();
  deltas.forEach((d, i) => {
    const g = sums.get(groups[i]) ?? { sum: 0, n: 0 };
    g.sum += d;
    g.n++;
    sums.set(groups[i], g);
  });
  return [...sums.values()].map((g) => g.sum / g.n);
}

/** Why fewer groups than images count, for a verdict that counts fewer. */
export const GROUP_NOTE = 'other visits of one eye and copies of one photograph count once';

/** Decides whether the candidate is better, and says why and what would help. */
export function judgePromotion(input: GateInput): GateVerdict {
  const images = input.deltas.length;
  const samples = groupMeans(input.deltas, input.groups);
  const n = samples.length;
  const { margin, benchmarkDelta } = input;
  // One group says nothing of the spread: two at least, whatever the settings allow.
  const minImages = Math.max(2, input.minImages);
  const counted = { usableImages: images, usableGroups: n };
  if (n < minImages) {
    const missing = minImages - n;
    const reason =
      n === images
        ? `Not judged: ${n === 0 ? 'none' : `only ${n}`} of the held-out images ${n === 1 ? 'was' : 'were'} ` +
          `corrected by a person (or came from a dataset), and the comparison needs ${minImages}. `
        : `Not judged: the ${images} held-out images corrected by a person (or from a dataset) are only ` +
          `${plural(n, 'independent group')} (${GROUP_NOTE}), and the comparison needs ${minImages}. `;
    return {
      better: false,
      judged: false,
      reason:
        reason + `Approving the model's own predictions unchanged cannot show whether a new model is better.`,
      advice:
        n === images
          ? `Approve ${plural(missing, 'more image')} that you corrected, then retrain.`
          : `Approve ${plural(missing, 'more image')} that you corrected, each of another eye, then retrain.`,
      ...counted,
      delta: null,
      benchmarkDelta,
    };
  }
  const ci = pairedInterval(samples, input.seed, input.resamples);
  const stated =
    `${input.metric ?? 'F1'} ${signed(ci.mean)} (95% interval ${signed(ci.low)} to ${signed(ci.high)}) ` +
    `on ${imagesNoun(images, input.corrected, n)}`;
  const delta = { ...ci, margin };
  const base = { judged: true, ...counted, delta, benchmarkDelta };
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
