// The measurement zones around the optic disc, as the ARIC / Knudtson protocol draws them: zone B from 0.5 to 1 disc
// diameter beyond the disc margin, zone C from 0.5 to 2. As distances from the disc centre, in disc diameters:
// B = [1.0, 1.5], C = [1.0, 2.5].
import type { VesselClass, VesselSegment } from './vessel-graph.js';

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
  segment: number;
  av: VesselClass;
  /** Mean of the point widths inside the zone at each level, in pixels. */
  width: number[];
  /** Standard error of the middle-level mean, in pixels. */
  widthSe: number;
  /** A point of the vessel inside the zone (for labels and highlighting). */
  x: number;
  y: number;
}

/**
 * The labelled vessels crossing a zone, each with its mean width there. A vessel is a segment that crosses the
 * zone's middle circle (the test does not depend on how long a piece the junctions left in the zone, which varies
 * with resolution) with at least three widths measured inside the zone. A vessel that branches inside the zone counts
 * as its branches.
 */
export function zoneVessels(
  segments: VesselSegment[],
  disc: Disc,
  zone: ZoneName,
  mid: number,
): ZoneVessel[] {
  const { inner, outer } = zoneRadii(disc, zone);
  const middle = (inner + outer) / 2;
  const out: ZoneVessel[] = [];
  for (const s of segments) {
    if (!s.av || s.bridge) continue;
    const r = s.points.map((p) => Math.hypot(p.x - disc.x, p.y - disc.y));
    let crosses = false;
    for (let i = 1; i < r.length && !crosses; i++) crosses = (r[i - 1] - middle) * (r[i] - middle) <= 0;
    if (!crosses) continue;
    const inside = s.points.filter((p, i) => r[i] >= inner && r[i] <= outer && !Number.isNaN(p.widths[mid]));
    if (inside.length < 3) continue;
    const levels = inside[0].widths.length;
    const width = Array.from({ length: levels }, (_, k) => {
      const vals = inside.map((p) => p.widths[k]).filter((v) => !Number.isNaN(v));
      return vals.reduce((a, b) => a + b, 0) / Math.max(1, vals.length);
    });
    const m = width[mid];
    const sd = Math.sqrt(
      inside.reduce((a, p) => a + (p.widths[mid] - m) ** 2, 0) / Math.max(1, inside.length - 1),
    );
    // Neighbouring profiles overlap by about a vessel width, so the independent samples are fewer than the points.
    const independent = Math.max(1, inside.length / Math.max(1, m));
    const centre = inside[inside.length >> 1];
    out.push({
      segment: s.id,
      av: s.av,
      width,
      widthSe: sd / Math.sqrt(independent),
      x: centre.x,
      y: centre.y,
    });
  }
  return out;
}
