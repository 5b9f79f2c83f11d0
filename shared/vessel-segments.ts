// Vessel segments between junctions, for decisions that belong to a whole vessel rather than a pixel (one
// artery/vein label per segment). The mask's skeleton, thinned to one pixel, is cut at its junctions (skeleton pixels
// with three or more skeleton neighbours); each remaining 8-connected piece is a segment, and every vessel pixel joins the segment of
// its nearest skeleton pixel (a breadth-first flood inside the mask). Pure: the engine votes with it, the renderer
// flips a whole segment's artery/vein label with it.

/** Labels of an artery/vein map: every pixel of the vessel mask is artery or vein. */
export const AV_CLASS = { background: 0, artery: 1, vein: 2 } as const;
export type AvClass = (typeof AV_CLASS)[keyof typeof AV_CLASS];
import { components, skeletonDegree, skeletonize, thinToOnePixel } from './skeleton.js';

export interface VesselSegments {
  /** The mask's skeleton the segments were cut from (1 on skeleton pixels). */
  skeleton: Uint8Array;
  /** Per pixel: segment id (1..count), 0 = background or junction-owned. */
  owner: Int32Array;
  count: number;
  /** Per segment (index 0 unused): skeleton length in pixels. */
  length: number[];
}

export function vesselSegments(mask: Uint8Array, w: number, h: number): VesselSegments {
  const skel = thinToOnePixel(skeletonize(mask, w, h), w, h);
  const pieces = new Uint8Array(w * h);
  for (let i = 0; i < skel.length; i++) if (skel[i] && skeletonDegree(skel, w, h, i) <= 2) pieces[i] = 1;
  const { labels, sizes } = components(pieces, w, h);
  const owner = Int32Array.from(labels);
  // Flood the segment ids out through the mask, nearest skeleton pixel first.
  let frontier: number[] = [];
  for (let i = 0; i < owner.length; i++) if (owner[i]) frontier.push(i);
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const i of frontier) {
      const x = i % w;
      const id = owner[i];
      const around = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w];
      for (const j of around) {
        if (j < 0 || j >= owner.length || !mask[j] || owner[j]) continue;
        owner[j] = id;
        next.push(j);
      }
    }
    frontier = next;
  }
  return { skeleton: skel, owner, count: sizes.length - 1, length: sizes };
}

/**
 * Replaces each pixel's value by its segment's mean (of `values` over the segment's pixels) where the segment's
 * skeleton is at least `minLength` pixels; shorter segments and unowned pixels keep their own value.
 */
export function segmentMeans(values: Float32Array, seg: VesselSegments, minLength: number): Float32Array {
  return withSegmentValues(values, seg, segmentMeanValues(values, seg), minLength);
}

/** Per segment (index 0 unused) the mean of `values` over its pixels (0 for a segment without pixels). */
export function segmentMeanValues(values: Float32Array, seg: VesselSegments): Float64Array {
  const sum = new Float64Array(seg.count + 1);
  const n = new Float64Array(seg.count + 1);
  for (let i = 0; i < values.length; i++) {
    const id = seg.owner[i];
    if (id) {
      sum[id] += values[i];
      n[id]++;
    }
  }
  for (let id = 1; id <= seg.count; id++) sum[id] = n[id] > 0 ? sum[id] / n[id] : 0;
  return sum;
}

/**
 * `values` with each pixel of a segment at least `minLength` long replaced by that segment's value in `perSegment`;
 * shorter segments and unowned pixels keep their own value.
 */
export function withSegmentValues(
  values: Float32Array,
  seg: VesselSegments,
  perSegment: ArrayLike<number>,
  minLength: number,
): Float32Array {
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) {
    const id = seg.owner[i];
    if (id && seg.length[id] >= minLength) out[i] = perSegment[id];
  }
  return out;
}

/**
 * The segment under pixel `i` of a mask (the segment owning it, or the one owning the nearest vessel pixel within
 * `reach` pixels for a click just off a thin vessel); 0 when there is none.
 */
export function segmentNear(seg: VesselSegments, w: number, h: number, i: number, reach = 3): number {
  if (seg.owner[i]) return seg.owner[i];
  const x0 = i % w;
  const y0 = (i - x0) / w;
  let best = 0;
  let bestD = Infinity;
  for (let y = Math.max(0, y0 - reach); y <= Math.min(h - 1, y0 + reach); y++) {
    for (let x = Math.max(0, x0 - reach); x <= Math.min(w - 1, x0 + reach); x++) {
      const id = seg.owner[y * w + x];
      const d = (x - x0) ** 2 + (y - y0) ** 2;
      if (id && d < bestD) {
        bestD = d;
        best = id;
      }
    }
  }
  return best;
}
