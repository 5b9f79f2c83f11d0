// Two visits of the same eye, compared: the later photograph is registered onto the earlier one by the optic disc
// (its centre and diameter give translation and scale; the disc-to-fovea direction, when both foveae were found,
// gives rotation), the vessels measured at the first visit are found again at the second by their position around
// the disc, and each measure's change is set against the two measurements' own intervals.
import { knudtsonEquivalent, KNUDTSON_ARTERIOLE, KNUDTSON_VENULE } from './knudtson.js';
import type { ImageMeasures, Measure, MeasureUnit, NamedVessel } from './measures.js';
import { MEASURE_ROWS, type MeasureKey } from './measure-table.js';
import type { Disc } from './zones.js';

export interface Visit {
  measures: ImageMeasures;
  fovea?: { x: number; y: number } | null;
  /** The photograph's size: lengths in pixels compare only between photographs of one size. */
  size?: { width: number; height: number };
}

/** How visit B's pixels map onto visit A's. */
export interface Registration {
  scale: number;
  rotation: number;
  /** Whether the rotation comes from both foveae (otherwise 0: both photographs assumed upright). */
  rotationFromFovea: boolean;
}

export interface VesselMatch {
  /** A's name (A1.., V1..) and B's. */
  a: NamedVessel;
  b: NamedVessel | null;
  /** Change in width, B - A, in the measures' unit. */
  change: number | null;
  /** Why there is no change though the vessel was found again (widths in units that do not compare). */
  reason?: string;
}

export interface MeasureChange {
  key: MeasureKey;
  label: string;
  unit: MeasureUnit;
  a: number | null;
  b: number | null;
  change: number | null;
  /** The change's 95% interval: the two intervals' half-widths combined in quadrature around it. */
  ci95: [number, number] | null;
  /** The change is larger than the measurements' own uncertainty. */
  exceeds: boolean;
  reason?: string;
}

export interface VisitComparison {
  registration: Registration | null;
  changes: MeasureChange[];
  /** Zone B vessels of visit A and what they matched at visit B. */
  vessels: { arteries: VesselMatch[]; veins: VesselMatch[] };
  /** CRAE and CRVE of visit B over the vessels matched to A's six (the same vessels), when all six were found. */
  sameVessels: { crae: number | null; crve: number | null };
  /** Visits whose disc the field's edge cuts off: the registration and the zone measures' changes rest on it. */
  discAtFieldEdge: { a: boolean; b: boolean };
  reason?: string;
}

/** A sentence per visit whose disc is cut off, naming the visit as the caller does (`a` first, then `b`). */
export function cutOffDiscNotes(cmp: VisitComparison, nameA: string, nameB: string): string[] {
  const named: [boolean, string][] = [
    [cmp.discAtFieldEdge.a, nameA],
    [cmp.discAtFieldEdge.b, nameB],
  ];
  return named
    .filter(([cut]) => cut)
    .map(
      ([, name]) =>
        `The optic disc is cut off by the field's edge at the visit of ${name}: the registration and the ` +
        'changes of the zone measures (CRAE, CRVE, AVR) may be wrong.',
    );
}

/**
 * The largest turn between two photographs of one eye the registration takes without a warning. Fundus cameras
 * photograph upright; a head tilt turns the eye by 10-20 degrees at most. A half turn puts the fovea on the other
 * side of the disc: another eye (or another person) entered as this one, or a fovea found in the wrong place.
 */
export const PLAUSIBLE_TURN_DEGREES = 45;

/** The turn between the visits in degrees, -180 to 180. */
export function turnDegrees(reg: Registration): number {
  const deg = (reg.rotation * 180) / Math.PI;
  return ((((deg + 180) % 360) + 360) % 360) - 180;
}

/**
 * Everything that may make the comparison wrong, one sentence each: a disc cut off by the field's edge, and a
 * registration that turned one photograph implausibly far.
 */
export function registrationNotes(cmp: VisitComparison, nameA: string, nameB: string): string[] {
  const notes = cutOffDiscNotes(cmp, nameA, nameB);
  const reg = cmp.registration;
  if (reg?.rotationFromFovea && Math.abs(turnDegrees(reg)) > PLAUSIBLE_TURN_DEGREES)
    notes.push(
      `To match the visits, the photograph of ${nameB} had to be turned by ${Math.round(turnDegrees(reg))}°: ` +
        'are both photographs of the same eye? (Or a fovea was found in the wrong place.) The matched vessels ' +
        'and the changes may be wrong.',
    );
  return notes;
}

/** The widest angular gap, in degrees, at which a vessel of visit B still counts as the same as one of visit A. */
export const MATCH_DEGREES = 12;

function angleAround(disc: Disc, v: { x: number; y: number }): number {
  return Math.atan2(v.y - disc.y, v.x - disc.x);
}

function angleGap(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
}

export function registerVisits(a: Visit, b: Visit): Registration | null {
  const da = a.measures.disc;
  const db = b.measures.disc;
  if (!da || !db) return null;
  const scale = da.diameter / db.diameter;
  if (a.fovea && b.fovea)
    return { scale, rotation: angleAround(da, a.fovea) - angleAround(db, b.fovea), rotationFromFovea: true };
  return { scale, rotation: 0, rotationFromFovea: false };
}

function matchVessels(
  as: NamedVessel[],
  bs: NamedVessel[],
  da: Disc,
  db: Disc,
  reg: Registration,
  incomparable: string | null,
): VesselMatch[] {
  const taken = new Set<NamedVessel>();
  return as.map((va) => {
    const angle = angleAround(da, va);
    let best: NamedVessel | null = null;
    let bestGap = (MATCH_DEGREES * Math.PI) / 180;
    for (const vb of bs) {
      if (taken.has(vb)) continue;
      const gap = angleGap(angle, angleAround(db, vb) + reg.rotation);
      if (gap < bestGap) {
        bestGap = gap;
        best = vb;
      }
    }
    if (best) taken.add(best);
    if (best && incomparable) return { a: va, b: best, change: null, reason: incomparable };
    return { a: va, b: best, change: best ? best.width - va.width : null };
  });
}

export const NO_INTERVAL =
  'neither visit has an interval for it, so whether the change exceeds the measurement uncertainty is not known';

function halfWidth(m: Measure): number {
  return m.ci95 ? (m.ci95[1] - m.ci95[0]) / 2 : 0;
}

/**
 * Why lengths in pixels of the two visits cannot be compared, or null: a pixel is a different length of retina in a
 * photograph of another size (another camera, or one resized or cropped), so 3 px and 5 px may be one calibre.
 */
function pixelsDiffer(a: Visit, b: Visit): string | null {
  const [sa, sb] = [a.size, b.size];
  if (!sa || !sb || (sa.width === sb.width && sa.height === sb.height)) return null;
  return (
    `measured in pixels of photographs of different sizes (${sa.width}×${sa.height} and ${sb.width}×${sb.height}): ` +
    'enter the field angle at both visits'
  );
}

/**
 * Why values in these units cannot be subtracted, or null: the one rule for the image's measures and for each
 * vessel's width (µm at one visit and disc diameters at the other; pixels of photographs of different sizes).
 */
function whyIncomparable(ua: MeasureUnit, ub: MeasureUnit, pixelsNote: string | null): string | null {
  if (ua !== ub) return `measured in ${ua} at one visit and ${ub} at the other`;
  return pixelsNote && (ua === 'px' || ua === '1/px') ? pixelsNote : null;
}

function changeOf(
  key: MeasureKey,
  label: string,
  a: Measure,
  b: Measure,
  pixelsNote: string | null,
): MeasureChange {
  const row = { key, label, unit: a.unit, a: a.value, b: b.value };
  if (a.value === null || b.value === null) {
    // Each visit's own reason, said of that visit: one reason for both misled where they differ.
    const why = (m: Measure, visit: string) =>
      m.value === null ? `${visit}: ${m.reason ?? 'not measured'}` : null;
    const reasons = [why(a, 'earlier visit'), why(b, 'later visit')].filter((r) => r !== null);
    const same = a.value === null && b.value === null && a.reason === b.reason;
    const reason = same ? `both visits: ${a.reason ?? 'not measured'}` : reasons.join('; ');
    return { ...row, change: null, ci95: null, exceeds: false, reason };
  }
  const incomparable = whyIncomparable(a.unit, b.unit, pixelsNote);
  if (incomparable) return { ...row, change: null, ci95: null, exceeds: false, reason: incomparable };
  const change = b.value - a.value;
  const spread = Math.hypot(halfWidth(a), halfWidth(b));
  // Neither measurement carries an uncertainty (masks without a probability map count as exact): any difference,
  // a resampled pixel's, would 'exceed' a zero interval, so whether it exceeds the uncertainty is not known.
  if (spread === 0 && change !== 0)
    return { ...row, change, ci95: null, exceeds: false, reason: NO_INTERVAL };
  return { ...row, change, ci95: [change - spread, change + spread], exceeds: Math.abs(change) > spread };
}

export function compareVisits(a: Visit, b: Visit): VisitComparison {
  const pixelsNote = pixelsDiffer(a, b);
  const changes = MEASURE_ROWS.map((r) =>
    changeOf(r.key, r.label, a.measures[r.key], b.measures[r.key], pixelsNote),
  );
  const reg = registerVisits(a, b);
  const da = a.measures.disc;
  const db = b.measures.disc;
  const discAtFieldEdge = { a: a.measures.discAtFieldEdge, b: b.measures.discAtFieldEdge };
  if (!reg || !da || !db)
    return {
      registration: null,
      changes,
      vessels: { arteries: [], veins: [] },
      sameVessels: { crae: null, crve: null },
      discAtFieldEdge,
      reason: `${
        !da && !db
          ? 'no optic disc at either visit'
          : `no optic disc at the ${!da ? 'earlier' : 'later'} visit`
      }, so the vessels cannot be matched`,
    };
  // Widths are in each visit's length unit: subtracted only where the image's measures would be.
  const widths = whyIncomparable(a.measures.scale.unit, b.measures.scale.unit, pixelsNote);
  const match = (kind: 'arteries' | 'veins'): VesselMatch[] =>
    matchVessels(a.measures.zoneVessels.B[kind], b.measures.zoneCandidates.B[kind], da, db, reg, widths);
  const arteries = match('arteries');
  const veins = match('veins');
  const same = (m: VesselMatch[], k: number): number | null =>
    m.length === 6 && m.every((x) => x.b)
      ? knudtsonEquivalent(
          m.map((x) => x.b!.width),
          k,
        )
      : null;
  return {
    registration: reg,
    changes,
    vessels: { arteries, veins },
    sameVessels: { crae: same(arteries, KNUDTSON_ARTERIOLE), crve: same(veins, KNUDTSON_VENULE) },
    discAtFieldEdge,
  };
}
