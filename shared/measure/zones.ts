// The measurement zones around the optic disc, as the ARIC / Knudtson protocol draws them: zone B from 0.5 to 1 disc
// diameter beyond the disc margin, zone C from 0.5 to 2. As distances from the disc centre, in disc diameters:
// B = [1.0, 1.5], C = [1.0, 2.5].
//
// zoneVessels takes the protocol's steps in order, each in its own module: join the junctions of a crossing into one
// place and set aside the pieces that are no vessel (zone-places); pair the pieces meeting at each place that continue
// each other most straightly, and chain them into vessels (zone-pairing); cut each chain's courses through the zone
// and match branches to their trunks (zone-courses); measure what is left (here).
import type { GraphNode } from './centrelines.js';
import { median, type VesselClass, type VesselSegment } from './vessel-graph.js';
import { dropParallelTracks, joinPlaces } from './zone-places.js';
import { chainsOf, pairStraightest, portsAtPlaces } from './zone-pairing.js';
import {
  assignTrunks,
  coursesThroughZone,
  outwardRuns,
  releaseShortTrunks,
  trunkRange,
  type Course,
  type CoursePoint,
  type ZoneRing,
} from './zone-courses.js';

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
 * A vessel's direction where it leaves a place is read over this many disc diameters (about the widest vessel's
 * calibre): far enough that the junction's own bend of the skeleton does not set it.
 */
const DIRECTION_DD = 0.1;

/**
 * How far past the zone's outer circle, in disc diameters, a vessel too short to measure inside it may be measured:
 * half zone B's width, so zone B's vessels are still measured inside zone C (to 2.5 DD), the extended zone of the
 * SIVA protocol; only as far as it takes to find one vessel width of clear centreline.
 */
const BEYOND_DD = 0.25;

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
  const ring: ZoneRing = { x: disc.x, y: disc.y, inner, outer, middle: (inner + outer) / 2 };

  const places = joinPlaces(segments, nodes, mid);
  dropParallelTracks(segments, places, mid);
  const followed = (s: VesselSegment): boolean => !!s.av && !places.internal[s.id] && s.from !== s.to;

  const ports = portsAtPlaces(segments, places, followed, DIRECTION_DD * disc.diameter);
  const partner = pairStraightest(ports.values(), (seg) => segments[seg].av);
  const chains = chainsOf(segments, followed, partner);

  const courses = coursesThroughZone(chains, segments, nodes, places, ring);
  const trunkOf = assignTrunks(courses, segments, places);
  const measure = (c: Course, range: [number, number]): ZoneMeasure | null =>
    measureCourse(c, range, ring.middle, mid, segments);
  releaseShortTrunks(courses, trunkOf, (c, range) => measure(c, range) !== null);

  // What is left: every course that is no branch, measured on its trunk's part; one with no branch that is too
  // short to measure in the zone, on its nearest clear stretch outside it.
  const out: ZoneVessel[] = [];
  for (const c of courses) {
    if (trunkOf.has(c)) continue;
    let m = measure(c, trunkRange(c));
    if (!m && c.trunkStop === null)
      for (const range of outwardRuns(c, ring, BEYOND_DD * disc.diameter)) if ((m = measure(c, range))) break;
    if (m) out.push({ ...m, av: c.av });
  }
  return out;
}

type ZoneMeasure = Omit<ZoneVessel, 'av'>;

/**
 * A course's vessel: its widths over the measured points [from, to] and the course's identity (the point nearest the
 * middle circle, its segments, its artery probability); null without a vessel width of measured centreline.
 */
function measureCourse(
  c: Course,
  [from, to]: [number, number],
  middle: number,
  mid: number,
  segments: VesselSegment[],
): ZoneMeasure | null {
  const widths = widthsAlong(c.points.slice(from, to + 1), mid);
  if (!widths) return null;
  const run = c.points.slice(c.start, c.stop + 1);
  // The course's point nearest the middle circle names it.
  const centre = run.reduce((a, p) => (Math.abs(p.r - middle) < Math.abs(a.r - middle) ? p : a));
  return {
    segment: centre.seg,
    segments: [...new Set(run.map((p) => p.seg))],
    arteryProbability: meanArteryProbability(run, segments),
    width: widths.width,
    widthSe: widths.se,
    x: centre.x,
    y: centre.y,
  };
}

/**
 * Median width per level over the measured points, and the standard error of the middle level's; null with fewer
 * than three measured points or less than one vessel width of measured centreline, so the median summarises more
 * than one profile.
 */
function widthsAlong(pts: CoursePoint[], mid: number): { width: number[]; se: number } | null {
  const measured = pts.filter((p) => !Number.isNaN(p.widths[mid]));
  if (measured.length < 3) return null;
  const width = Array.from({ length: measured[0].widths.length }, (_, k) =>
    median(measured.map((p) => p.widths[k]).filter((v) => !Number.isNaN(v))),
  );
  const m = width[mid];
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
  return { width, se: sd / Math.sqrt(independent) };
}

/** Mean probability of artery over the segments under a run's points (null when the classifier gave none). */
function meanArteryProbability(run: CoursePoint[], segments: VesselSegment[]): number | null {
  let sum = 0;
  let n = 0;
  for (const p of run) {
    const pa = segments[p.seg].arteryProbability;
    if (pa !== null) [sum, n] = [sum + pa, n + 1];
  }
  return n ? sum / n : null;
}
