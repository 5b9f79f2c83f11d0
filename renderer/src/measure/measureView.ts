// What the Measurements panel and its image layer show, as pure functions of main's answer: the rows (value,
// interval, or why a value is absent), where the lengths' unit comes from, whose disc the zones are drawn around, the
// zones' circles and the named vessels.
import type { MeasurementsPayload } from '../../../shared/contract.js';
import {
  formatFigure,
  formatMeasure,
  MEASURE_ROWS,
  type MeasureKey,
} from '../../../shared/measure/measure-table.js';
import type { Measure } from '../../../shared/measure/measures.js';
import { zoneRadii, type ZoneName } from '../../../shared/measure/zones.js';

export interface MeasureLine {
  key: MeasureKey;
  label: string;
  help: string;
  /** Value and unit, e.g. "0.0890 DD"; null when absent. */
  value: string | null;
  /** The 95% interval's bounds, e.g. "0.0839 – 0.0957"; null without one. */
  interval: string | null;
  /** Why the value is absent, e.g. "only 4 venules measurable in zone B (6 needed)"; null when present. */
  absent: string | null;
}

export function measureLine(row: (typeof MEASURE_ROWS)[number], m: Measure): MeasureLine {
  const base = { key: row.key, label: row.label, help: row.help };
  if (m.value === null) return { ...base, value: null, interval: null, absent: m.reason ?? 'not measured' };
  const value = formatMeasure({ ...m, ci95: null });
  // The bounds written as the value is (micrometres to a tenth), without repeating the unit.
  const interval = m.ci95 ? `${formatFigure(m.ci95[0], m.unit)} – ${formatFigure(m.ci95[1], m.unit)}` : null;
  return { ...base, value, interval, absent: null };
}

export function measureLines(p: MeasurementsPayload): MeasureLine[] {
  return MEASURE_ROWS.map((row) => measureLine(row, p.measures[row.key]));
}

/** Where the lengths' unit comes from, in words, with what to do for micrometres when they are not. */
export function scaleNote(p: MeasurementsPayload): string {
  const { scale } = p.measures;
  if (scale.unit === 'µm') {
    const perPixel = `${scale.perPixel.toPrecision(3)} µm per pixel`;
    if (p.scaleSource === 'dicom') return `Micrometres from the DICOM pixel spacing (${perPixel}).`;
    return `Micrometres from the camera's field angle over the photograph's aperture (${perPixel}).`;
  }
  const advice = "Enter the field angle in the image's clinical info to get micrometres.";
  if (scale.unit === 'DD') return `Lengths in disc diameters (DD). ${advice}`;
  return `Lengths in pixels: no optic disc was found and the pixel size is unknown. ${advice}`;
}

/** Whose optic disc the zones are drawn around, and how to change it; for a missing disc, how to place one. */
export function discNote(p: MeasurementsPayload): string {
  if (!p.measures.disc && p.discBy)
    return `Optic disc removed by hand (${p.discBy}): the Disc tool (Shift+D) places one, and the zone measures follow it.`;
  if (!p.measures.disc)
    return 'No optic disc found: the Disc tool (Shift+D) places one, and the zone measures follow it.';
  if (p.discBy) return `Zones around the optic disc set by hand (${p.discBy}).`;
  return "Zones around the model's optic disc: drag its centre to move it; the Disc tool (Shift+D) resizes it.";
}

/** The annuli drawn on the image: each zone's inner and outer radius around the disc centre, in image pixels. */
export interface ZoneRing {
  zone: ZoneName;
  x: number;
  y: number;
  inner: number;
  outer: number;
}

export function zoneRings(p: MeasurementsPayload): ZoneRing[] {
  const disc = p.measures.disc;
  if (!disc) return [];
  return (['C', 'B'] as const).map((zone) => ({ zone, x: disc.x, y: disc.y, ...zoneRadii(disc, zone) }));
}

/** A vessel CRAE or CRVE took, where to mark it, and its width as the panel lists it. */
export interface VesselMark {
  name: string;
  kind: 'artery' | 'vein';
  x: number;
  y: number;
  width: string;
}

/** The (up to) twelve vessels of zone B that CRAE and CRVE were computed from: A1..A6, V1..V6. */
export function namedVessels(p: MeasurementsPayload): VesselMark[] {
  const { arteries, veins } = p.measures.zoneVessels.B;
  const unit = p.measures.scale.unit;
  const mark = (kind: VesselMark['kind']) => (v: (typeof arteries)[number]) => ({
    name: v.name,
    kind,
    x: v.x,
    y: v.y,
    width: formatMeasure({ value: v.width, unit, ci95: null }),
  });
  return [...arteries.map(mark('artery')), ...veins.map(mark('vein'))];
}
