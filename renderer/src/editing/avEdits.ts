// Artery/vein corrections: the brush in artery or vein mode, which labels vessel pixels only (the mask never
// changes), and the flip of a whole vessel segment (between two junctions of the mask's skeleton, as the engine
// votes) under the pointer.

import { AV_VALUES } from '../../../shared/contract.js';
import { segmentNear, type VesselSegments } from '../../../shared/vessel-segments.js';
import { strokeSegment } from './brush.js';
import { BoundsAccumulator, checkMask, type Point, type Rect, type SpanHook } from './rect.js';

export type AvLabel = typeof AV_VALUES.artery | typeof AV_VALUES.vein;

/**
 * Paints `label` onto the vessel pixels under the brush capsule from `from` to `to` (the brush's own
 * rasterisation); background pixels stay unlabelled. Returns the rectangle of labels changed.
 */
export function paintLabels(
  labels: Uint8Array,
  mask: Uint8Array,
  width: number,
  height: number,
  from: Point,
  to: Point,
  radius: number,
  label: AvLabel,
  onSpan?: SpanHook,
): Rect {
  checkMask(labels, width, height);
  checkMask(mask, width, height);
  const changed = new BoundsAccumulator();
  // The capsule's spans, as the brush rasterises it, drawn into a scratch box around it (its own coordinates).
  const r = Math.max(radius, 0.5) + 2;
  const bx = Math.max(0, Math.floor(Math.min(from.x, to.x) - r));
  const by = Math.max(0, Math.floor(Math.min(from.y, to.y) - r));
  const bw = Math.min(width, Math.ceil(Math.max(from.x, to.x) + r)) - bx;
  const bh = Math.min(height, Math.ceil(Math.max(from.y, to.y) + r)) - by;
  if (bw <= 0 || bh <= 0) return changed.toRect();
  const covered: [number, number, number][] = [];
  const shift = (p: Point): Point => ({ x: p.x - bx, y: p.y - by });
  strokeSegment(new Uint8Array(bw * bh), bw, bh, shift(from), shift(to), radius, 1, (y, x0, x1) =>
    covered.push([y + by, x0 + bx, x1 + bx]),
  );
  for (const [y, x0, x1] of covered) {
    let run = -1;
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      const writes = x < x1 && mask[i] !== 0 && labels[i] !== label;
      if (writes && run < 0) run = x;
      if (!writes && run >= 0) {
        onSpan?.(y, run, x);
        labels.fill(label, y * width + run, i);
        changed.addSpan(y, run, x);
        run = -1;
      }
    }
  }
  return changed.toRect();
}

/** The label most of the segment's pixels have (artery on a tie), or 0 for an unlabelled segment. */
function majority(labels: Uint8Array, seg: VesselSegments, id: number): number {
  let artery = 0;
  let vein = 0;
  for (let i = 0; i < labels.length; i++) {
    if (seg.owner[i] !== id) continue;
    if (labels[i] === AV_VALUES.artery) artery++;
    else if (labels[i] === AV_VALUES.vein) vein++;
  }
  if (artery + vein === 0) return 0;
  return artery >= vein ? AV_VALUES.artery : AV_VALUES.vein;
}

/**
 * Flips the segment under image pixel `at` (or the nearest one within `reach` pixels): every pixel it owns takes
 * the opposite of the segment's majority label. `segments` must be those of the current mask. Returns the
 * rectangle changed (empty when no segment is there).
 */
export function flipSegment(
  labels: Uint8Array,
  segments: VesselSegments,
  width: number,
  height: number,
  at: Point,
  reach = 3,
  onSpan?: SpanHook,
): Rect {
  return flipSegmentsFrom(labels, segments, width, height, at, reach, (start) => [start], onSpan);
}

/**
 * The flip both tools share: from the segment under `at` (or the nearest within `reach`), `chosen` names the
 * segments to flip (the start among them); every pixel they own takes the opposite of the start segment's majority
 * label. Returns the rectangle changed (empty when no segment is there).
 */
export function flipSegmentsFrom(
  labels: Uint8Array,
  segments: VesselSegments,
  width: number,
  height: number,
  at: Point,
  reach: number,
  chosen: (start: number) => Iterable<number>,
  onSpan?: SpanHook,
): Rect {
  checkMask(labels, width, height);
  const changed = new BoundsAccumulator();
  const x = Math.floor(at.x);
  const y = Math.floor(at.y);
  if (x < 0 || y < 0 || x >= width || y >= height) return changed.toRect();
  const start = segmentNear(segments, width, height, y * width + x, reach);
  if (!start) return changed.toRect();
  const to = majority(labels, segments, start) === AV_VALUES.artery ? AV_VALUES.vein : AV_VALUES.artery;
  const flipped = new Uint8Array(segments.count + 1);
  for (const id of chosen(start)) flipped[id] = 1;
  for (let i = 0; i < labels.length; i++) {
    const id = segments.owner[i];
    if (!id || !flipped[id] || labels[i] === to) continue;
    const px = i % width;
    const py = (i - px) / width;
    onSpan?.(py, px, px + 1);
    labels[i] = to;
    changed.addSpan(py, px, px + 1);
  }
  return changed.toRect();
}
