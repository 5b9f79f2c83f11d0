// The flip of a whole vessel: the engine votes artery/vein along the vessel tree, so a wrong label usually covers
// several segments in a row (through branch points and crossings), and flipping them one at a time takes a click
// each. From the segment under the pointer the walk goes on, at each end, through the node there onto the arm that
// continues straightest, as long as that arm carries the same label: at a crossing that is the same vessel, at a
// branch point the vessel's continuation; a side branch turns too sharply to be taken, or is much thinner than the
// vessel (a vessel keeps its calibre through a branch point, its side branches are thinner). Spurs along the way (a
// terminal piece no longer than the vessel is wide, mostly the skeleton's response to a ragged edge) go with it: they
// own some of the vessel's own pixels.

import { AV_VALUES } from '../../../shared/contract.js';
import { CANONICAL_SHORT_PIECE, type ArmDirection, type SegmentNode } from '../../../shared/segment-nodes.js';
import type { VesselSegments } from '../../../shared/vessel-segments.js';
import { flipSegmentsFrom } from './avEdits.js';
import type { Point, Rect, SpanHook } from './rect.js';

/** The diagonal of the canonical frame (about DRIVE's 565x584), in pixels. */
const CANONICAL_DIAGONAL = 813;

/** The short piece for `segmentNodes` at an image's own resolution: the canonical one, scaled up for larger images. */
export function shortPieceAt(width: number, height: number): number {
  return Math.max(
    CANONICAL_SHORT_PIECE,
    Math.round((CANONICAL_SHORT_PIECE * Math.hypot(width, height)) / CANONICAL_DIAGONAL),
  );
}

/**
 * How the flip reads an arm's direction at an image's size: over a short piece's reach beyond the first vessel width
 * from the junction, where a wide vessel's skeleton has stopped bending into it (read right at the junction, a wide
 * vein bending 30 degrees looked like a turn of 45 and a thin branch beside it like the straight way on).
 */
export function armDirectionAt(width: number, height: number): ArmDirection {
  return { reach: shortPieceAt(width, height), skipWidth: true };
}

/** Two arms continue one vessel when at least this straight (1: no bend; 0.7: a turn of about 45 degrees). */
export const VESSEL_STRAIGHTNESS = 0.7;

/** Per segment (index 0 unused) the label most of its pixels have (artery on a tie), 0 when none is labelled. */
function segmentMajorities(labels: Uint8Array, seg: VesselSegments): Uint8Array {
  const artery = new Uint32Array(seg.count + 1);
  const vein = new Uint32Array(seg.count + 1);
  for (let i = 0; i < labels.length; i++) {
    const id = seg.owner[i];
    if (labels[i] === AV_VALUES.artery) artery[id]++;
    else if (labels[i] === AV_VALUES.vein) vein[id]++;
  }
  const out = new Uint8Array(seg.count + 1);
  for (let id = 1; id <= seg.count; id++) {
    if (artery[id] + vein[id] > 0) out[id] = artery[id] >= vein[id] ? AV_VALUES.artery : AV_VALUES.vein;
  }
  return out;
}

/** Per segment (index 0 unused): its mean width, the pixels it owns over its skeleton's length. */
function segmentWidths(seg: VesselSegments): Float64Array {
  const pixels = new Float64Array(seg.count + 1);
  for (let i = 0; i < seg.owner.length; i++) if (seg.owner[i]) pixels[seg.owner[i]]++;
  for (let id = 1; id <= seg.count; id++) pixels[id] /= Math.max(1, seg.length[id]);
  return pixels;
}

/**
 * How much a change of width counts against an arm, per unit of |ln(width ratio)|: a side branch half the vessel's
 * width loses 0.35 of straightness (about the difference between running on straight and bending 45 degrees).
 */
const WIDTH_WEIGHT = 0.5;

/**
 * The arm of `node` that continues `from` best among those `allowed` and straight enough: the straightest, less a
 * penalty for a change of width; null when none is straight enough.
 */
function continuationOn(
  node: SegmentNode,
  from: number,
  allowed: (segment: number) => boolean,
  width: Float64Array,
): number | null {
  const arm = node.arms.find((a) => a.segment === from)!;
  let best: number | null = null;
  let bestScore = -Infinity;
  for (const other of node.arms) {
    if (other.segment === from || !allowed(other.segment)) continue;
    const straightness = -(arm.dx * other.dx + arm.dy * other.dy);
    if (straightness < VESSEL_STRAIGHTNESS) continue;
    const ratio = Math.log(Math.max(0.5, width[other.segment]) / Math.max(0.5, width[from]));
    const score = straightness - WIDTH_WEIGHT * Math.abs(ratio);
    if (score > bestScore) {
      bestScore = score;
      best = other.segment;
    }
  }
  return best;
}

function walk(seg: VesselSegments, major: Uint8Array, nodes: SegmentNode[], start: number): number[] {
  const nodesOf = new Map<number, SegmentNode[]>();
  for (const n of nodes) {
    for (const a of n.arms) {
      if (!nodesOf.has(a.segment)) nodesOf.set(a.segment, []);
      nodesOf.get(a.segment)!.push(n);
    }
  }
  const width = segmentWidths(seg);
  const label = major[start];
  const vessel = [start];
  const seen = new Set(vessel);
  const allowed = (s: number) => !seen.has(s) && major[s] === label;
  const passed = new Set<SegmentNode>();
  for (const end of nodesOf.get(start) ?? []) {
    let node: SegmentNode | undefined = end;
    let from = start;
    while (node) {
      passed.add(node);
      const next = continuationOn(node, from, allowed, width);
      if (next === null) break;
      seen.add(next);
      vessel.push(next);
      const through: SegmentNode = node;
      // On from the segment's other end (none when both its ends meet the same node).
      node = nodesOf.get(next)!.find((n) => n !== through);
      from = next;
    }
  }
  // Spurs at the nodes the vessel passes: a terminal piece of the same label, no longer than the vessel is wide.
  for (const node of passed) {
    const along = node.arms.filter((a) => seen.has(a.segment));
    const wide = Math.max(...along.map((a) => width[a.segment]));
    for (const a of node.arms) {
      const s = a.segment;
      if (!allowed(s) || (nodesOf.get(s)?.length ?? 0) !== 1 || seg.length[s] > Math.max(3, wide)) continue;
      seen.add(s);
      vessel.push(s);
    }
  }
  return vessel;
}

/**
 * The segment ids of the vessel through segment `start` (itself first): from each of its ends, on through each node
 * onto the arm with the start segment's majority label that continues it straightest and closest in width, while the
 * turn is at most about 45 degrees, never visiting a segment twice; and the spurs at the nodes passed. `nodes` are `segmentNodes` of the same segments.
 */
export function vesselThrough(
  segments: VesselSegments,
  nodes: SegmentNode[],
  labels: Uint8Array,
  start: number,
): number[] {
  return walk(segments, segmentMajorities(labels, segments), nodes, start);
}

/**
 * Flips the vessel through the segment under image pixel `at` (or the nearest one within `reach` pixels): every
 * pixel its segments own takes the opposite of that segment's majority label. `segments` and `nodes` must be those
 * of the current mask. Returns the rectangle changed (empty when no segment is there).
 */
export function flipVessel(
  labels: Uint8Array,
  segments: VesselSegments,
  nodes: SegmentNode[],
  width: number,
  height: number,
  at: Point,
  reach = 3,
  onSpan?: SpanHook,
): Rect {
  return flipSegmentsFrom(
    labels,
    segments,
    width,
    height,
    at,
    reach,
    (start) => walk(segments, segmentMajorities(labels, segments), nodes, start),
    onSpan,
  );
}
