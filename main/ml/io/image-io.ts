// Image decoding and PNG writing for the engine. Formats are recognised by their magic bytes, never by extension.
// PNG, PPM/PGM/PBM and BMP use our own exact decoders; TIFF, GIF, JPEG and WebP go through sharp (libvips); DICOM
// through ml/io/dicom-pixels.ts.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { writeFileAtomic } from '../../node/atomic-fs.js';
import { DicomFormatError, dicomPixels, isDicom, readDicomDataSet } from './dicom-pixels.js';
import { BmpFormatError, decodeBmp, isBmp } from './bmp-codec.js';
import { PngFormatError, decodePng, encodeIndexedPngBuffer, encodePngBuffer, isPng } from './png-codec.js';
import { PnmFormatError, decodePnm, isPnm } from './pnm-codec.js';
import type { BinaryMap, RasterImage } from '../types.js';
import { unreadFormatAdvice, unreadFormatOfContent } from './unread-formats.js';
import { IMAGE_FILE_EXTENSIONS } from '../../../shared/image-files.js';

/** One-line error naming the file and why it could not be read (missing, unsupported, corrupt, truncated). */
export class ImageReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ImageReadError';
  }
}

/** File extensions of the formats readImage decodes (detection itself is by content). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(IMAGE_FILE_EXTENSIONS);

export type ImageFormat = 'png' | 'tiff' | 'gif' | 'jpeg' | 'bmp' | 'pnm' | 'webp';

const FILE_EXTENSION: Record<ImageFormat, string> = {
  png: '.png',
  tiff: '.tif',
  gif: '.gif',
  jpeg: '.jpg',
  bmp: '.bmp',
  pnm: '.ppm',
  webp: '.webp',
};

/** The file extension a file of this format is written with (its bytes kept as they are); undefined if unknown. */
export function extensionOf(format: string): string | undefined {
  return Object.hasOwn(FILE_EXTENSION, format) ? FILE_EXTENSION[format as ImageFormat] : undefined;
}

/** Recognises a format from the first bytes of a file; null when unknown. */
export function sniffFormat(buf: Uint8Array): ImageFormat | null {
  const at = (i: number, ...bytes: number[]): boolean => bytes.every((b, k) => buf[i + k] === b);
  if (isPng(buf)) return 'png';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) return 'tiff'; // BigTIFF
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  if (isBmp(buf) && buf.length >= 14) return 'bmp';
  if (isPnm(buf)) return 'pnm';
  return null;
}

/** Reads and decodes an image file. */
export async function readImage(path: string): Promise<RasterImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not an image file'
          : `cannot read file (${code ?? (err as Error).message})`;
    throw new ImageReadError(path, reason);
  }
  return decodeImage(buf, path);
}

/**
 * Reads a photograph as a viewer shows it: a transparent surround (a PNG or WebP exported with its corners cut
 * away) is black, as on the app's stage, whatever colour its hidden pixels hold; before, the engine read those
 * hidden pixels and drew vessels where the user sees nothing. Maps (masks, labels) keep their alpha: readImage.
 */
export async function readPhotograph(path: string): Promise<RasterImage> {
  return overBlack(await readImage(path));
}

/** decodeImage for a photograph: see readPhotograph. */
export async function decodePhotograph(buffer: Uint8Array, nameForErrors: string): Promise<RasterImage> {
  return overBlack(await decodeImage(buffer, nameForErrors));
}

/** Composites an image with alpha over black and drops the alpha channel; one without alpha is returned as is. */
export function overBlack(img: RasterImage): RasterImage {
  if (img.channels !== 2 && img.channels !== 4) return img;
  const opaque = dropOpaqueAlpha(img);
  if (opaque !== img) return opaque;
  const c = img.channels;
  const max = img.bitDepth === 16 ? 65535 : 255;
  const n = img.width * img.height;
  const d = img.data;
  const out = img.bitDepth === 16 ? new Uint16Array(n * (c - 1)) : new Uint8Array(n * (c - 1));
  for (let i = 0; i < n; i++) {
    const a = d[i * c + c - 1];
    for (let k = 0; k < c - 1; k++) out[i * (c - 1) + k] = Math.round((d[i * c + k] * a) / max);
  }
  return { ...img, channels: (c - 1) as 1 | 3, data: out };
}

/** Decodes an in-memory image; `nameForErrors` names it in any error. */
export async function decodeImage(buffer: Uint8Array, nameForErrors: string): Promise<RasterImage> {
  if (buffer.length === 0) throw new ImageReadError(nameForErrors, 'empty file');
  if (isDicom(buffer)) {
    try {
      return await dicomPixels(readDicomDataSet(buffer, nameForErrors), buffer, nameForErrors);
    } catch (err) {
      if (err instanceof DicomFormatError) throw new ImageReadError(nameForErrors, err.reason);
      throw err;
    }
  }
  const format = sniffFormat(buffer);
  if (!format) {
    const unread = unreadFormatOfContent(buffer);
    throw new ImageReadError(
      nameForErrors,
      unread
        ? unreadFormatAdvice(unread)
        : 'unsupported or unrecognised image format (expected PNG, TIFF, GIF, JPEG, BMP, PPM/PGM, WebP or DICOM)',
    );
  }
  try {
    // A PNG's orientation (its eXIf chunk) is applied like a JPEG's: libvips reads it; our decoder does not.
    if (format === 'png')
      return (await pngOrientation(buffer)) > 1 ? await decodeWithSharp(buffer) : decodePng(buffer);
    if (format === 'pnm') return decodePnm(buffer);
    if (format === 'bmp') return decodeBmp(buffer);
    return await decodeWithSharp(buffer);
  } catch (err) {
    const message = oneLine((err as Error).message);
    const ours =
      err instanceof PngFormatError || err instanceof PnmFormatError || err instanceof BmpFormatError;
    // libvips reports a cut-off file as "unsupported format" or a read error; say what it most likely is.
    const detail = ours
      ? message
      : format === 'png' || format === 'pnm' || format === 'bmp'
        ? `corrupt (${message})`
        : `corrupt or truncated (libvips: ${message})`;
    throw new ImageReadError(nameForErrors, `${format.toUpperCase()} ${detail}`);
  }
}

/**
 * A decoder's message on one line. libvips repeats its messages (one per read attempt, each starting "VipsJpeg: "
 * or the like, not always on a line of its own), so each is kept once.
 */
function oneLine(s: string): string {
  const lines = s.split(/\n|(?=\bVips[A-Za-z]+: )/).map((l) => l.replace(/\s+/g, ' ').trim());
  return [...new Set(lines.filter((l) => l))].join(' ');
}

/** A PNG's EXIF orientation (1 when it has none); libvips is asked only when the file has an eXIf chunk at all. */
async function pngOrientation(buffer: Uint8Array): Promise<number> {
  if (Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).indexOf('eXIf') < 0) return 1;
  return (await sharp(buffer, { limitInputPixels: false }).metadata()).orientation ?? 1;
}

async function decodeWithSharp(buffer: Uint8Array): Promise<RasterImage> {
  const meta = await sharp(buffer, { limitInputPixels: false }).metadata();
  const hasAlpha = meta.hasAlpha === true;
  const colour = (meta.channels ?? 3) - (hasAlpha ? 1 : 0);
  const sixteen = meta.depth === 'ushort';
  const grey = colour === 1;
  // Naming the target space keeps 16-bit data 16-bit and grey data single-channel (libvips defaults to sRGB).
  const space = grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  // The photograph as the camera meant it: an EXIF orientation (a phone adapter's, a rotated camera's) is applied,
  // as a browser applies it when it shows the file, so masks and the picture on screen share one frame.
  const { data, info } = await sharp(buffer, { limitInputPixels: false, autoOrient: true })
    .toColourspace(space)
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels as 1 | 2 | 3 | 4;
  const pixels = sixteen
    ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice()
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const img: RasterImage = {
    width: info.width,
    height: info.height,
    channels,
    bitDepth: sixteen ? 16 : 8,
    data: pixels,
    ...(meta.pages !== undefined && meta.pages > 1 ? { pages: meta.pages } : {}),
  };
  // GIFs are palette images that libvips always widens to RGB; a grey palette (masks) becomes one channel again.
  return meta.isPalette ? collapseGreyRgb(dropOpaqueAlpha(img)) : img;
}

/** Drops an alpha channel that is fully opaque everywhere (libvips adds one to any GIF with a transparent index). */
export function dropOpaqueAlpha(img: RasterImage): RasterImage {
  if (img.channels !== 2 && img.channels !== 4) return img;
  const c = img.channels;
  const opaque = img.bitDepth === 16 ? 65535 : 255;
  const d = img.data;
  for (let i = c - 1; i < d.length; i += c) if (d[i] !== opaque) return img;
  const n = img.width * img.height;
  const out = img.bitDepth === 16 ? new Uint16Array(n * (c - 1)) : new Uint8Array(n * (c - 1));
  for (let i = 0; i < n; i++) for (let k = 0; k < c - 1; k++) out[i * (c - 1) + k] = d[i * c + k];
  return { ...img, channels: (c - 1) as 1 | 3, data: out };
}

/** Returns a one-channel copy when every RGB pixel has R = G = B (and there is no alpha); otherwise `img`. */
export function collapseGreyRgb(img: RasterImage): RasterImage {
  if (img.channels !== 3) return img;
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return img;
  }
  const n = img.width * img.height;
  const out = img.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = d[i * 3];
  return { ...img, channels: 1, data: out };
}

function checkRaster(img: RasterImage, what: string): void {
  const expected = img.width * img.height * img.channels;
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new Error(`${what}: invalid size ${img.width}x${img.height}`);
  }
  if (img.data.length !== expected) {
    throw new Error(
      `${what}: data has ${img.data.length} samples, expected ${expected} for ${img.width}x${img.height}x${img.channels}`,
    );
  }
  if ((img.bitDepth === 16) !== img.data instanceof Uint16Array) {
    throw new Error(`${what}: bitDepth ${img.bitDepth} does not match ${img.data.constructor.name} data`);
  }
}

/** Encodes a RasterImage (8- or 16-bit; 1, 2, 3 or 4 channels) as PNG, sample values exact. */
export async function encodePng(img: RasterImage): Promise<Buffer> {
  checkRaster(img, 'encodePng');
  return encodePngBuffer(img);
}

/** Writes a PNG atomically: a temporary sibling renamed into place, so no half-written file is ever visible. */
export async function writePng(path: string, img: RasterImage): Promise<void> {
  const png = await encodePng(img);
  await writeFileAtomic(path, png);
}

/** Encodes palette indices as a palette PNG (see encodeIndexedPngBuffer). */
export function encodeIndexedPng(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
): Promise<Buffer> {
  return encodeIndexedPngBuffer(indices, width, height, palette);
}

/**
 * Binarises a decoded mask: a pixel whose brightest colour channel is above half range (> 127 for 8 bits, > 32767
 * for 16) becomes 1, so vessels drawn in any colour count, not only those with red in them (alpha is ignored). A
 * mask written with the values 0 and 1 (common in Python pipelines) is read as such: it would otherwise be empty.
 */
export function toBinaryMap(img: RasterImage): BinaryMap {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  const c = img.channels;
  const colours = c === 2 || c === 4 ? c - 1 : c;
  const brightest = new (img.bitDepth === 16 ? Uint16Array : Uint8Array)(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    let v = d[i * c];
    for (let k = 1; k < colours; k++) v = Math.max(v, d[i * c + k]);
    brightest[i] = v;
    if (v > top) top = v;
  }
  const threshold = top === 1 ? 0 : img.bitDepth === 16 ? 32767 : 127;
  for (let i = 0; i < n; i++) out[i] = brightest[i] > threshold ? 1 : 0;
  return { width: img.width, height: img.height, data: out };
}

/** Reads a mask-like file as 0/1; with `expected`, a different size throws naming the file and both sizes. */
export async function readBinaryMap(
  path: string,
  expected?: { width: number; height: number },
): Promise<BinaryMap> {
  const img = await readImage(path);
  if (expected && (img.width !== expected.width || img.height !== expected.height)) {
    throw new ImageReadError(
      path,
      `size ${img.width}x${img.height} does not match the expected ${expected.width}x${expected.height}`,
    );
  }
  return toBinaryMap(img);
}

/** 8-bit RGB view of any RasterImage: grey is replicated, 16-bit is rounded down to 8, alpha is dropped. */
export function toRgb8(img: RasterImage): RasterImage {
  const n = img.width * img.height;
  const c = img.channels;
  const d = img.data;
  const out = new Uint8Array(n * 3);
  const to8 = img.bitDepth === 16 ? (v: number) => Math.round(v / 257) : (v: number) => v;
  if (c === 3 && img.bitDepth === 8) {
    out.set(d);
  } else if (c >= 3) {
    for (let i = 0; i < n; i++) {
      out[i * 3] = to8(d[i * c]);
      out[i * 3 + 1] = to8(d[i * c + 1]);
      out[i * 3 + 2] = to8(d[i * c + 2]);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const g = to8(d[i * c]);
      out[i * 3] = g;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = g;
    }
  }
  return { width: img.width, height: img.height, channels: 3, bitDepth: 8, data: out };
}
