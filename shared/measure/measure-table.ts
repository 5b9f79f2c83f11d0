// The measures as people read them: names, what each means, and the flat table (CSV) and JSON forms the CLI, the
// export and the report share.
import { csvField } from '../csv-field.js';
import type { ImageMeasures, Measure, MeasureUnit } from './measures.js';
import { gradabilityLine } from './gradability-verdict.js';

export type MeasureKey = {
  [K in keyof ImageMeasures]-?: ImageMeasures[K] extends Measure ? K : never;
}[keyof ImageMeasures];

export interface MeasureRow {
  key: MeasureKey;
  label: string;
  /** One line of help: the definition and where it comes from. */
  help: string;
}

export const MEASURE_ROWS: MeasureRow[] = [
  {
    key: 'crae',
    label: 'CRAE (zone B)',
    help: "Central retinal arteriolar equivalent: the six widest arterioles crossing zone B (0.5-1 disc diameter from the disc margin), combined by Knudtson's revised formula (k = 0.88).",
  },
  {
    key: 'crve',
    label: 'CRVE (zone B)',
    help: "Central retinal venular equivalent: the six widest venules in zone B, Knudtson's revised formula (k = 0.95).",
  },
  { key: 'avr', label: 'AVR (zone B)', help: 'Arteriole-to-venule ratio, CRAE / CRVE.' },
  {
    key: 'craeZoneC',
    label: 'CRAE (zone C)',
    help: 'CRAE over zone C (0.5-2 disc diameters from the disc margin).',
  },
  { key: 'crveZoneC', label: 'CRVE (zone C)', help: 'CRVE over zone C.' },
  { key: 'avrZoneC', label: 'AVR (zone C)', help: 'CRAE / CRVE over zone C.' },
  {
    key: 'calibre',
    label: 'Mean calibre',
    help: 'Vessel width edge to edge, perpendicular to the centreline, averaged over all segments weighted by length.',
  },
  {
    key: 'calibreArteries',
    label: 'Mean calibre, arteries',
    help: 'Mean calibre of the segments labelled artery.',
  },
  { key: 'calibreVeins', label: 'Mean calibre, veins', help: 'Mean calibre of the segments labelled vein.' },
  {
    key: 'tortuosity',
    label: 'Tortuosity (distance factor)',
    help: 'Arc length over chord length per segment, length-weighted mean; 1 is straight.',
  },
  {
    key: 'tortuosityDensity',
    label: 'Tortuosity density',
    help: 'Grisan et al. 2008: per segment (n-1)/n * 1/L * sum(L_i/S_i - 1) over its n arcs between inflections; length-weighted mean.',
  },
  {
    key: 'fractalDimension',
    label: 'Fractal dimension',
    help: 'Box-counting (Minkowski-Bouligand) dimension of the vessel map, counted at a fixed resolution of the field.',
  },
  {
    key: 'fractalDimensionArteries',
    label: 'Fractal dimension, arteries',
    help: 'Box-counting dimension of the arteries.',
  },
  {
    key: 'fractalDimensionVeins',
    label: 'Fractal dimension, veins',
    help: 'Box-counting dimension of the veins.',
  },
  { key: 'vesselDensity', label: 'Vessel density', help: 'Share of the field of view covered by vessels.' },
  {
    key: 'vesselDensityArteries',
    label: 'Vessel density, arteries',
    help: 'Share of the field covered by arteries.',
  },
  { key: 'vesselDensityVeins', label: 'Vessel density, veins', help: 'Share of the field covered by veins.' },
];

/**
 * A figure for people: 3-4 significant figures; micrometres to a tenth (a calibre of "78.656 µm" claims a precision
 * a fundus photograph's 5-25 µm pixels never have).
 */
export function formatFigure(v: number, unit: MeasureUnit): string {
  return unit === 'µm' || Math.abs(v) >= 100
    ? v.toFixed(1)
    : Math.abs(v) >= 1
      ? v.toFixed(3)
      : v.toPrecision(3);
}

/** A value for people: its figure, unit and interval. */
export function formatMeasure(m: Measure): string {
  if (m.value === null) return `not measured: ${m.reason ?? 'unknown'}`;
  const f = (v: number): string => formatFigure(v, m.unit);
  const unit =
    m.unit === 'dimensionless' || m.unit === 'ratio' ? '' : m.unit === 'fraction' ? '' : ` ${m.unit}`;
  const ci = m.ci95 ? ` (95% interval ${f(m.ci95[0])}-${f(m.ci95[1])})` : '';
  return `${f(m.value)}${unit}${ci}`;
}

/**
 * The JSON a measured image is written as (`<stem>_measures.json`): stable keys, every measure `{value, unit, ci95}`,
 * and `notes`, the sentences on how far to trust them (e.g. a disc cut off by the field's edge), [] when none.
 */
export function measuresJson(m: ImageMeasures, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...extra,
    // The disc's place and size in the photograph's pixels, whatever the measures' length unit: said so.
    disc: m.disc ? { ...m.disc, unit: 'px' } : null,
    discAtFieldEdge: m.discAtFieldEdge,
    scale: m.scale,
    notes: m.notes,
    // Whether the photograph could be measured, and on what evidence (absent where its pixels were not judged).
    ...(m.quality ? { quality: m.quality } : {}),
  };
  for (const row of MEASURE_ROWS) out[row.key] = m[row.key];
  // The named vessels' places are the photograph's pixels; their widths, like the graph's length, the length unit.
  out.zoneVessels = { ...m.zoneVessels, units: { x: 'px', y: 'px', width: m.scale.unit } };
  out.graph = { ...m.graph, lengthUnit: m.scale.unit };
  return out;
}

// The disc's columns are in the photograph's pixels: named so, as beside `length_unit` they read as micrometres.
const CSV_FIXED = ['image', 'width', 'height', 'length_unit', 'disc_x_px', 'disc_y_px', 'disc_diameter_px'];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // A file name or a note that starts like a formula is not evaluated by a spreadsheet (see csvField).
  return typeof v === 'number' ? csvField(Number(v.toPrecision(6))) : csvField(String(v));
}

/**
 * One row per image: each measure's value, unit and interval, and why it is absent when it is; then whether the disc
 * is cut off by the field's edge and the notes, then whether the photograph is gradable and why (or its quality
 * warnings); empty where it was not judged. Last, so readers of the earlier columns by position are unaffected.
 */
export function measuresCsv(
  rows: { image: string; width: number; height: number; measures: ImageMeasures; imageId?: number }[],
  opts: { imageIds?: boolean } = {},
): string {
  // A database's export names each image by its id too (file names repeat across folders); `retina measure`
  // measures files, named by their paths. The caller says which, so the header is the same without rows.
  const withIds = opts.imageIds === true;
  const header = [...(withIds ? ['image_id'] : []), ...CSV_FIXED];
  for (const r of MEASURE_ROWS)
    header.push(r.key, `${r.key}_unit`, `${r.key}_ci_low`, `${r.key}_ci_high`, `${r.key}_note`);
  header.push('disc_at_field_edge', 'notes', 'gradable', 'quality');
  const lines = [header.join(',')];
  for (const { image, width, height, measures: m, imageId } of rows) {
    const cells: unknown[] = [
      ...(withIds ? [imageId] : []),
      image,
      width,
      height,
      m.scale.unit,
      m.disc?.x,
      m.disc?.y,
      m.disc?.diameter,
    ];
    for (const r of MEASURE_ROWS) {
      const v = m[r.key];
      cells.push(v.value, v.unit, v.ci95?.[0], v.ci95?.[1], v.reason);
    }
    cells.push(
      m.discAtFieldEdge,
      m.notes.join(' '),
      m.quality?.gradable,
      m.quality && gradabilityLine(m.quality),
    );
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}
