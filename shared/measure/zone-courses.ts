// Zone vessels, step 3: each chain's courses through the zone, and which of them are branches of another. A course is
// a run of a chain inside the zone that crosses its middle circle; a course whose inward end stops at a place inside
// the zone is a branch, measured on the trunk it leaves.
import type { GraphNode } from './centrelines.js';
import type { VesselClass, VesselSegment } from './vessel-graph.js';
import type { ChainStep } from './zone-pairing.js';
import type { Places } from './zone-places.js';

/** A zone's circles around the disc centre (x, y), in pixels; `middle` is halfway between them. */
export interface ZoneRing {
  x: number;
  y: number;
  inner: number;
  outer: number;
  middle: number;
}

export interface CoursePoint {
  x: number;
  y: number;
  /** Distance from the disc centre. */
  r: number;
  seg: number;
  widths: Float32Array;
}

export interface Course {
  chain: ChainStep[];
  points: CoursePoint[];
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

/** Every chain's courses through the zone, chains in order and each chain's courses from its start. */
export function coursesThroughZone(
  chains: ChainStep[][],
  segments: VesselSegment[],
  nodes: GraphNode[],
  places: Places,
  ring: ZoneRing,
): Course[] {
  const courses: Course[] = [];
  for (const chain of chains) {
    const { points, stepStart } = chainPoints(chain, segments, ring);
    for (const [start, stop] of runsAcrossMiddle(points, ring)) {
      const course: Course = {
        chain,
        points,
        start,
        stop,
        stepStart,
        av: segments[chain[0].seg].av!,
        branchOf: null,
        trunkStop: null,
        inwardAtStart: points[start].r <= points[stop].r,
      };
      course.branchOf = branchPlace(course, segments, nodes, places, ring);
      courses.push(course);
    }
  }
  return courses;
}

/** A chain's centreline points in its order, each with its distance from the disc centre. */
function chainPoints(
  chain: ChainStep[],
  segments: VesselSegment[],
  ring: ZoneRing,
): { points: CoursePoint[]; stepStart: number[] } {
  const points: CoursePoint[] = [];
  const stepStart: number[] = [];
  for (const step of chain) {
    stepStart.push(points.length);
    const pts = segments[step.seg].points;
    for (let k = 0; k < pts.length; k++) {
      const p = pts[step.reversed ? pts.length - 1 - k : k];
      points.push({ x: p.x, y: p.y, r: radius(ring, p.x, p.y), seg: step.seg, widths: p.widths });
    }
  }
  return { points, stepStart };
}

/**
 * The maximal runs [start, stop] of points inside the zone that reach both sides of its middle circle: a vessel
 * counts where its centreline crosses that circle, and is followed only inside the zone.
 */
export function runsAcrossMiddle(points: { r: number }[], ring: ZoneRing): [number, number][] {
  const inZone = (r: number): boolean => r >= ring.inner && r <= ring.outer;
  const runs: [number, number][] = [];
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
    if (near <= ring.middle && far >= ring.middle) runs.push([i, j]);
    i = j + 1;
  }
  return runs;
}

/**
 * The place where a course's inward end stops at a junction inside the zone, or null: its chain ends there (no piece
 * continued it), so it is a branch leaving a vessel at that place.
 */
function branchPlace(
  c: Course,
  segments: VesselSegment[],
  nodes: GraphNode[],
  places: Places,
  ring: ZoneRing,
): number | null {
  const atEnd = c.inwardAtStart ? c.start === 0 : c.stop === c.points.length - 1;
  if (!atEnd) return null;
  const step = c.inwardAtStart ? c.chain[0] : c.chain[c.chain.length - 1];
  const s = segments[step.seg];
  const id = c.inwardAtStart !== step.reversed ? s.from : s.to;
  const place = places.of(id);
  if (place === null) return null;
  const r = radius(ring, nodes[id].x, nodes[id].y);
  return r >= ring.inner && r <= ring.outer ? place : null;
}

/**
 * A vessel branching inside the zone is one vessel: each branch is matched to the course of its class that passes
 * through its place inside its run (its trunk), and each trunk's `trunkStop` set to the innermost such place, where
 * its measured part ends. Returns branch -> trunk.
 */
export function assignTrunks(
  courses: Course[],
  segments: VesselSegment[],
  places: Places,
): Map<Course, Course> {
  /** The place at the end of the course's k-th chain step. */
  const placeAfter = (c: Course, k: number): number | null => {
    const step = c.chain[k];
    const s = segments[step.seg];
    return places.of(step.reversed ? s.from : s.to);
  };
  const trunkOf = new Map<Course, Course>();
  for (const branch of courses) {
    if (branch.branchOf === null) continue;
    for (const c of courses) {
      if (c === branch || c.av !== branch.av) continue;
      for (let k = 0; k + 1 < c.chain.length; k++) {
        if (placeAfter(c, k) !== branch.branchOf) continue;
        const at = c.stepStart[k + 1];
        if (at < c.start || at > c.stop + 1) continue;
        trunkOf.set(branch, c);
        const innermost = c.trunkStop === null || (c.inwardAtStart ? at < c.trunkStop : at > c.trunkStop);
        if (innermost) c.trunkStop = at;
      }
    }
  }
  return trunkOf;
}

/** The points of a course that are measured: its run in the zone, up to where its branches leave when it has any. */
export function trunkRange(c: Course): [number, number] {
  if (c.trunkStop === null) return [c.start, c.stop];
  return c.inwardAtStart ? [c.start, c.trunkStop - 1] : [c.trunkStop, c.stop];
}

/**
 * The course's run lengthened outwards along its chain one point at a time, at most `reach` pixels past the zone's
 * outer circle: where a vessel's run in the zone lies almost all within a vessel width of its junctions (a branching
 * near the zone's inner edge, a vessel touching it alongside), the nearest clear stretch just outside measures it,
 * rather than dropping it from the six (at another resolution the nodes fall elsewhere and the zone holds enough).
 */
export function* outwardRuns(c: Course, ring: ZoneRing, reach: number): Generator<[number, number]> {
  const step = c.inwardAtStart ? 1 : -1;
  let [from, to] = [c.start, c.stop];
  for (let k = (c.inwardAtStart ? c.stop : c.start) + step; k >= 0 && k < c.points.length; k += step) {
    const r = c.points[k].r;
    if (r <= ring.outer || r > ring.outer + reach) return;
    if (step > 0) to = k;
    else from = k;
    yield [from, to];
  }
}

/**
 * A trunk too short to measure inside the zone branched at the zone's margin, as if before it: it is measured on its
 * whole run, and its branches count as vessels of their own (they leave `trunkOf`).
 */
export function releaseShortTrunks(
  courses: Course[],
  trunkOf: Map<Course, Course>,
  measurable: (c: Course, range: [number, number]) => boolean,
): void {
  for (const c of courses) {
    if (c.trunkStop === null || measurable(c, trunkRange(c))) continue;
    c.trunkStop = null;
    for (const [branch, trunk] of trunkOf) if (trunk === c) trunkOf.delete(branch);
  }
}

function radius(ring: ZoneRing, x: number, y: number): number {
  return Math.hypot(x - ring.x, y - ring.y);
}
