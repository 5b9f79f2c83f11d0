// What the two-visit comparison shows, as pure functions of main's answers: which other images can be compared
// (the same patient's same eye, by visit date), each side's marks under the first visit's names (A1..V6), the
// table's lines (both values, the change and its interval, whether it exceeds the measurements' own uncertainty),
// and the notes that say why something could not be compared.
import type { ImageSummary, VisitComparisonPayload, VisitSide } from '../../../shared/contract.js';
import { formatFigure, formatMeasure } from '../../../shared/measure/measure-table.js';
import {
  sameVesselsText,
  vesselChangeRows,
  type VesselChangeRow,
} from '../../../shared/measure/same-vessels.js';
import { registrationNotes } from '../../../shared/measure/compare-visits.js';
import type { MeasureUnit } from '../../../shared/measure/measures.js';
import type { VesselMark } from './measureView.js';

/**
 * Where report pages live in browser mode (served by `retina serve`, authorised by the session's cookie): beside the
 * page, so a reverse proxy's sub-path is kept.
 */
export function reportUrl(target: { imageId: string } | { studyId: string }, download = false): string {
  const q =
    'imageId' in target
      ? `image=${encodeURIComponent(target.imageId)}`
      : `study=${encodeURIComponent(target.studyId)}`;
  return `report?${q}${download ? '&download=1' : ''}`;
}

export interface VisitOption {
  imageId: string;
  label: string;
}

/** The same patient's other images of the same eye, oldest visit first; none when the patient or eye is unknown. */
export function visitOptions(current: ImageSummary, images: ImageSummary[]): VisitOption[] {
  if (!current.patientId || !current.laterality) return [];
  return images
    .filter(
      (i) => i.id !== current.id && i.patientId === current.patientId && i.laterality === current.laterality,
    )
    .sort(
      (a, b) => (a.visitDate ?? '').localeCompare(b.visitDate ?? '') || a.fileName.localeCompare(b.fileName),
    )
    .map((i) => ({ imageId: i.id, label: `${i.visitDate ?? 'date unknown'} · ${i.fileName}` }));
}

const figure = (v: number, unit: MeasureUnit): string => formatMeasure({ value: v, unit, ci95: null });

/** Each side's named vessels: the earlier visit's own, the later one's matches carrying the earlier names. */
export function comparisonMarks(p: VisitComparisonPayload): { earlier: VesselMark[]; later: VesselMark[] } {
  const unit = p.earlier.measurements.measures.scale.unit;
  const laterUnit = p.later.measurements.measures.scale.unit;
  const earlier: VesselMark[] = [];
  const later: VesselMark[] = [];
  for (const [kind, matches] of [
    ['artery', p.comparison.vessels.arteries],
    ['vein', p.comparison.vessels.veins],
  ] as const) {
    for (const m of matches) {
      earlier.push({ name: m.a.name, kind, x: m.a.x, y: m.a.y, width: figure(m.a.width, unit) });
      if (m.b) later.push({ name: m.a.name, kind, x: m.b.x, y: m.b.y, width: figure(m.b.width, laterUnit) });
    }
  }
  return { earlier, later };
}

export interface ChangeLine {
  key: string;
  label: string;
  earlier: string;
  later: string;
  /** Signed change with its unit, e.g. "-0.0123 DD"; null when it cannot be computed. */
  change: string | null;
  interval: string | null;
  exceeds: boolean;
  /** Why there is no change (a value absent, units differing), or no interval to judge it by. */
  note: string | null;
}

export function changeLines(p: VisitComparisonPayload): ChangeLine[] {
  return p.comparison.changes.map((c) => {
    const value = (v: number | null): string => (v === null ? '–' : figure(v, c.unit));
    const signed = (v: number): string => `${v > 0 ? '+' : ''}${figure(v, c.unit)}`;
    const bare = (v: number): string => formatFigure(v, c.unit);
    return {
      key: c.key,
      label: c.label,
      earlier: value(c.a),
      later: value(c.b),
      change: c.change === null ? null : signed(c.change),
      interval: c.ci95 ? `${bare(c.ci95[0])} – ${bare(c.ci95[1])}` : null,
      exceeds: c.exceeds,
      note: c.change === null ? (c.reason ?? 'not measured') : (c.reason ?? null),
    };
  });
}

const sideName = (s: VisitSide): string => `${s.visitDate ?? 'date unknown'} (${s.fileName})`;

/** Why parts of the comparison are missing or doubtful: no disc at a visit, a cut-off disc, differing units. */
export function comparisonNotes(p: VisitComparisonPayload): string[] {
  const notes: string[] = [];
  const [da, db] = [p.earlier.visitDate, p.later.visitDate];
  if (!da || !db || da === db)
    notes.push(
      `Which visit came first is not known (${
        !da && !db
          ? 'neither has a visit date'
          : da === db
            ? 'both have the same visit date'
            : 'one has no visit date'
      }): the photograph imported first is taken as the earlier, and the changes are from it. Enter the visit dates in Clinical details.`,
    );
  for (const s of [p.earlier, p.later])
    if (!s.measurements.measures.disc)
      notes.push(
        `The optic disc was not found at the visit of ${sideName(s)}: its vessels cannot be matched.`,
      );
  const ua = p.earlier.measurements.measures.scale.unit;
  const ub = p.later.measurements.measures.scale.unit;
  if (ua !== ub)
    notes.push(
      `The visits are measured in different units (${ua} and ${ub}): lengths cannot be compared. Enter the field angle at both visits.`,
    );
  notes.push(...registrationNotes(p.comparison, sideName(p.earlier), sideName(p.later)));
  if (p.comparison.registration && !p.comparison.registration.rotationFromFovea)
    notes.push(
      'Registered by the disc only (no fovea at both visits): both photographs are taken as upright.',
    );
  return notes;
}

/** CRAE and CRVE of the later visit over the first visit's own six vessels, or which were not found again. */
export function sameVesselLines(p: VisitComparisonPayload): string[] {
  return sameVesselsText(p.comparison, p.later.measurements.measures.scale.unit);
}

/** Each of the earlier visit's six arterioles and six venules with its width at both visits and the change. */
export function vesselChangeLines(p: VisitComparisonPayload): VesselChangeRow[] {
  return vesselChangeRows(
    p.comparison,
    p.earlier.measurements.measures.scale.unit,
    p.later.measurements.measures.scale.unit,
  );
}
