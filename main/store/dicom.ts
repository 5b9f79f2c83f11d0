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

function isoDate(da: string | undefined): string | null {
  const m = da?.match(/^(\d{4})(\d{2})(\d{2})$/);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
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
export async function parseDicomImage(bytes: Uint8Array, name: string): Promise<DicomImage> {
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
  const birth = ds.string('x00100030')?.slice(0, 4);
  const device = [dicomText(ds, 'x00080070'), dicomText(ds, 'x00081090')].filter(Boolean).join(' ') || null;
  const acquisition: Record<string, string | number> = {};
  const keep: [string, string][] = [
    ['modality', 'x00080060'],
    ['sopClassUid', 'x00080016'],
    ['sopInstanceUid', 'x00080018'],
    ['seriesInstanceUid', 'x0020000e'],
    ['acquisitionDateTime', 'x0008002a'],
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
  return {
    raster,
    laterality: dicomEye(ds),
    pixelSpacingMm: dicomPixelSpacing(ds),
    patientId: dicomText(ds, 'x00100020') ?? null,
    patientName: personName(dicomText(ds, 'x00100010')),
    patientBirthYear: birth && /^\d{4}$/.test(birth) ? Number(birth) : null,
    patientSex: sex === 'F' || sex === 'M' || sex === 'O' ? sex : null,
    studyUid: ds.string('x0020000d') || null,
    studyDate: isoDate(ds.string('x00080020')),
    device,
    fieldAngleDeg: dicomFieldAngle(ds),
    acquisition,
  };
}
