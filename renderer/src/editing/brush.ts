// Brush and eraser rasterisation. A stroke is a chain of capsules (the Minkowski sum of a segment and a disc),
// so consecutive pointer samples are joined without gaps however far apart they are.
//
// Exactness: pixel (i, j) has its centre at (i + 0.5, j + 0.5). A capsule paints exactly the pixels whose centre
// lies within `radius` of the segment (ties included, to 1e-9), computed analytically row by row, so the cost is
// O(rows + painted pixels) and never O(bounding box). Two additions keep tiny brushes usable:
//   - the radius is clamped to at least 0.5, which makes every stroke 8-connected;
//   - the pixel containing each endpoint is always painted (a click on a pixel corner still paints a pixel).

import { BoundsAccumulator, checkMask, type Point, type Rect, type SpanHook } from './rect.js';

const EPS = 1e-9;
export const MIN_BRUSH_RADIUS = 0.5;

/** Interval of x where coef * x lies in [lo, hi]; [-Inf, Inf] or empty (lo > hi) when coef is 0. */
function solveLinear(coef: number, lo: number, hi: number, out: Float64Array): void {
  if (coef > 0) {
    out[0] = lo / coef;
    out[1] = hi / coef;
  } else if (coef < 0) {
    out[0] = hi / coef;
    out[1] = lo / coef;
  } else if (lo <= EPS && hi >= -EPS) {
    out[0] = -Infinity;
    out[1] = Infinity;
  } else {
    out[0] = Infinity;
    out[1] = -Infinity;
  }
}

const scratch = new Float64Array(2);

/** Work counters a caller may pass to check the cost (tests do); strokes only ever add to them. */
export interface BrushWork {
  /** Rows examined. */
  rows: number;
  /** Pixels read or written. */
  pixels: number;
}

/**
 * Paints (value 1) or erases (value 0) the capsule from `from` to `to` with the given radius.
 * `onSpan` is called before each row run is written (the undo recorder uses it); `work`, when given, counts
 * the rows examined and the pixels touched.
 * Returns the rectangle of pixels written (empty when the capsule lies outside the mask).
 */
export function strokeSegment(
  mask: Uint8Array,
  width: number,
  height: number,
  from: Point,
  to: Point,
  radius: number,
  value: 0 | 1,
  onSpan?: SpanHook,
  work?: BrushWork,
): Rect {
  checkMask(mask, width, height);
  if (![from.x, from.y, to.x, to.y, radius].every(Number.isFinite)) {
    throw new RangeError('brush stroke has a non-finite coordinate or radius');
  }
  const r = Math.max(radius, MIN_BRUSH_RADIUS);
  const ax = from.x;
  const ay = from.y;
  const dx = to.x - ax;
  const dy = to.y - ay;
  const len2 = dx * dx + dy * dy;
  const rLen = r * Math.sqrt(len2);
  const r2 = r * r;
  const bounds = new BoundsAccumulator();

  const writeSpan = (j: number, i0: number, i1: number): void => {
    const lo = Math.max(0, i0);
    const hi = Math.min(width, i1);
    if (hi <= lo) return;
    onSpan?.(j, lo, hi);
    if (work) work.pixels += hi - lo;
    mask.fill(value, j * width + lo, j * width + hi);
    bounds.addSpan(j, lo, hi);
  };

  const jStart = Math.max(0, Math.floor(Math.min(ay, to.y) - r));
  const jEnd = Math.min(height - 1, Math.ceil(Math.max(ay, to.y) + r));
  if (work) work.rows += Math.max(0, jEnd - jStart + 1);
  for (let j = jStart; j <= jEnd; j++) {
    const yc = j + 0.5;
    let lo = Infinity;
    let hi = -Infinity;
    // End discs.
    const da = yc - ay;
    if (da * da <= r2 + EPS) {
      const half = Math.sqrt(Math.max(0, r2 - da * da));
      lo = Math.min(lo, ax - half);
      hi = Math.max(hi, ax + half);
    }
    const db = yc - to.y;
    if (db * db <= r2 + EPS) {
      const half = Math.sqrt(Math.max(0, r2 - db * db));
      lo = Math.min(lo, to.x - half);
      hi = Math.max(hi, to.x + half);
    }
    // The band between them: projection onto the segment in [0, len2], perpendicular distance <= r.
    if (len2 > 0) {
      const base = ax * dx - da * dy;
      solveLinear(dx, base, base + len2, scratch);
      let bandLo = scratch[0];
      let bandHi = scratch[1];
      const cross = ax * dy + da * dx;
      solveLinear(dy, cross - rLen, cross + rLen, scratch);
      bandLo = Math.max(bandLo, scratch[0]);
      bandHi = Math.min(bandHi, scratch[1]);
      if (bandLo <= bandHi) {
        lo = Math.min(lo, bandLo);
        hi = Math.max(hi, bandHi);
      }
    }
    // The capsule is convex, so the union of the three pieces on this row is one interval.
    if (lo <= hi) writeSpan(j, Math.ceil(lo - 0.5 - EPS), Math.floor(hi - 0.5 + EPS) + 1);
  }
  for (const p of [from, to]) {
    const i = Math.floor(p.x);
    const j = Math.floor(p.y);
    if (i < 0 || i >= width || j < 0 || j >= height) continue;
    if (work) work.pixels++;
    if (mask[j * width + i] !== value) writeSpan(j, i, i + 1);
  }
  return bounds.toRect();
}

/** Paints or erases one disc (a click without movement). */
export function stampDisc(
  mask: Uint8Array,
  width: number,
  height: number,
  center: Point,
  radius: number,
  value: 0 | 1,
  onSpan?: SpanHook,
  work?: BrushWork,
): Rect {
  return strokeSegment(mask, width, height, center, center, radius, value, onSpan, work);
}
