// DICOM Ophthalmic Photography (and any other single-image DICOM) as the store keeps it: the pixels (read by the
// engine's ml/io/dicom-pixels.ts: 8-bit grey or RGB, uncompressed or JPEG baseline/extended) and the header fields
// that give laterality, pixel spacing and the patient/study identifiers.
import type { DataSet } from 'dicom-parser';
import {
  DicomFormatError,
  dicomEye,
  dicomFieldAngle,
  dicomPixelSpacing,
  dicomPixels,
  dicomText,
  readDicomDataSet,
} from '../ml/io/dicom-pixels.js';
import type { RasterImage } from '../ml/types.js';
import { FIRST_BIRTH_YEAR, isCalendarDate, plausibleDates } from '../../shared/clinical-dates.js';
import { DicomError } from './errors.js';
import type { Laterality } from './images.js';

export { isDicom } from '../ml/io/dicom-pixels.js';

export interface DicomImage {
  raster: RasterImage;
  laterality: Laterality | null;
  pixelSpacingMm: [number, number] | null;
  patientId: string | null;
  /** Patient's Name (0010,0010), "Family^Given" written as "Family, Given". */
  patientName: string | null;
  patientBirthYear: number | null;
  patientSex: 'F' | 'M' | 'O' | null;
  studyUid: string | null;
  /** ISO date (YYYY-MM-DD). */
  studyDate: string | null;
  device: string | null;
  /** Horizontal Field of View (0022,000C) in degrees. */
  fieldAngleDeg: number | null;
  /** Header fields kept with the image. */
  acquisition: Record<string, string | number>;
}

/**
 * A DA value (YYYYMMDD) as an ISO date, or null when it is no calendar day from 1900 on: archives write 00000000 for
 * an unknown date, and a camera's clock can say 20230230.
 */
function isoDate(da: string | undefined): string | null {
  const m = da?.match(/^(\d{4})(\d{2})(\d{2})$/);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : null;
  return iso !== null && isCalendarDate(iso) ? iso : null;
}

/** The year of a birth date (DA), or null for none a living patient has (0000 of 00000000, an unknown date). */
function birthYearOf(da: string | undefined): number | null {
  const y = da?.match(/^(\d{4})/)?.[1];
  return y !== undefined && Number(y) >= FIRST_BIRTH_YEAR ? Number(y) : null;
}

/**
 * A person name (PN), family^given^middle^prefix^suffix: "Family, Prefix Given Middle Suffix" (the alphabetic
 * group, before any '=').
 */
function personName(pn: string | undefined): string | null {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (pn ?? '')
    .split('=')[0]
    .split('^')
    .map((p) => p.trim());
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  const name = family && rest ? `${family}, ${rest}` : family || rest;
  return name || null;
}

/** Parses a DICOM file into pixels and the fields the store keeps. Throws DicomError naming the file. */
export async function parseDicomImage(
  bytes: Uint8Array,
  name: string,
  now: Date = new Date(),
): Promise<DicomImage> {
  let ds: DataSet;
  let raster: RasterImage;
  try {
    ds = readDicomDataSet(bytes, name);
    raster = await dicomPixels(ds, bytes, name);
  } catch (err) {
    if (err instanceof DicomFormatError) throw new DicomError(err.message);
    throw err;
  }
  const photometric = (ds.string('x00280004') ?? '').toUpperCase();
  const sex = ds.string('x00100040')?.toUpperCase();
  const device = [dicomText(ds, 'x00080070'), dicomText(ds, 'x00081090')].filter(Boolean).join(' ') || null;
  const acquisition: Record<string, string | number> = {};
  const keep: [string, string][] = [
    ['modality', 'x00080060'],
    ['sopClassUid', 'x00080016'],
    ['sopInstanceUid', 'x00080018'],
    ['seriesInstanceUid', 'x0020000e'],
    ['acquisitionDateTime', 'x0008002a'],
    // As written, so a date not taken (00000000, or in the future) is still on record beside the image. (Not the
    // birth date: the store keeps only the year.)
    ['studyDate', 'x00080020'],
    ['contentDate', 'x00080023'],
    ['manufacturer', 'x00080070'],
    ['model', 'x00081090'],
    ['transferSyntax', 'x00020010'],
  ];
  for (const [key, tag] of keep) {
    const v = dicomText(ds, tag);
    if (v) acquisition[key] = v;
  }
  acquisition.photometric = photometric;
  // A multi-frame photograph (a stereo pair) is read as its first frame: say so beside it.
  const frames = Number(ds.string('x00280008') ?? 1);
  if (Number.isInteger(frames) && frames > 1) acquisition.frames = `${frames} (the first is read)`;
  // A date that cannot be right (a visit in the future: the camera's clock) is left for a person to enter, not
  // stored to head every comparison and print on reports.
  const dates = plausibleDates(
    { birthYear: birthYearOf(ds.string('x00100030')), visitDate: isoDate(ds.string('x00080020')) },
    now,
  );
  return {
    raster,
    laterality: dicomEye(ds),
    pixelSpacingMm: dicomPixelSpacing(ds),
    patientId: dicomText(ds, 'x00100020') ?? null,
    patientName: personName(dicomText(ds, 'x00100010')),
    patientBirthYear: dates.birthYear,
    patientSex: sex === 'F' || sex === 'M' || sex === 'O' ? sex : null,
    studyUid: ds.string('x0020000d') || null,
    studyDate: dates.visitDate,
    device,
    fieldAngleDeg: dicomFieldAngle(ds),
    acquisition,
  };
}
