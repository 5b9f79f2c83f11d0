// The measurement zones around the optic disc, as the ARIC / Knudtson protocol draws them: zone B from 0.5 to 1 disc
// diameter beyond the disc margin, zone C from 0.5 to 2. As distances from the disc centre, in disc diameters:
// B = [1.0, 1.5], C = [1.0, 2.5].
import type { GraphNode, Point } from './centrelines.js';
import { median, type VesselClass, type VesselSegment } from './vessel-graph.js';

export interface Disc {
  x: number;
  y: number;
  diameter: number;
}

export type ZoneName = 'B' | 'C';

export const ZONES: Record<ZoneName, { inner: number; outer: number }> = {
  B: { inner: 1.0, outer: 1.5 },
  C: { inner: 1.0, outer: 2.5 },
};

/** Radii of a zone's circles in pixels, from the disc centre. */
export function zoneRadii(disc: Disc, zone: ZoneName): { inner: number; outer: number } {
  return { inner: ZONES[zone].inner * disc.diameter, outer: ZONES[zone].outer * disc.diameter };
}

export interface ZoneVessel {
  /** The segment where the vessel crosses the zone's middle circle (for naming and highlighting). */
  segment: number;
  /** The segments of its course through the zone. */
  segments: number[];
  av: VesselClass;
  /** Mean probability of artery along its course in the zone (null when the classifier gave none). */
  arteryProbability: number | null;
  /** Median of the point widths along its course in the zone (its trunk's, when it branches there), per level. */
  width: number[];
  /** Standard error of the middle-level width, in pixels. */
  widthSe: number;
  /** Where it crosses the middle circle (for labels and highlighting). */
  x: number;
  y: number;
}

/**
 * Two junctions joined by a bridge, or by a piece no longer than this many times the widest vessel meeting there, are
 * one place: where two vessels cross at 30 degrees or more, their overlap spans at most width / sin(30) = twice the
 * wider one's width along either, and the skeleton splits the crossing into two junctions within it; the piece between
 * them belongs to neither vessel. A dead end that short is a bump on a vessel's edge (a skeleton spur), not a vessel.
 */
const CROSSING_SPAN_WIDTHS = 2;
/**
 * A vessel's direction where it leaves a place is read over this many disc diameters (about the widest vessel's
 * calibre): far enough that the junction's own bend of the skeleton does not set it.
 */
const DIRECTION_DD = 0.1;
/**
 * The most a vessel turns through a crossing or a branching and is still followed: the daughters of a bifurcation
 * leave the parent's line by up to about 40 degrees (Murray's optimum for equal daughters is 37.5), a side branch at
 * 60 to 90 and a crossing vessel typically at 30 to 90, which the straighter pairing takes first.
 */
const MAX_TURN_DEG = 60;

interface Port {
  seg: number;
  /** The segment's end at the place: its first point (0) or its last (1). */
  end: 0 | 1;
  dir: Point;
}

interface ChainStep {
  seg: number;
  reversed: boolean;
}

interface Course {
  chain: ChainStep[];
  points: { x: number; y: number; r: number; seg: number; widths: Float32Array }[];
  /** The run of points inside the zone, [start, stop]. */
  start: number;
  stop: number;
  /** Point index where each chain step begins. */
  stepStart: number[];
  av: VesselClass;
  /** The place where the course's inward end stops at a junction inside the zone (a branch leaving a vessel). */
  branchOf: number | null;
  /** Point index of the innermost place inside the run where another of its class branches off (the trunk's end). */
  trunkStop: number | null;
  inwardAtStart: boolean;
}

/**
 * The labelled vessels crossing a zone, each with its width there, following the revised Knudtson protocol: a vessel
 * counts when its centreline crosses the zone's middle circle; it is followed along the graph only inside the zone,
 * through crossings and branchings onto the piece that continues it most straightly (and never onto a vessel of the
 * other class: arterioles cross venules), so the pieces of one vessel cut at a crossing are one vessel and the crossing
 * vessel stays apart; a vessel branching inside the zone is one vessel measured on its trunk; its width is the median
 * of the widths along its course through the zone, not one profile. Everything is set in disc diameters or in the
 * vessel's own width, so the same eye at another resolution gives the same vessels.
 */
export function zoneVessels(
  segments: VesselSegment[],
  nodes: GraphNode[],
  disc: Disc,
  zone: ZoneName,
  mid: number,
): ZoneVessel[] {
  const { inner, outer } = zoneRadii(disc, zone);
  const middle = (inner + outer) / 2;
  const radius = (x: number, y: number): number => Math.hypot(x - disc.x, y - disc.y);
  const inZone = (r: number): boolean => r >= inner && r <= outer;
  const isNode = (id: number): boolean => id >= 0 && nodes[id].kind !== 'end';

  const widest = new Float64Array(nodes.length);
  for (const s of segments)
    for (const id of [s.from, s.to])
      if (id >= 0 && !Number.isNaN(s.width[mid])) widest[id] = Math.max(widest[id], s.width[mid]);
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
  // Two tracks of one class between the same two places are one vessel split around a hole in the mask (a central
  // light reflex, a gap): the widest is followed.
  const track = new Map<string, VesselSegment>();
  for (const s of segments) {
    if (internal[s.id] || !s.av || !isNode(s.from) || !isNode(s.to)) continue;
    const [a, b] = [place.find(s.from), place.find(s.to)].sort((x, y) => x - y);
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
  const followed = (s: VesselSegment): boolean => !!s.av && !internal[s.id] && s.from !== s.to;

  // Ports: where each followed segment meets a place.
  const ports = new Map<number, Port[]>();
  for (const s of segments) {
    if (!followed(s)) continue;
    for (const end of [0, 1] as const) {
      const id = end === 0 ? s.from : s.to;
      if (!isNode(id)) continue;
      const key = place.find(id);
      ports.set(key, [
        ...(ports.get(key) ?? []),
        { seg: s.id, end, dir: leaving(s, end, DIRECTION_DD * disc.diameter) },
      ]);
    }
  }
  // At each place, pair the ports of one class that continue each other most straightly.
  const partner = new Map<string, Port>();
  const minCos = Math.cos((MAX_TURN_DEG * Math.PI) / 180);
  for (const list of ports.values()) {
    const pairs: { i: number; j: number; cos: number }[] = [];
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        if (list[i].seg === list[j].seg || segments[list[i].seg].av !== segments[list[j].seg].av) continue;
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

  // Chains: segments joined through their pairings; the courses are their runs through the zone.
  const courses: Course[] = [];
  const inChain = new Uint8Array(segments.length);
  for (const s of segments) {
    if (!followed(s) || inChain[s.id]) continue;
    const chain = chainThrough(s.id, partner, inChain);
    const points: Course['points'] = [];
    const stepStart: number[] = [];
    for (const step of chain) {
      stepStart.push(points.length);
      const pts = segments[step.seg].points;
      for (let k = 0; k < pts.length; k++) {
        const p = pts[step.reversed ? pts.length - 1 - k : k];
        points.push({ x: p.x, y: p.y, r: radius(p.x, p.y), seg: step.seg, widths: p.widths });
      }
    }
    for (let i = 0; i < points.length;) {
      if (!inZone(points[i].r)) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < points.length && inZone(points[j + 1].r)) j++;
      let near = Infinity;
      let far = -Infinity;
      for (let k = i; k <= j; k++) [near, far] = [Math.min(near, points[k].r), Math.max(far, points[k].r)];
      if (near <= middle && far >= middle) {
        const inwardAtStart = points[i].r <= points[j].r;
        const course: Course = {
          chain,
          points,
          start: i,
          stop: j,
          stepStart,
          av: segments[chain[0].seg].av!,
          branchOf: null,
          trunkStop: null,
          inwardAtStart,
        };
        // The inward end stops at a junction inside the zone: a branch leaving a vessel there.
        const atEnd = inwardAtStart ? i === 0 : j === points.length - 1;
        if (atEnd) {
          const step = inwardAtStart ? chain[0] : chain[chain.length - 1];
          const s2 = segments[step.seg];
          const id = inwardAtStart !== step.reversed ? s2.from : s2.to;
          if (isNode(id) && inZone(radius(nodes[id].x, nodes[id].y))) course.branchOf = place.find(id);
        }
        courses.push(course);
      }
      i = j + 1;
    }
  }

  // A vessel branching inside the zone is one vessel: its branch is not counted, its trunk is what is measured.
  const placeOf = (c: Course, k: number): number | null => {
    const step = c.chain[k];
    const s = segments[step.seg];
    const id = step.reversed ? s.from : s.to;
    return isNode(id) ? place.find(id) : null;
  };
  const trunkOf = new Map<Course, Course>();
  for (const branch of courses) {
    if (branch.branchOf === null) continue;
    for (const c of courses) {
      if (c === branch || c.av !== branch.av) continue;
      for (let k = 0; k + 1 < c.chain.length; k++) {
        if (placeOf(c, k) !== branch.branchOf) continue;
        const at = c.stepStart[k + 1];
        if (at < c.start || at > c.stop + 1) continue;
        trunkOf.set(branch, c);
        const innermost = c.trunkStop === null || (c.inwardAtStart ? at < c.trunkStop : at > c.trunkStop);
        if (innermost) c.trunkStop = at;
      }
    }
  }
  // A trunk too short to measure inside the zone branched at the zone's margin, as if before it: its branches
  // count as vessels of their own.
  const trunkRange = (c: Course): [number, number] =>
    c.trunkStop === null
      ? [c.start, c.stop]
      : c.inwardAtStart
        ? [c.start, c.trunkStop - 1]
        : [c.trunkStop, c.stop];
  for (const c of courses) {
    if (c.trunkStop === null || measureRun(c, trunkRange(c), middle, mid, segments)) continue;
    c.trunkStop = null;
    for (const [branch, trunk] of trunkOf) if (trunk === c) trunkOf.delete(branch);
  }
  const out: ZoneVessel[] = [];
  for (const c of courses) {
    if (trunkOf.has(c)) continue;
    const m = measureRun(c, trunkRange(c), middle, mid, segments);
    if (m) out.push({ ...m, av: c.av });
  }
  return out;
}

type ZoneMeasure = Omit<ZoneVessel, 'av'>;

/** Median widths over the measured points of a course's run [from, to], or null without a vessel width of them. */
function measureRun(
  c: Course,
  [from, to]: [number, number],
  middle: number,
  mid: number,
  segments: VesselSegment[],
): ZoneMeasure | null {
  const pts = c.points.slice(from, to + 1);
  const measured = pts.filter((p) => !Number.isNaN(p.widths[mid]));
  if (measured.length < 3) return null;
  const width = Array.from({ length: measured[0].widths.length }, (_, k) =>
    median(measured.map((p) => p.widths[k]).filter((v) => !Number.isNaN(v))),
  );
  const m = width[mid];
  // At least one vessel width of centreline measured, so the median summarises more than one profile.
  let length = 0;
  for (let k = 1; k < pts.length; k++)
    if (!Number.isNaN(pts[k].widths[mid]) && !Number.isNaN(pts[k - 1].widths[mid]))
      length += Math.hypot(pts[k].x - pts[k - 1].x, pts[k].y - pts[k - 1].y);
  if (length < m) return null;
  const sd = Math.sqrt(
    measured.reduce((a, p) => a + (p.widths[mid] - m) ** 2, 0) / Math.max(1, measured.length - 1),
  );
  // Neighbouring profiles overlap by about a vessel width, so the independent samples are fewer than the points.
  const independent = Math.max(1, length / Math.max(1, m));
  // The course's point nearest the middle circle names it.
  const run = c.points.slice(c.start, c.stop + 1);
  const centre = run.reduce((a, p) => (Math.abs(p.r - middle) < Math.abs(a.r - middle) ? p : a));
  const segs = [...new Set(run.map((p) => p.seg))];
  let sum = 0;
  let n = 0;
  for (const p of run) {
    const pa = segments[p.seg].arteryProbability;
    if (pa !== null) [sum, n] = [sum + pa, n + 1];
  }
  return {
    segment: centre.seg,
    segments: segs,
    arteryProbability: n ? sum / n : null,
    width,
    widthSe: sd / Math.sqrt(independent),
    x: centre.x,
    y: centre.y,
  };
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
function chainThrough(seg: number, partner: Map<string, Port>, inChain: Uint8Array): ChainStep[] {
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
