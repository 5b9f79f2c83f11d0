// Lasso fill and erase: rasterises a closed polygon by scanlines. Pixel (i, j) is inside when its centre
// (i + 0.5, j + 0.5) is inside the polygon; centres exactly on a left edge are in, on a right edge out
// (half-open spans), so two lassos that share an edge never both claim its pixels.
//
// Fill rule: 'nonzero' (the default) fills every area the outline winds around, so a hand-drawn lasso that
// crosses itself while circling the same way has no holes; 'evenodd' alternates inside/outside at every crossing.

import { BoundsAccumulator, checkMask, type Point, type Rect, type SpanHook } from './rect.js';

export type FillRule = 'nonzero' | 'evenodd';

let xs = new Float64Array(64);
let dirs = new Int8Array(64);

/** Fills (value 1) or erases (value 0) the polygon `points` (closed implicitly). Returns the rectangle written. */
export function fillPolygon(
  mask: Uint8Array,
  width: number,
  height: number,
  points: readonly Point[],
  value: 0 | 1,
  rule: FillRule = 'nonzero',
  onSpan?: SpanHook,
): Rect {
  checkMask(mask, width, height);
  const bounds = new BoundsAccumulator();
  const n = points.length;
  if (n < 3) return bounds.toRect();
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new RangeError('lasso has a non-finite point');
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  if (xs.length < n) {
    xs = new Float64Array(n);
    dirs = new Int8Array(n);
  }
  const jStart = Math.max(0, Math.ceil(minY - 0.5));
  const jEnd = Math.min(height - 1, Math.floor(maxY - 0.5));
  for (let j = jStart; j <= jEnd; j++) {
    const yc = j + 0.5;
    let count = 0;
    for (let k = 0; k < n; k++) {
      const a = points[k];
      const b = points[k + 1 === n ? 0 : k + 1];
      // Half-open in y: an edge covers [min y, max y), so a vertex on the scanline is counted once.
      let dir = 0;
      if (a.y <= yc && b.y > yc) dir = 1;
      else if (b.y <= yc && a.y > yc) dir = -1;
      if (dir === 0) continue;
      const x = a.x + ((yc - a.y) / (b.y - a.y)) * (b.x - a.x);
      // Insertion sort: crossings per scanline are few for hand-drawn outlines.
      let m = count++;
      while (m > 0 && xs[m - 1] > x) {
        xs[m] = xs[m - 1];
        dirs[m] = dirs[m - 1];
        m--;
      }
      xs[m] = x;
      dirs[m] = dir;
    }
    let winding = 0;
    for (let m = 0; m + 1 < count; m++) {
      winding += rule === 'evenodd' ? 1 : dirs[m];
      const inside = rule === 'evenodd' ? (winding & 1) === 1 : winding !== 0;
      if (!inside) continue;
      // Centres c with xs[m] <= c < xs[m+1]  <=>  ceil(xs[m] - 0.5) <= i < ceil(xs[m+1] - 0.5).
      const i0 = Math.max(0, Math.ceil(xs[m] - 0.5));
      const i1 = Math.min(width, Math.ceil(xs[m + 1] - 0.5));
      if (i1 <= i0) continue;
      onSpan?.(j, i0, i1);
      mask.fill(value, j * width + i0, j * width + i1);
      bounds.addSpan(j, i0, i1);
    }
  }
  return bounds.toRect();
}
