// CRAE or CRVE as its expected value over the artery/vein classifier's uncertainty: each zone vessel is an artery
// with its own probability, independently, and the value is Knudtson's formula over the six widest vessels of the
// class, averaged over the labellings that leave six or more (where the formula is defined). Hard labels would make
// the value jump when one wide vessel's probability crosses 0.5 (the same photograph at twice its size moved CRAE by
// up to 12%); the expectation moves with the probability.
//
// Computed exactly: only the six widest vessels of the class enter the formula, so a labelling matters only through
// which six those are. Walking the vessels widest first, each is of the class (weight p) or not (1 - p) until six are;
// the ones after the sixth no longer matter and their weights sum to 1. Every set of six is visited once, with the
// probability that it is the six widest; their total is the probability that the formula is defined. That is at most
// C(n, 6) sets (a zone's 8 to 25 vessels: 28 to 177,100), where the 2^n labellings would be up to 33 million.
// Past EXACT_SETS it falls back to Monte Carlo with common random numbers: a vessel's label in a draw depends on the
// seed, the draw and the vessel's own rank by width among its hard class, not on where it comes in one shared stream,
// so a vessel gained or lost does not reshuffle the other class's labels. (The mean of 400 draws from the stream the
// intervals share did: a venule gained at twice the size moved DRIVE 03's CRAE by 0.06%, and any value by its noise.)
import { KNUDTSON_ARTERIOLE, KNUDTSON_VENULE, KNUDTSON_VESSELS, knudtsonEquivalent } from './knudtson.js';
import type { VesselClass } from './vessel-graph.js';

export interface LabelledWidth {
  width: number;
  /** The vessel's label as given. */
  av: VesselClass;
  /** Probability of artery; null when certain (the label as given: a person's, or no classifier). */
  arteryProbability: number | null;
}

/**
 * Sets of six the exact expectation may visit per class before Monte Carlo takes over: about 0.2 s, 32 vessels of
 * the class's uncertain ones (a zone's 8 to 25 vessels need up to 177,100).
 */
export const EXACT_SETS = 1_000_000;
/** Draws of the Monte Carlo fallback (about as long): its error a hundredth of the value's spread over labellings. */
export const FALLBACK_DRAWS = 10_000;

/**
 * The expected CRAE ('arteriole') or CRVE ('venule') over the vessels' labels, given that six or more are of the
 * class; null when no labelling leaves six. Exact up to EXACT_SETS sets of six; certain labels give the formula over
 * the vessels labelled so (to rounding).
 */
export function expectedEquivalent(
  vessels: LabelledWidth[],
  kind: 'arteriole' | 'venule',
  { seed = 1, exactSets = EXACT_SETS }: { seed?: number; exactSets?: number } = {},
): number | null {
  const cls: VesselClass = kind === 'arteriole' ? 'artery' : 'vein';
  const k = kind === 'arteriole' ? KNUDTSON_ARTERIOLE : KNUDTSON_VENULE;
  // Widest first; the probability of this class, 0 or 1 where the label is certain.
  const sorted = [...vessels].sort((a, b) => b.width - a.width);
  const widths = sorted.map((v) => v.width);
  const pa = sorted.map((v) => v.arteryProbability ?? (v.av === 'artery' ? 1 : 0));
  const p = cls === 'artery' ? pa : pa.map((x) => 1 - x);
  return setsOfSix(p) <= exactSets ? exact(widths, p, k) : sampled(sorted, widths, pa, k, cls, seed);
}

/** How many sets of six the exact walk visits: the sets whose every member may be of the class, each once. */
function setsOfSix(p: number[]): number {
  // ways[c]: ways to choose the remaining KNUDTSON_VESSELS - c from the vessels after the current one.
  let ways = Array.from({ length: KNUDTSON_VESSELS + 1 }, (_, c): number => (c === KNUDTSON_VESSELS ? 1 : 0));
  for (let i = p.length - 1; i >= 0; i--)
    ways = ways.map((w, c) =>
      c === KNUDTSON_VESSELS ? 1 : (p[i] > 0 ? ways[c + 1] : 0) + (p[i] < 1 ? w : 0),
    );
  return ways[0];
}

/**
 * The walk over the sets of six, widest first. Knudtson's first round pairs the 1st with the 6th, the 2nd with the 5th
 * and the 3rd with the 4th chosen, so each pair is combined once where its narrower vessel is chosen, shared by every
 * set below; the rest is knudtsonEquivalent's, written out for three values.
 */
function exact(widths: number[], p: number[], k: number): number | null {
  const n = widths.length;
  const six = new Float64Array(KNUDTSON_VESSELS);
  const pairs = new Float64Array(3);
  let sum = 0;
  let total = 0;
  const visit = (i: number, chosen: number, weight: number): void => {
    if (chosen === KNUDTSON_VESSELS) {
      sum += weight * fromPairs(pairs[0], pairs[1], pairs[2], k);
      total += weight;
      return;
    }
    if (n - i < KNUDTSON_VESSELS - chosen) return;
    if (p[i] > 0) {
      six[chosen] = widths[i];
      if (chosen >= 3) pairs[5 - chosen] = k * norm(six[5 - chosen], widths[i]);
      visit(i + 1, chosen + 1, weight * p[i]);
    }
    if (p[i] < 1) visit(i + 1, chosen, weight * (1 - p[i]));
  };
  visit(0, 0, 1);
  return total > 0 ? sum / total : null;
}

/** Knudtson's rounds after the first on its three values: the widest with the narrowest, then the last pair. */
function fromPairs(a: number, b: number, c: number, k: number): number {
  const middle = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  return k * norm(k * norm(Math.max(a, b, c), Math.min(a, b, c)), middle);
}

/** sqrt(a^2 + b^2): Math.hypot's guard against overflow costs twenty times as much, and widths never overflow. */
function norm(a: number, b: number): number {
  return Math.sqrt(a * a + b * b);
}

/**
 * The conditional mean over FALLBACK_DRAWS labellings with common random numbers: a vessel's uniform in draw d is a
 * hash of (seed, d, its hard class and width rank within it), shared by every computation that meets the same vessel.
 */
function sampled(
  sorted: LabelledWidth[],
  widths: number[],
  pa: number[],
  k: number,
  cls: VesselClass,
  seed: number,
): number | null {
  const rank = { artery: 0, vein: 0 };
  const keys = sorted.map((v) => 2 * rank[v.av]++ + (v.av === 'artery' ? 0 : 1));
  const six: number[] = [];
  let sum = 0;
  let n = 0;
  for (let d = 0; d < FALLBACK_DRAWS; d++) {
    six.length = 0;
    for (let i = 0; i < widths.length && six.length < KNUDTSON_VESSELS; i++) {
      // One uniform per vessel and draw decides its label (artery below its artery probability) for both classes.
      if (uniform(seed, d, keys[i]) < pa[i] === (cls === 'artery')) six.push(widths[i]);
    }
    if (six.length < KNUDTSON_VESSELS) continue;
    sum += knudtsonEquivalent(six, k);
    n++;
  }
  return n > 0 ? sum / n : null;
}

/** A uniform in [0, 1) from (seed, draw, key), each mixed in by a 32-bit bijection (lowbias32). */
function uniform(seed: number, draw: number, key: number): number {
  const mix = (x: number): number => {
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    return x ^ (x >>> 16);
  };
  return (mix(mix(mix(seed ^ 0x9e3779b9) ^ draw) ^ key) >>> 0) / 4294967296;
}
