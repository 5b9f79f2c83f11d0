// The measurement zones around the optic disc, as the ARIC / Knudtson protocol draws them: zone B from 0.5 to 1 disc
// diameter beyond the disc margin, zone C from 0.5 to 2. As distances from the disc centre, in disc diameters:
// B = [1.0, 1.5], C = [1.0, 2.5].
import type { GraphNode } from './centrelines.js';
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

/** A segment's mean width over its points inside the zone, or null with fewer than three measured there. */
function widthInZone(
  s: VesselSegment,
  inZone: (x: number, y: number) => boolean,
  mid: number,
): ZoneVessel | null {
  const inside = s.points.filter((p) => inZone(p.x, p.y) && !Number.isNaN(p.widths[mid]));
  if (inside.length < 3 || !s.av) return null;
  const width = Array.from({ length: inside[0].widths.length }, (_, k) => {
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
  return { segment: s.id, av: s.av, width, widthSe: sd / Math.sqrt(independent), x: centre.x, y: centre.y };
}

/**
 * The labelled vessels crossing a zone, each with its width there. Junctions and crossings cut a vessel into
 * segments, and where they fall differs with resolution, so a vessel here is a group: the segments of one class
 * with points in the zone, joined through the nodes inside it (nodes a short piece apart count as one). A group is a vessel when its points in the zone reach both sides of the zone's middle circle, and
 * its width is that of its widest segment measured in the zone (at least three widths): the trunk, when a vessel
 * branches inside the zone, as the measurement protocols ask.
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
  const inZone = (x: number, y: number): boolean => {
    const r = radius(x, y);
    return r >= inner && r <= outer;
  };
  // Nodes joined by a bridge, or by any piece shorter than a fifth of a disc diameter (a crossing or a branching
  // whose skeleton split into two nearby junctions, the piece between them taking either vessel's label), are one
  // place.
  const place = new UnionFind(nodes.length);
  for (const s of segments) {
    if (s.from < 0 || s.to < 0 || nodes[s.from].kind === 'end' || nodes[s.to].kind === 'end') continue;
    if (s.bridge || s.length <= 0.2 * disc.diameter) place.union(s.from, s.to);
  }
  const members = segments.filter((s) => s.av && !s.bridge && s.points.some((p) => inZone(p.x, p.y)));
  const group = new UnionFind(segments.length);
  const firstAt = new Map<string, number>();
  for (const s of members) {
    for (const id of [s.from, s.to]) {
      if (id < 0 || nodes[id].kind === 'end' || !inZone(nodes[id].x, nodes[id].y)) continue;
      const key = `${place.find(id)}:${s.av}`;
      const other = firstAt.get(key);
      if (other === undefined) firstAt.set(key, s.id);
      else group.union(other, s.id);
    }
  }
  const groups = new Map<number, VesselSegment[]>();
  for (const s of members) {
    const g = group.find(s.id);
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  const out: ZoneVessel[] = [];
  for (const segs of groups.values()) {
    let near = Infinity;
    let far = -Infinity;
    for (const s of segs)
      for (const p of s.points) {
        if (!inZone(p.x, p.y)) continue;
        const r = radius(p.x, p.y);
        near = Math.min(near, r);
        far = Math.max(far, r);
      }
    if (!(near <= middle && far >= middle)) continue;
    // The trunk: the widest of the segments that cross the middle circle themselves (or, when the crossing falls in
    // a junction, of all), not the widest of every piece, which would favour groups cut into more pieces.
    const crossing = segs.filter((s) => crossesCircle(s, radius, middle));
    let best: ZoneVessel | null = null;
    for (const s of crossing.length ? crossing : segs) {
      const v = widthInZone(s, inZone, mid);
      if (v && (!best || v.width[mid] > best.width[mid])) best = v;
    }
    if (!best && crossing.length)
      for (const s of segs) {
        const v = widthInZone(s, inZone, mid);
        if (v && (!best || v.width[mid] > best.width[mid])) best = v;
      }
    if (best) out.push(best);
  }
  return out;
}

function crossesCircle(s: VesselSegment, radius: (x: number, y: number) => number, r: number): boolean {
  for (let i = 1; i < s.points.length; i++) {
    const a = radius(s.points[i - 1].x, s.points[i - 1].y) - r;
    const b = radius(s.points[i].x, s.points[i].y) - r;
    if (a * b <= 0) return true;
  }
  return false;
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
