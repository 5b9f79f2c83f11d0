// Probability maps to binary masks, and the difference between a prediction and its correction.
//
// Probability maps come as Float32 in [0, 1], as Uint16 where p = value / 65535, or as Uint8 where p = value / 255
// (the store's precision, which the transport carries). A pixel is vessel when p >= t. For integers the comparison
// is done on integers, value >= ceil(t * 65535), which is the same test without rounding surprises; a Uint8 value
// v is tested as the Uint16 value 257 v it equals, so both give the same mask at every threshold.

import { probabilityCut } from '../../../shared/mask-bits.js';
import { checkMask, type Rect } from './rect.js';

export type ProbabilityMap = Float32Array | Uint16Array | Uint8Array;

// The cut is shared with main, which packs a prediction's mask exactly as this thresholds it.
export { probabilityCut };

/** Thresholds `prob` at `t` into `out` (allocated when omitted); returns `out`. Optional `rect` limits the work. */
export function thresholdProbabilities(
  prob: ProbabilityMap,
  t: number,
  out?: Uint8Array,
  region?: { width: number; rect: Rect },
): Uint8Array {
  if (!Number.isFinite(t)) throw new RangeError(`threshold ${t} is not a number`);
  const mask = out ?? new Uint8Array(prob.length);
  if (mask.length !== prob.length) {
    throw new RangeError(`threshold output has ${mask.length} bytes for ${prob.length} probabilities`);
  }
  const cut = probabilityCut(prob, t);
  if (region) {
    const { width, rect } = region;
    for (let j = rect.y; j < rect.y + rect.height; j++)
      thresholdRun(prob, cut, mask, j * width + rect.x, j * width + rect.x + rect.width);
  } else {
    thresholdRun(prob, cut, mask, 0, prob.length);
  }
  return mask;
}

/**
 * mask[p] = prob[p] >= cut over [from, to). One loop per element type: a single loop over all three array kinds
 * is megamorphic and several times slower, which an 8 M pixel image pays on every open.
 */
function thresholdRun(prob: ProbabilityMap, cut: number, mask: Uint8Array, from: number, to: number): void {
  if (prob instanceof Uint8Array) {
    const done = from === 0 ? thresholdU8Words(prob, cut, mask, to) : from;
    thresholdU8(prob, cut, mask, done, to);
  } else if (prob instanceof Uint16Array) thresholdU16(prob, cut, mask, from, to);
  else if (prob instanceof Float32Array) thresholdF32(prob, cut, mask, from, to);
  else for (let p = from; p < to; p++) mask[p] = prob[p] >= cut ? 1 : 0; // another realm's array
}

// For integers, without a branch (p >= cut exactly when p - cut is not negative): probabilities near the cut
// would otherwise make the branch unpredictable.
function thresholdU8(prob: Uint8Array, cut: number, mask: Uint8Array, from: number, to: number): void {
  for (let p = from; p < to; p++) mask[p] = 1 + ((prob[p] - cut) >> 31);
}

/**
 * Four bytes at a time over [0, to), where both arrays are 4-byte aligned; returns where it stopped (the caller
 * does the rest byte by byte). Opening a large image runs this once, often before the JIT has optimised it, so a
 * quarter of the iterations matters. Each byte's test, v >= cut, is bit 8 of v + (256 - cut): even and odd bytes
 * are summed in separate 16-bit lanes so no carry crosses into a neighbour. Lanes map to the same bytes of input
 * and output whatever the machine's byte order.
 */
export function thresholdU8Words(prob: Uint8Array, cut: number, mask: Uint8Array, to: number): number {
  if (prob.byteOffset % 4 !== 0 || mask.byteOffset % 4 !== 0 || cut < 1 || cut > 255) return 0;
  const n = to >> 2;
  const words = new Uint32Array(prob.buffer, prob.byteOffset, n);
  const out = new Uint32Array(mask.buffer, mask.byteOffset, n);
  const add = (256 - cut) * 0x00010001;
  for (let k = 0; k < n; k++) {
    const w = words[k];
    const even = ((w & 0x00ff00ff) + add) >>> 8;
    const odd = ((w >>> 8) & 0x00ff00ff) + add;
    out[k] = (even & 0x00010001) | (odd & 0x01000100);
  }
  return n << 2;
}

function thresholdU16(prob: Uint16Array, cut: number, mask: Uint8Array, from: number, to: number): void {
  for (let p = from; p < to; p++) mask[p] = 1 + ((prob[p] - cut) >> 31);
}

function thresholdF32(prob: Float32Array, cut: number, mask: Uint8Array, from: number, to: number): void {
  for (let p = from; p < to; p++) mask[p] = prob[p] >= cut ? 1 : 0;
}

/** Difference classes, one byte per pixel. */
export const DIFF_NONE = 0; // in neither
export const DIFF_BOTH = 1; // predicted and kept
export const DIFF_ADDED = 2; // added by the correction
export const DIFF_REMOVED = 3; // predicted, removed by the correction

export interface DiffCounts {
  both: number;
  added: number;
  removed: number;
}

/**
 * Classifies each pixel of `prediction` vs `correction` (both 0/1 masks of one size) into `out`, over the whole
 * mask or `rect` of a mask `width` wide. Returns the counts over the pixels visited.
 */
export function classifyDifference(
  prediction: Uint8Array,
  correction: Uint8Array,
  out: Uint8Array,
  width: number,
  height: number,
  rect?: Rect,
): DiffCounts {
  checkMask(prediction, width, height);
  checkMask(correction, width, height);
  checkMask(out, width, height);
  const r = rect ?? { x: 0, y: 0, width, height };
  const counts: DiffCounts = { both: 0, added: 0, removed: 0 };
  for (let j = r.y; j < r.y + r.height; j++) {
    const end = j * width + r.x + r.width;
    for (let p = j * width + r.x; p < end; p++) {
      const a = prediction[p] !== 0;
      const b = correction[p] !== 0;
      const c = a ? (b ? DIFF_BOTH : DIFF_REMOVED) : b ? DIFF_ADDED : DIFF_NONE;
      out[p] = c;
      if (c === DIFF_BOTH) counts.both++;
      else if (c === DIFF_ADDED) counts.added++;
      else if (c === DIFF_REMOVED) counts.removed++;
    }
  }
  return counts;
}
