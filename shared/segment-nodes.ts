// Where vessel segments meet, for decisions that follow a vessel tree (an artery/vein label carried through a branch
// point or straight through a crossing). A junction is a run of touching skeleton pixels with three or more
// skeleton neighbours. Two junctions joined by a piece shorter than `shortPiece` are one node: a crossing's skeleton
// splits into two three-way junctions about a vessel width apart, and only together do they show the crossing's
// four arms. Each node lists the segments that end there and the direction each arrives from, so that a caller can
// pair the arms that continue straight through.
import { components, skeletonDegree } from './skeleton.js';
import type { VesselSegments } from './vessel-segments.js';

/**
 * The short piece (pixels) that joins two junctions into one node in the vessel model's canonical frame (an aperture
 * about 536 pixels across, DRIVE's resolution): about a crossing's own width there.
 */
export const CANONICAL_SHORT_PIECE = 8;

export interface SegmentArm {
  segment: number;
  /** Unit vector along the segment's last pixels, pointing into the node. */
  dx: number;
  dy: number;
}

export interface SegmentNode {
  /** Two or more distinct segments ending at the node. */
  arms: SegmentArm[];
}

/** Radius (skeleton pixels) of the segment's end whose centroid gives its direction. */
const DIRECTION_REACH = 7;

interface ArmEnd extends SegmentArm {
  junction: number;
}

/** Union-find over junction labels. */
function unionFind(n: number): { find: (x: number) => number; join: (a: number, b: number) => void } {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  return { find, join: (a, b) => void (parent[find(a)] = find(b)) };
}

/**
 * How an arm's direction is read: from its skeleton pixels within `reach` of its end, leaving out the first `skip`
 * pixels (a wide vessel's skeleton bends into the junction over about its own width, which a short reach reads as
 * the arm's direction).
 */
export interface ArmDirection {
  reach: number;
  /** Leave out the pixels nearer the end than the mean width of the widest segment at its junction. */
  skipWidth: boolean;
}

const DEFAULT_DIRECTION: ArmDirection = { reach: DIRECTION_REACH, skipWidth: false };

/** The direction segment `s` arrives at its end pixel (x, y) from: the end minus the centroid of its nearby pixels. */
function arrival(
  seg: VesselSegments,
  junction: Uint8Array,
  w: number,
  h: number,
  s: number,
  x: number,
  y: number,
  direction: ArmDirection,
  skip: number,
) {
  const centroid = (inner: number) => {
    let cx = 0;
    let cy = 0;
    let n = 0;
    const r = inner + direction.reach;
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
      for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
        const j = yy * w + xx;
        const d2 = (xx - x) ** 2 + (yy - y) ** 2;
        if (!seg.skeleton[j] || junction[j] || seg.owner[j] !== s || d2 > r * r || d2 < inner * inner)
          continue;
        cx += xx;
        cy += yy;
        n++;
      }
    }
    return { cx, cy, n };
  };
  let { cx, cy, n } = centroid(skip);
  // A segment shorter than the skip: read it whole.
  if (n === 0 && skip > 0) ({ cx, cy, n } = centroid(0));
  const dx = x - cx / n;
  const dy = y - cy / n;
  const norm = Math.hypot(dx, dy);
  return norm > 0 ? { dx: dx / norm, dy: dy / norm } : { dx: 0, dy: 0 };
}

/** Every segment end that touches a junction, with the junction's label. */
function armEnds(
  seg: VesselSegments,
  junction: Uint8Array,
  labels: Int32Array,
  w: number,
  h: number,
  direction: ArmDirection,
): ArmEnd[] {
  const ends: ArmEnd[] = [];
  const width = new Float64Array(seg.count + 1);
  if (direction.skipWidth) {
    for (let i = 0; i < seg.owner.length; i++) if (seg.owner[i]) width[seg.owner[i]]++;
    for (let id = 1; id <= seg.count; id++) width[id] /= Math.max(1, seg.length[id]);
  }
  const found: { s: number; x: number; y: number; touched: Set<number> }[] = [];
  for (let i = 0; i < seg.skeleton.length; i++) {
    const s = seg.owner[i];
    if (!seg.skeleton[i] || junction[i] || !s) continue;
    const x = i % w;
    const y = (i - x) / w;
    let own = 0;
    const touched = new Set<number>();
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if ((!dx && !dy) || x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h) continue;
        const j = i + dy * w + dx;
        if (!seg.skeleton[j]) continue;
        if (junction[j]) touched.add(labels[j]);
        else if (seg.owner[j] === s) own++;
      }
    }
    if (own > 1 || touched.size === 0) continue;
    found.push({ s, x, y, touched });
  }
  // A thin branch's skeleton runs inside the wide vessel it leaves before it meets the junction: each end skips the
  // widest vessel at its junction.
  const widest = new Map<number, number>();
  for (const f of found) for (const t of f.touched) widest.set(t, Math.max(widest.get(t) ?? 0, width[f.s]));
  for (const { s, x, y, touched } of found) {
    const skip = Math.round(Math.max(...[...touched].map((t) => widest.get(t) ?? 0)));
    const d = arrival(seg, junction, w, h, s, x, y, direction, skip);
    for (const t of touched) ends.push({ segment: s, junction: t, ...d });
  }
  return ends;
}

export function segmentNodes(
  seg: VesselSegments,
  w: number,
  h: number,
  shortPiece: number,
  direction: ArmDirection = DEFAULT_DIRECTION,
): SegmentNode[] {
  const junction = new Uint8Array(w * h);
  for (let i = 0; i < junction.length; i++)
    if (seg.skeleton[i] && skeletonDegree(seg.skeleton, w, h, i) >= 3) junction[i] = 1;
  const { labels, sizes } = components(junction, w, h);
  const ends = armEnds(seg, junction, labels, w, h, direction);
  // A short piece between two junctions joins them into one node, and is not an arm of it.
  const junctionsOf = new Map<number, Set<number>>();
  for (const e of ends) {
    if (!junctionsOf.has(e.segment)) junctionsOf.set(e.segment, new Set());
    junctionsOf.get(e.segment)!.add(e.junction);
  }
  const uf = unionFind(sizes.length);
  const inner = new Set<number>();
  for (const [s, js] of junctionsOf) {
    if (js.size !== 2 || seg.length[s] >= shortPiece) continue;
    const [a, b] = [...js];
    uf.join(a, b);
    inner.add(s);
  }
  const nodes = new Map<number, SegmentArm[]>();
  for (const e of ends) {
    if (inner.has(e.segment)) continue;
    const root = uf.find(e.junction);
    const arms = nodes.get(root) ?? [];
    if (!arms.some((a) => a.segment === e.segment)) arms.push({ segment: e.segment, dx: e.dx, dy: e.dy });
    nodes.set(root, arms);
  }
  return [...nodes.values()].filter((arms) => arms.length >= 2).map((arms) => ({ arms }));
}
