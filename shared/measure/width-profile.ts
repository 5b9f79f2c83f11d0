// Vessel width edge to edge, perpendicular to the centreline, with sub-pixel edges: the field (the binary mask as
// 0/1, or a probability map) is sampled bilinearly along the normal and each edge is where it falls through the
// level. For a binary mask at level 0.5 the edge lands on the boundary between the last vessel pixel and the first
// background pixel, so a vessel drawn w pixels wide measures w on average along its length.
import type { Point } from './centrelines.js';

export interface Field {
  width: number;
  height: number;
  /** Values in [0, 1]: 1 vessel. */
  data: Float32Array | Uint8Array;
}

function sample(f: Field, x: number, y: number): number {
  if (x < 0 || y < 0 || x > f.width - 1 || y > f.height - 1) return 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, f.width - 1);
  const y1 = Math.min(y0 + 1, f.height - 1);
  const fx = x - x0;
  const fy = y - y0;
  const d = f.data;
  const top = d[y0 * f.width + x0] * (1 - fx) + d[y0 * f.width + x1] * fx;
  const bottom = d[y1 * f.width + x0] * (1 - fx) + d[y1 * f.width + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Default step along the normal, in pixels: fine enough that interpolating between samples is sub-pixel exact. */
const STEP = 0.25;

/**
 * Distance from `p` along direction `n` to where the field first drops below `level`; null when it does not within
 * `reach` pixels or when `p` itself is below the level.
 */
export function edgeDistance(
  f: Field,
  p: Point,
  n: Point,
  level: number,
  reach: number,
  step = STEP,
): number | null {
  let prev = sample(f, p.x, p.y);
  if (prev < level) return null;
  for (let t = step; t <= reach; t += step) {
    const v = sample(f, p.x + n.x * t, p.y + n.y * t);
    if (v < level) return t - step + (step * (prev - level)) / (prev - v);
    prev = v;
  }
  return null;
}

/** The field's highest value across the vessel near `p` (within 2 px along the normal `n`). */
function localPeak(f: Field, p: Point, n: Point): number {
  let peak = 0;
  for (let t = -2; t <= 2; t += 0.5) peak = Math.max(peak, sample(f, p.x + n.x * t, p.y + n.y * t));
  return peak;
}

/**
 * Widths edge to edge through `p` along the normal of unit tangent `t`, with each edge where the field falls
 * through `level` times the vessel's own peak (0.5: the full width at half maximum); null where an edge is not
 * found. For a binary mask the peak is 1, so 0.5 is the mask's own edge; on a probability map the half maximum,
 * unlike a fixed cut, stays put when the map is blurred (a photograph enlarged and shrunk again gives the same
 * widths). The sum of both sides does not depend on where between the edges `p` lies.
 */
export function widthsAt(
  f: Field,
  p: Point,
  t: Point,
  levels: number[],
  reach: number,
  step = STEP,
): (number | null)[] {
  const n = { x: -t.y, y: t.x };
  const back = { x: t.y, y: -t.x };
  const peak = localPeak(f, p, n);
  return levels.map((level) => {
    if (peak < 0.05) return null;
    const a = edgeDistance(f, p, n, level * peak, reach, step);
    const b = edgeDistance(f, p, back, level * peak, reach, step);
    return a === null || b === null ? null : a + b;
  });
}
