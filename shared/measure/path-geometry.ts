// Geometry along one centreline: smoothing (a pixel chain's staircase would add up to 8% to a straight vessel's
// length), arc length, tangents, and the two tortuosity measures of the literature.
import type { Point } from './centrelines.js';

/** Gaussian smoothing of a path's coordinates; the window shrinks symmetrically at the ends so they stay put. */
export function smoothPath(points: Point[], sigma: number): Point[] {
  const n = points.length;
  if (n < 3 || sigma <= 0) return points.map((p) => ({ ...p }));
  const radius = Math.ceil(2.5 * sigma);
  const weights = Array.from({ length: radius + 1 }, (_, k) => Math.exp(-(k * k) / (2 * sigma * sigma)));
  return points.map((_, i) => {
    const r = Math.min(radius, i, n - 1 - i);
    let sx = 0;
    let sy = 0;
    let sw = 0;
    for (let k = -r; k <= r; k++) {
      const wgt = weights[Math.abs(k)];
      sx += points[i + k].x * wgt;
      sy += points[i + k].y * wgt;
      sw += wgt;
    }
    return { x: sx / sw, y: sy / sw };
  });
}

export function arcLength(points: Point[], from = 0, to = points.length - 1): number {
  let len = 0;
  for (let i = from + 1; i <= to; i++)
    len += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  return len;
}

export function chord(points: Point[], from = 0, to = points.length - 1): number {
  return Math.hypot(points[to].x - points[from].x, points[to].y - points[from].y);
}

/** Unit tangent at point i, from the points `reach` steps either side. */
export function tangentAt(points: Point[], i: number, reach: number): Point {
  const a = points[Math.max(0, i - reach)];
  const b = points[Math.min(points.length - 1, i + reach)];
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  return { x: dx / len, y: dy / len };
}

/** Distance factor (arc length over chord; 1 for a straight vessel), after Bribiesca / AutoMorph's "distance tortuosity". */
export function distanceFactor(points: Point[]): number {
  const c = chord(points);
  return c > 0 ? arcLength(points) / c : 1;
}

/**
 * Turning direction changes along a smoothed path: indices where the sign of the discrete curvature flips, ignoring
 * bends whose turning angle stays below `minTurn` radians (noise).
 */
export function inflections(points: Point[], step: number, minTurn = 0.05): number[] {
  const out: number[] = [];
  let sign = 0;
  let turned = 0;
  for (let i = step; i < points.length - step; i++) {
    const a = points[i - step];
    const b = points[i];
    const c = points[i + step];
    const cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    const dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y);
    const angle = Math.atan2(cross, dot) / step;
    const s = Math.sign(angle);
    if (s === 0) continue;
    if (s !== sign) {
      // The curve turns the other way from here; the change counts once the bend before it was real.
      if (sign !== 0 && turned >= minTurn) out.push(i);
      sign = s;
      turned = 0;
    }
    turned += Math.abs(angle);
  }
  return out;
}

/**
 * Tortuosity density (Grisan, Foracchia and Ruggeri 2008): the path is cut at its inflection points into n arcs of
 * constant turning sense; TD = (n - 1)/n * (1/L) * sum(L_i / S_i - 1), L the total length, L_i and S_i each arc's
 * length and chord. Zero for a straight or a single-bend vessel.
 */
export function tortuosityDensity(points: Point[], step: number): number {
  const cuts = [0, ...inflections(points, step), points.length - 1];
  const n = cuts.length - 1;
  const total = arcLength(points);
  if (n < 1 || total <= 0) return 0;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const s = chord(points, cuts[k], cuts[k + 1]);
    if (s > 0) sum += arcLength(points, cuts[k], cuts[k + 1]) / s - 1;
  }
  return ((n - 1) / n) * (sum / total);
}
