// The flip of a whole vessel: the engine votes artery/vein along the vessel tree, so a wrong label usually covers
// several segments in a row (through branch points and crossings), and flipping them one at a time takes a click
// each. From the segment under the pointer the walk goes on, at each end, through the node there onto the arm that
// continues straightest, as long as that arm carries the same label: at a crossing that is the same vessel, at a
// branch point the vessel's continuation; a side branch turns too sharply to be taken.

import { AV_VALUES } from '../../../shared/contract.js';
import { CANONICAL_SHORT_PIECE, type SegmentNode } from '../../../shared/segment-nodes.js';
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

/** The arm of `node` that continues `from` straightest among those `allowed`; null when none is straight enough. */
function straightestOn(
  node: SegmentNode,
  from: number,
  allowed: (segment: number) => boolean,
): number | null {
  const arm = node.arms.find((a) => a.segment === from)!;
  let best: number | null = null;
  let bestStraightness = -Infinity;
  for (const other of node.arms) {
    if (other.segment === from || !allowed(other.segment)) continue;
    const straightness = -(arm.dx * other.dx + arm.dy * other.dy);
    if (straightness > bestStraightness) {
      bestStraightness = straightness;
      best = other.segment;
    }
  }
  return bestStraightness >= VESSEL_STRAIGHTNESS ? best : null;
}

function walk(major: Uint8Array, nodes: SegmentNode[], start: number): number[] {
  const nodesOf = new Map<number, SegmentNode[]>();
  for (const n of nodes) {
    for (const a of n.arms) {
      if (!nodesOf.has(a.segment)) nodesOf.set(a.segment, []);
      nodesOf.get(a.segment)!.push(n);
    }
  }
  const label = major[start];
  const vessel = [start];
  const seen = new Set(vessel);
  const allowed = (s: number) => !seen.has(s) && major[s] === label;
  for (const end of nodesOf.get(start) ?? []) {
    let node: SegmentNode | undefined = end;
    let from = start;
    while (node) {
      const next = straightestOn(node, from, allowed);
      if (next === null) break;
      seen.add(next);
      vessel.push(next);
      const through: SegmentNode = node;
      // On from the segment's other end (none when both its ends meet the same node).
      node = nodesOf.get(next)!.find((n) => n !== through);
      from = next;
    }
  }
  return vessel;
}

/**
 * The segment ids of the vessel through segment `start` (itself first): from each of its ends, on through each node
 * onto the straightest arm with the start segment's majority label, while the turn is at most about 45 degrees,
 * never visiting a segment twice. `nodes` are `segmentNodes` of the same segments.
 */
export function vesselThrough(
  segments: VesselSegments,
  nodes: SegmentNode[],
  labels: Uint8Array,
  start: number,
): number[] {
  return walk(segmentMajorities(labels, segments), nodes, start);
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
    (start) => walk(segmentMajorities(labels, segments), nodes, start),
    onSpan,
  );
}
