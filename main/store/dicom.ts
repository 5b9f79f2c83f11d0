// DICOM Ophthalmic Photography (and any other single-image DICOM) with 8-bit grey or RGB pixels, uncompressed or
// JPEG-compressed (baseline and extended, the transfer syntaxes fundus cameras write most), read with dicom-parser;
// a JPEG frame is decoded by sharp (libjpeg-turbo). Header fields give laterality, pixel spacing and the
// patient/study identifiers.
import { createRequire } from 'node:module';
import type { DataSet, Element } from 'dicom-parser';
import sharp from 'sharp';
import type { RasterImage } from '../ml/types.js';
import { DicomError } from './errors.js';
import type { Laterality } from './images.js';

// dicom-parser ships a UMD bundle whose named exports Node's ESM loader cannot see.
const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof import('dicom-parser');

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);
/** JPEG Baseline (Process 1) and Extended (Process 2 & 4): 8-bit lossy JPEG, one frame per image. */
const JPEG = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);

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

/** Part-10 files carry "DICM" after a 128-byte preamble. */
export function isDicom(bytes: Uint8Array): boolean {
  return (
    bytes.length > 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

function isoDate(da: string | undefined): string | null {
  const m = da?.match(/^(\d{4})(\d{2})(\d{2})$/);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

function lateralityOf(ds: DataSet): Laterality | null {
  const v = (ds.string('x00200062') ?? ds.string('x00200060') ?? '').toUpperCase();
  return v === 'R' ? 'OD' : v === 'L' ? 'OS' : null;
}

/** A person name (PN): components split by '^'; the family name first, the rest after a comma. */
function personName(pn: string | undefined): string | null {
  const [family = '', ...rest] = (pn ?? '')
    .split('=')[0]
    .split('^')
    .map((p) => p.trim());
  const given = rest.filter(Boolean).join(' ');
  const name = family && given ? `${family}, ${given}` : family || given;
  return name || null;
}

function fieldAngleOf(ds: DataSet): number | null {
  const v = ds.elements.x0022000c ? ds.float('x0022000c') : undefined;
  return v !== undefined && Number.isFinite(v) && v > 0 && v <= 250 ? Math.round(v * 10) / 10 : null;
}

function spacingOf(ds: DataSet): [number, number] | null {
  // Pixel Spacing, else Imager Pixel Spacing (0018,1164): row\column spacing in mm.
  for (const tag of ['x00280030', 'x00181164']) {
    const row = Number(ds.string(tag, 0));
    const col = Number(ds.string(tag, 1));
    if (Number.isFinite(row) && Number.isFinite(col) && row > 0 && col > 0) return [row, col];
  }
  return null;
}

/**
 * The first frame of JPEG-encapsulated pixel data, decoded: grey for a MONOCHROME image, else RGB (the decoder
 * turns YBR into RGB as a JPEG viewer does).
 */
async function decodeJpegFrame(
  ds: DataSet,
  pixel: Element,
  want: { rows: number; cols: number; spp: number },
  name: string,
): Promise<Uint8Array> {
  let frame: Uint8Array;
  try {
    frame =
      (ds.uint16('x00280008') ?? 1) > 1 || (pixel.basicOffsetTable?.length ?? 0) > 1
        ? dicomParser.readEncapsulatedImageFrame(ds, pixel, 0)
        : dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, pixel.fragments?.length ?? 0);
  } catch (err) {
    throw new DicomError(`${name}: the JPEG pixel data cannot be read (${(err as Error).message})`);
  }
  try {
    const { data, info } = await sharp(frame)
      .toColourspace(want.spp === 1 ? 'b-w' : 'srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== want.cols || info.height !== want.rows || info.channels !== want.spp) {
      throw new Error(
        `it decodes as ${info.width}x${info.height}x${info.channels}, the header says ${want.cols}x${want.rows}x${want.spp}`,
      );
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw new DicomError(
      `${name}: the JPEG pixel data is corrupt (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** The photometric interpretations a frame may have: grey, RGB, or (compressed) the YBR a JPEG codes RGB in. */
function supportedPhotometric(photometric: string, spp: number, jpeg: boolean): boolean {
  if (spp === 1) return photometric.startsWith('MONOCHROME');
  if (spp !== 3) return false;
  return photometric === 'RGB' || (jpeg && (photometric === 'YBR_FULL_422' || photometric === 'YBR_FULL'));
}

/** Parses a DICOM file into pixels and the fields the store keeps. Throws DicomError naming the file. */
export async function parseDicomImage(bytes: Uint8Array, name: string): Promise<DicomImage> {
  let ds: DataSet;
  try {
    ds = dicomParser.parseDicom(bytes);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new DicomError(`${name}: not a readable DICOM file (${msg})`);
  }
  const syntax = ds.string('x00020010');
  const jpeg = !!syntax && JPEG.has(syntax);
  if (syntax && !UNCOMPRESSED.has(syntax) && !jpeg) {
    throw new DicomError(
      `${name}: compressed DICOM pixel data (transfer syntax ${syntax}) is not supported: uncompressed and ` +
        'JPEG baseline/extended (1.2.840.10008.1.2.4.50, .51) are',
    );
  }
  const rows = ds.uint16('x00280010');
  const cols = ds.uint16('x00280011');
  const spp = ds.uint16('x00280002') ?? 1;
  const bits = ds.uint16('x00280100');
  const photometric = (ds.string('x00280004') ?? '').toUpperCase();
  const pixel = ds.elements.x7fe00010;
  if (!rows || !cols || !pixel)
    throw new DicomError(`${name}: DICOM file has no image (rows, columns or pixel data missing)`);
  if (bits !== 8)
    throw new DicomError(`${name}: ${bits ?? 'unknown'}-bit DICOM pixels are not supported (8-bit only)`);
  if (!supportedPhotometric(photometric, spp, jpeg)) {
    throw new DicomError(
      `${name}: photometric interpretation ${photometric || '?'} with ${spp} samples is not supported`,
    );
  }
  const n = rows * cols;
  let data: Uint8Array;
  if (jpeg) data = await decodeJpegFrame(ds, pixel, { rows, cols, spp }, name);
  else {
    if (pixel.length < n * spp || pixel.dataOffset + n * spp > bytes.length) {
      throw new DicomError(
        `${name}: pixel data is truncated (${pixel.length} bytes for ${cols}x${rows}x${spp})`,
      );
    }
    const src = bytes.subarray(pixel.dataOffset, pixel.dataOffset + n * spp);
    data = new Uint8Array(n * spp);
    if (spp === 3 && ds.uint16('x00280006') === 1) {
      // Planar configuration 1: RRR...GGG...BBB; the engine wants interleaved RGB.
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = src[c * n + i];
    } else data.set(src);
  }
  if (photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) data[i] = 255 - data[i];

  const sex = ds.string('x00100040')?.toUpperCase();
  const birth = ds.string('x00100030')?.slice(0, 4);
  const device = [ds.string('x00080070'), ds.string('x00081090')].filter(Boolean).join(' ') || null;
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
    const v = ds.string(tag);
    if (v) acquisition[key] = v;
  }
  acquisition.photometric = photometric;
  return {
    raster: { width: cols, height: rows, channels: spp === 3 ? 3 : 1, bitDepth: 8, data },
    laterality: lateralityOf(ds),
    pixelSpacingMm: spacingOf(ds),
    patientId: ds.string('x00100020') || null,
    patientName: personName(ds.string('x00100010')),
    patientBirthYear: birth && /^\d{4}$/.test(birth) ? Number(birth) : null,
    patientSex: sex === 'F' || sex === 'M' || sex === 'O' ? sex : null,
    studyUid: ds.string('x0020000d') || null,
    studyDate: isoDate(ds.string('x00080020')),
    device,
    fieldAngleDeg: fieldAngleOf(ds),
    acquisition,
  };
}
