// The pixels of a DICOM file (Ophthalmic Photography or any other DICOM photograph; of several frames, the first):
// 8-bit grey or RGB, uncompressed or JPEG-compressed (baseline and extended, the transfer syntaxes fundus cameras
// write most), read with dicom-parser; a JPEG frame is decoded by sharp (libjpeg-turbo). The store reads the
// header's clinical fields beside them (store/dicom.ts); the CLI reads a .dcm photograph like any other image.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DataSet, Element } from 'dicom-parser';
import sharp from 'sharp';
import type { RasterImage } from '../types.js';
import { pixelSizeFromSpacing } from '../../../shared/measure/pixel-spacing.js';

// dicom-parser ships a UMD bundle whose named exports Node's ESM loader cannot see.
const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof import('dicom-parser');

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);
/** JPEG Baseline (Process 1) and Extended (Process 2 & 4): 8-bit lossy JPEG, one frame per image. */
const JPEG = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);

/** What is wrong with a DICOM file; the message names the file, `reason` says what alone. */
export class DicomFormatError extends Error {
  override name = 'DicomFormatError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
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

/**
 * What dicom-parser says went wrong: it throws an Error, a bare string, or `{ exception, dataSet }` (a file that
 * parsed in part), never the same twice; its function name is dropped as meaningless to a user.
 */
function parserComplaint(err: unknown): string {
  const raw =
    err instanceof Error
      ? err.message
      : typeof err === 'string'
        ? err
        : typeof (err as { exception?: unknown } | null)?.exception === 'string'
          ? (err as { exception: string }).exception
          : 'unreadable';
  const said = raw.replace(/^dicomParser[.:]\w+: /, '');
  return /past end of buffer|buffer overrun|buffer overread|beyond the end/i.test(said)
    ? `the file ends early (truncated?): ${said}`
    : said;
}

/** The parsed data set of a DICOM file. */
export function readDicomDataSet(bytes: Uint8Array, name: string): DataSet {
  try {
    return dicomParser.parseDicom(bytes);
  } catch (err) {
    throw new DicomFormatError(name, `not a readable DICOM file (${parserComplaint(err)})`);
  }
}

/**
 * Character sets of Specific Character Set (0008,0005) as TextDecoder labels (single-byte and Unicode ones; a
 * header with ISO 2022 code extensions is read by its first set). Without one a header is ASCII, read as Latin-1.
 */
const CHARACTER_SETS: Record<string, string> = {
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

function decoderFor(label: string): InstanceType<typeof TextDecoder> {
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('latin1'); // a Node built without that encoding
  }
}

/**
 * A text element (PN, LO, SH, ...) decoded in the header's character set; its first value (of several split by
 * backslash) with padding trimmed. dicom-parser reads every byte as one character, which garbles UTF-8 names.
 */
export function dicomText(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.length === 0 || el.length === 0xffffffff) return undefined;
  const declared = (ds.string('x00080005') ?? '').split('\\').find((term) => term.trim() !== '');
  const label = CHARACTER_SETS[declared?.trim().replace(/^ISO 2022 /, 'ISO_') ?? ''] ?? 'latin1';
  const text = decoderFor(label).decode(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length));
  // One line in one Unicode form, as a name typed in the app is kept: a camera's keyboard may leave a line break
  // or a tab in a field, and a Mac's software decomposed accents (another "José" than the typed one).
  return (
    text
      .split('\\')[0]
      .replace(/[\0 ]+$/, '')
      .replace(/\p{Cc}+/gu, ' ')
      .normalize('NFC')
      .trim() || undefined
  );
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
    // Number of Frames is an integer string; one frame may span all the fragments, several need the offset table
    // (built from the fragments' JPEG start markers when the file leaves it empty).
    const frames = Number(ds.string('x00280008') ?? 1);
    if (frames > 1) {
      const table = pixel.basicOffsetTable?.length
        ? pixel.basicOffsetTable
        : dicomParser.createJPEGBasicOffsetTable(ds, pixel);
      frame = dicomParser.readEncapsulatedImageFrame(ds, pixel, 0, table);
    } else {
      frame = dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, pixel.fragments?.length ?? 0);
    }
  } catch (err) {
    throw new DicomFormatError(name, `the JPEG pixel data cannot be read (${(err as Error).message})`);
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
    throw new DicomFormatError(
      name,
      `the JPEG pixel data is corrupt (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** The photometric interpretations a frame may have: grey, RGB, or (compressed) the YBR a JPEG codes RGB in. */
function supportedPhotometric(photometric: string, spp: number, jpeg: boolean): boolean {
  if (spp === 1) return photometric.startsWith('MONOCHROME');
  if (spp !== 3) return false;
  return photometric === 'RGB' || (jpeg && (photometric === 'YBR_FULL_422' || photometric === 'YBR_FULL'));
}

/** The first frame's pixels: interleaved 8-bit grey or RGB, MONOCHROME1 inverted to read like MONOCHROME2. */
export async function dicomPixels(ds: DataSet, bytes: Uint8Array, name: string): Promise<RasterImage> {
  const syntax = ds.string('x00020010');
  const jpeg = !!syntax && JPEG.has(syntax);
  if (syntax && !UNCOMPRESSED.has(syntax) && !jpeg) {
    throw new DicomFormatError(
      name,
      `compressed DICOM pixel data (transfer syntax ${syntax}) is not supported: uncompressed and ` +
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
    throw new DicomFormatError(name, `DICOM file has no image (rows, columns or pixel data missing)`);
  if (bits !== 8)
    throw new DicomFormatError(name, `${bits ?? 'unknown'}-bit DICOM pixels are not supported (8-bit only)`);
  if (!supportedPhotometric(photometric, spp, jpeg)) {
    throw new DicomFormatError(
      name,
      `photometric interpretation ${photometric || '?'} with ${spp} samples is not supported`,
    );
  }
  const n = rows * cols;
  let data: Uint8Array;
  if (jpeg) data = await decodeJpegFrame(ds, pixel, { rows, cols, spp }, name);
  else {
    if (pixel.length < n * spp || pixel.dataOffset + n * spp > bytes.length) {
      throw new DicomFormatError(
        name,
        `pixel data is truncated (${pixel.length} bytes for ${cols}x${rows}x${spp})`,
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

  return { width: cols, height: rows, channels: spp === 3 ? 3 : 1, bitDepth: 8, data };
}

/**
 * Horizontal Field of View (0022,000C) in degrees, when plausible: within the 1-250 degrees a field angle may be
 * entered as. Below 1 it is likely radians (45 degrees is 0.785), which taken as degrees shrink every micrometre.
 */
export function dicomFieldAngle(ds: DataSet): number | null {
  const v = ds.elements.x0022000c ? ds.float('x0022000c') : undefined;
  return v !== undefined && Number.isFinite(v) && v >= 1 && v <= 250 ? Math.round(v * 10) / 10 : null;
}

/**
 * The pixel sizes, in mm, a fundus photograph can have: from about 1 um (a 12 MP camera's narrow field) to 0.1 mm
 * (a small wide-field image). A value outside is one written in another unit (micrometres, say), and is ignored
 * rather than turning every calibre into metres.
 */
const PLAUSIBLE_SPACING_MM = [0.0005, 0.1] as const;

/** Pixel Spacing, else Imager Pixel Spacing: [row, column] spacing in mm, when both values are there and plausible. */
export function dicomPixelSpacing(ds: DataSet): [number, number] | null {
  // Pixel Spacing, else Imager Pixel Spacing (0018,1164): row\column spacing in mm. (ds.string(tag, 1) throws
  // on a one-value spacing, so the values are split here.)
  const [low, high] = PLAUSIBLE_SPACING_MM;
  for (const tag of ['x00280030', 'x00181164']) {
    const values = (ds.string(tag) ?? '').split('\\').map((v) => Number(v.trim()));
    if (values.length !== 2) continue;
    const [row, col] = values;
    if (values.every((v) => Number.isFinite(v) && v >= low && v <= high)) return [row, col];
  }
  return null;
}

/** The eye a DICOM header names: Image Laterality (0020,0062), else Laterality (0020,0060). */
export function dicomEye(ds: DataSet): 'OD' | 'OS' | null {
  const v = (ds.string('x00200062') ?? ds.string('x00200060') ?? '').toUpperCase();
  return v === 'R' ? 'OD' : v === 'L' ? 'OS' : null;
}

export interface DicomHeader {
  /** Micrometres per pixel from the pixel spacing (the mean of row and column). */
  pixelSizeUm: number | null;
  /** Said when rows and columns are spaced differently: how far lengths at the mean size may be off. */
  pixelSizeNote: string | null;
  fieldAngleDeg: number | null;
  patientId: string | null;
  eye: 'OD' | 'OS' | null;
}

/** What a DICOM photograph's header says of its scale, patient and eye; null for a file that is not DICOM. */
export async function dicomHeader(path: string): Promise<DicomHeader | null> {
  const bytes = await readFile(path);
  if (!isDicom(bytes)) return null;
  const ds = readDicomDataSet(bytes, path);
  const spacing = dicomPixelSpacing(ds);
  const size = spacing ? pixelSizeFromSpacing(spacing) : null;
  return {
    pixelSizeUm: size?.pixelSizeUm ?? null,
    pixelSizeNote: size?.note ?? null,
    fieldAngleDeg: dicomFieldAngle(ds),
    patientId: dicomText(ds, 'x00100020') ?? null,
    eye: dicomEye(ds),
  };
}
