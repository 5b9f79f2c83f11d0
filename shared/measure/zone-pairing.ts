// Zone vessels, step 2: which piece continues which. At each place the pieces of one class that continue each other
// most straightly are paired, and pieces joined through their pairings make chains: one vessel each, followed through
// crossings and branchings.
import type { Point } from './centrelines.js';
import type { VesselClass, VesselSegment } from './vessel-graph.js';
import type { Places } from './zone-places.js';

/**
 * The most a vessel turns through a crossing or a branching and is still followed: the daughters of a bifurcation
 * leave the parent's line by up to about 40 degrees (Murray's optimum for equal daughters is 37.5), a side branch at
 * 60 to 90 and a crossing vessel typically at 30 to 90, which the straighter pairing takes first.
 */
const MAX_TURN_DEG = 60;

/** Where a segment meets a place, and the direction in which it leaves it. */
export interface Port {
  seg: number;
  /** The segment's end at the place: its first point (0) or its last (1). */
  end: 0 | 1;
  dir: Point;
}

/** Each port's partner, keyed `${seg}:${end}`; a port without one ends its vessel there. */
export type Partners = Map<string, Port>;

export interface ChainStep {
  seg: number;
  reversed: boolean;
}

/**
 * The ports of the followed segments, grouped by place, in segment order. A direction is read `reach` pixels along
 * the segment, so that the junction's own bend of the skeleton does not set it.
 */
export function portsAtPlaces(
  segments: VesselSegment[],
  places: Places,
  followed: (s: VesselSegment) => boolean,
  reach: number,
): Map<number, Port[]> {
  const ports = new Map<number, Port[]>();
  for (const s of segments) {
    if (!followed(s)) continue;
    for (const end of [0, 1] as const) {
      const key = places.of(end === 0 ? s.from : s.to);
      if (key === null) continue;
      const list = ports.get(key) ?? [];
      list.push({ seg: s.id, end, dir: leaving(s, end, reach) });
      ports.set(key, list);
    }
  }
  return ports;
}

/**
 * At each place, pairs the ports of one class that continue each other most straightly, straightest first, each port
 * at most once and none turning by more than MAX_TURN_DEG: so a vessel cut at a crossing continues into its own
 * other half, not into the vessel crossing it, and a branching's straighter daughter continues the parent.
 */
export function pairStraightest(
  portLists: Iterable<Port[]>,
  classOf: (seg: number) => VesselClass | null,
): Partners {
  const partner: Partners = new Map();
  const minCos = Math.cos((MAX_TURN_DEG * Math.PI) / 180);
  for (const list of portLists) {
    const pairs: { i: number; j: number; cos: number }[] = [];
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        if (list[i].seg === list[j].seg || classOf(list[i].seg) !== classOf(list[j].seg)) continue;
        // Both directions point away from the place: a straight continuation has them opposite.
        const cos = -(list[i].dir.x * list[j].dir.x + list[i].dir.y * list[j].dir.y);
        if (cos >= minCos) pairs.push({ i, j, cos });
      }
    pairs.sort((a, b) => b.cos - a.cos);
    const used = new Set<number>();
    for (const { i, j } of pairs) {
      if (used.has(i) || used.has(j)) continue;
      used.add(i).add(j);
      partner.set(`${list[i].seg}:${list[i].end}`, list[j]);
      partner.set(`${list[j].seg}:${list[j].end}`, list[i]);
    }
  }
  return partner;
}

/** Every followed segment in exactly one chain, chains in the order of their first-met segment. */
export function chainsOf(
  segments: VesselSegment[],
  followed: (s: VesselSegment) => boolean,
  partner: Partners,
): ChainStep[][] {
  const chains: ChainStep[][] = [];
  const inChain = new Uint8Array(segments.length);
  for (const s of segments)
    if (followed(s) && !inChain[s.id]) chains.push(chainThrough(s.id, partner, inChain));
  return chains;
}

/** Unit direction in which segment `s` leaves its end `end` (0 first point, 1 last), read over `reach` pixels. */
function leaving(s: VesselSegment, end: 0 | 1, reach: number): Point {
  const pts = s.points;
  const at = (k: number): Point => pts[end === 0 ? k : pts.length - 1 - k];
  const p0 = at(0);
  let k = 1;
  let len = 0;
  for (; k < pts.length - 1; k++) {
    len += Math.hypot(at(k).x - at(k - 1).x, at(k).y - at(k - 1).y);
    if (len >= reach) break;
  }
  const q = at(Math.min(k, pts.length - 1));
  const d = Math.hypot(q.x - p0.x, q.y - p0.y) || 1;
  return { x: (q.x - p0.x) / d, y: (q.y - p0.y) / d };
}

/** The chain of segments through `seg` along the pairings, in order, each marked when it runs backwards. */
function chainThrough(seg: number, partner: Partners, inChain: Uint8Array): ChainStep[] {
  inChain[seg] = 1;
  const chain: ChainStep[] = [{ seg, reversed: false }];
  // Backwards from the segment's first point, then forwards from its last.
  for (let p = partner.get(`${seg}:0`); p && !inChain[p.seg];) {
    inChain[p.seg] = 1;
    // Reached at its last point it runs forwards into the chain; at its first, backwards.
    chain.unshift({ seg: p.seg, reversed: p.end === 0 });
    p = partner.get(`${p.seg}:${p.end === 0 ? 1 : 0}`);
  }
  for (let p = partner.get(`${seg}:1`); p && !inChain[p.seg];) {
    inChain[p.seg] = 1;
    chain.push({ seg: p.seg, reversed: p.end === 1 });
    p = partner.get(`${p.seg}:${p.end === 0 ? 1 : 0}`);
  }
  return chain;
}
