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
 * Where the path changes its turning sense: the extremes of its heading (taken over `reach` points either side, so
 * a pixel staircase does not count), kept only when the heading swings back by at least `minTurn` radians after
 * them (a zig-zag filter), so noise smaller than that never makes an inflection.
 */
export function inflections(points: Point[], reach: number, minTurn = 0.1): number[] {
  const heading: number[] = [];
  for (let i = reach; i < points.length - reach; i++) {
    let a = Math.atan2(points[i + reach].y - points[i - reach].y, points[i + reach].x - points[i - reach].x);
    const prev = heading[heading.length - 1];
    if (prev !== undefined) a += 2 * Math.PI * Math.round((prev - a) / (2 * Math.PI));
    heading.push(a);
  }
  const out: number[] = [];
  if (heading.length < 2) return out;
  let dir = 0;
  let hi = heading[0];
  let hiAt = 0;
  let lo = heading[0];
  let loAt = 0;
  for (let j = 1; j < heading.length; j++) {
    const h = heading[j];
    if (h > hi) [hi, hiAt] = [h, j];
    if (h < lo) [lo, loAt] = [h, j];
    if (dir >= 0 && hi - h >= minTurn) {
      if (dir === 1) out.push(hiAt + reach);
      dir = -1;
      [lo, loAt] = [h, j];
    } else if (dir <= 0 && h - lo >= minTurn) {
      if (dir === -1) out.push(loAt + reach);
      dir = 1;
      [hi, hiAt] = [h, j];
    }
  }
  return out;
}

/**
 * Tortuosity density (Grisan, Foracchia and Ruggeri 2008): the path is cut at its inflection points into n arcs of
 * constant turning sense; TD = (n - 1)/n * (1/L) * sum(L_i / S_i - 1), L the total length, L_i and S_i each arc's
 * length and chord. Zero for a straight or a single-bend vessel.
 */
export function tortuosityDensity(points: Point[], reach: number): number {
  const cuts = [0, ...inflections(points, reach), points.length - 1];
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
