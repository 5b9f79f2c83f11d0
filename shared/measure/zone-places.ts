// Zone vessels, step 1: where vessels meet. The skeleton splits one crossing of two vessels into two junctions and
// leaves spurs and split tracks that are no vessel; this step joins the junctions of one crossing into one place and
// marks the pieces the vessels are not followed along.
import type { GraphNode } from './centrelines.js';
import type { VesselSegment } from './vessel-graph.js';

/**
 * Two junctions joined by a bridge, or by a piece no longer than this many times the widest vessel meeting there, are
 * one place: where two vessels cross at 30 degrees or more, their overlap spans at most width / sin(30) = twice the
 * wider one's width along either, and the skeleton splits the crossing into two junctions within it; the piece between
 * them belongs to neither vessel. A dead end that short is a bump on a vessel's edge (a skeleton spur), not a vessel.
 */
const CROSSING_SPAN_WIDTHS = 2;

export interface Places {
  /** The place a graph node belongs to (one id for all the junctions of one crossing); null for an end or none. */
  of(node: number): number | null;
  /** Per segment, 1 where it belongs to no vessel: the piece inside a crossing, a spur, a narrower parallel track. */
  internal: Uint8Array;
}

/**
 * Joins the junctions of each crossing into one place and marks the pieces inside crossings and the skeleton's spurs
 * as internal, judging "short" by the widest vessel meeting at either end (level `mid`).
 */
export function joinPlaces(segments: VesselSegment[], nodes: GraphNode[], mid: number): Places {
  const isNode = (id: number): boolean => id >= 0 && nodes[id].kind !== 'end';
  const widest = widestAtNodes(segments, nodes.length, mid);
  const place = new UnionFind(nodes.length);
  const internal = new Uint8Array(segments.length);
  for (const s of segments) {
    if (s.from === s.to) continue;
    const short =
      s.length <= CROSSING_SPAN_WIDTHS * Math.max(widest[Math.max(0, s.from)], widest[Math.max(0, s.to)]);
    if (isNode(s.from) && isNode(s.to)) {
      if (s.bridge || short) {
        place.union(s.from, s.to);
        internal[s.id] = 1;
      }
    } else if (short) internal[s.id] = 1; // a spur: a bump on a vessel's edge, not a vessel
  }
  return { of: (id) => (isNode(id) ? place.find(id) : null), internal };
}

/** The widest vessel (level `mid`) meeting at each node, 0 where none is measured. */
function widestAtNodes(segments: VesselSegment[], nodeCount: number, mid: number): Float64Array {
  const widest = new Float64Array(nodeCount);
  for (const s of segments)
    for (const id of [s.from, s.to])
      if (id >= 0 && !Number.isNaN(s.width[mid])) widest[id] = Math.max(widest[id], s.width[mid]);
  return widest;
}

/**
 * Two tracks of one class between the same two places are one vessel split around a hole in the mask (a central
 * light reflex, a gap): the widest (level `mid`) is followed, the other marked internal.
 */
export function dropParallelTracks(segments: VesselSegment[], places: Places, mid: number): void {
  const { internal } = places;
  const track = new Map<string, VesselSegment>();
  for (const s of segments) {
    if (internal[s.id] || !s.av) continue;
    const from = places.of(s.from);
    const to = places.of(s.to);
    if (from === null || to === null) continue;
    const [a, b] = [from, to].sort((x, y) => x - y);
    if (a === b) continue;
    const key = `${a}:${b}:${s.av}`;
    const other = track.get(key);
    if (!other) track.set(key, s);
    else {
      const wider = (s.width[mid] || 0) > (other.width[mid] || 0);
      internal[wider ? other.id : s.id] = 1;
      if (wider) track.set(key, s);
    }
  }
}

/** Disjoint sets of node ids, with path halving. */
class UnionFind {
  private parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}
