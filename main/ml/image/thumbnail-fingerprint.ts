// A photograph's thumbnail fingerprint: enough to tell that two files are one photograph (another name, format
// or size, which a byte hash does not see), too coarse to rebuild it from. A retrain compares the store's images
// with each other (image-groups.ts) and with those a model learnt, which its manifest records as fingerprints
// (sampleFingerprints), so a copy of one is found on a machine without the datasets.
import sharp from 'sharp';
import { readImage, toRgb8 } from '../io/image-io.js';
import type { RasterImage } from '../types.js';

/** Thumbnail side: a photograph is compared at this many cells across, whatever its size. */
const CELLS = 32;
/** Cells darker than this (of 255) are outside the field of view; their border with it is left out too. */
const DARK = 25;
/**
 * Interior thumbnails correlating above this are one photograph. On DRIVE's 40 photographs distinct images
 * reach 0.83 and copies (enlarged 3x, or shrunk to 0.37x as JPEG quality 70) stay above 0.979.
 */
export const DUPLICATE_CORRELATION = 0.95;
/** Fewer interior cells in common than this, and two thumbnails are too blank to call alike. */
const MIN_CELLS = 64;

/**
 * The photograph's green plane averaged into CELLS x CELLS, less its local 5x5 mean (the field's shading and
 * the aperture's edge would make any two fundus photographs alike), NaN outside the field and along its edge.
 */
export function thumbnailFingerprint(image: RasterImage): Float64Array {
  const { width: w, height: h, channels: ch } = image;
  const scale = image.bitDepth === 16 ? 1 / 257 : 1;
  const sum = new Float64Array(CELLS * CELLS);
  const count = new Float64Array(CELLS * CELLS);
  for (let y = 0; y < h; y++) {
    const row = Math.floor((y * CELLS) / h) * CELLS;
    for (let x = 0; x < w; x++) {
      const cell = row + Math.floor((x * CELLS) / w);
      sum[cell] += image.data[(y * w + x) * ch + (ch >= 3 ? 1 : 0)] * scale;
      count[cell]++;
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i] = count[i] > 0 ? sum[i] / count[i] : 0;
  const out = new Float64Array(CELLS * CELLS);
  for (let y = 0; y < CELLS; y++) {
    for (let x = 0; x < CELLS; x++) {
      let local = 0;
      let interior = true;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= CELLS || xx < 0 || xx >= CELLS || sum[yy * CELLS + xx] < DARK) interior = false;
          else local += sum[yy * CELLS + xx];
        }
      }
      out[y * CELLS + x] = interior ? sum[y * CELLS + x] - local / 25 : NaN;
    }
  }
  return out;
}

/** Pearson correlation over the cells both thumbnails have; -1 when too few. */
export function fingerprintCorrelation(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    ma += a[i];
    mb += b[i];
    n++;
  }
  if (n < MIN_CELLS) return -1;
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : -1;
}

/** The side a photograph is shrunk to while decoding: ample for CELLS cells, and far cheaper than its full size. */
const SHRUNK = CELLS * 8;

/**
 * The photograph shrunk as it is decoded (a JPEG decodes at 1/8 scale: a 12 MP photograph in about a quarter of
 * its full decode's time, which a retrain pays for every approved image); `fullDecode` for what libvips does
 * not read (DICOM, PPM, BMP). Oriented as the full decode is.
 */
export async function shrunkRaster(
  file: string,
  fullDecode: () => Promise<RasterImage>,
): Promise<RasterImage> {
  try {
    const { data, info } = await sharp(file, { autoOrient: true })
      .resize(SHRUNK, SHRUNK, { fit: 'fill' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, bitDepth: 8, data };
  } catch {
    return fullDecode();
  }
}

/**
 * A fingerprint as a manifest records it: one byte a cell, base64 (1,368 characters). Cells are scaled so the
 * farthest from their mean spans the byte (the correlation ignores scale and offset; clipping the optic disc's
 * bright cells would not); 0 is outside the field.
 */
export function encodeFingerprint(fp: Float64Array): string {
  const inside = [...fp].filter((v) => !Number.isNaN(v));
  const mean = inside.reduce((s, v) => s + v, 0) / Math.max(1, inside.length);
  const span = inside.reduce((m, v) => Math.max(m, Math.abs(v - mean)), 0) || 1;
  const bytes = Buffer.alloc(fp.length);
  for (let i = 0; i < fp.length; i++) {
    if (!Number.isNaN(fp[i]))
      bytes[i] = Math.min(255, Math.max(1, Math.round(128 + (127 * (fp[i] - mean)) / span)));
  }
  return bytes.toString('base64');
}

/** A recorded fingerprint back as cells (scaled, not the original values); null when it is not one. */
export function decodeFingerprint(text: string): Float64Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== CELLS * CELLS) return null;
  return Float64Array.from(bytes, (b) => (b === 0 ? NaN : b - 128));
}

/** A photograph file's fingerprint (decoded shrunk where libvips reads it). */
export async function fileFingerprint(file: string): Promise<Float64Array> {
  return thumbnailFingerprint(await shrunkRaster(file, async () => toRgb8(await readImage(file))));
}

/**
 * The fingerprints of named photographs (sample name, file) as a manifest records them, after `inherited` (the
 * parent model's, so a fine-tuned model carries what its lineage learnt); a file that cannot be read is left out.
 */
export async function recordFingerprints(
  files: Iterable<readonly [string, string]>,
  inherited: Record<string, string> = {},
): Promise<Record<string, string>> {
  const out = { ...inherited };
  for (const [name, file] of files) {
    try {
      out[name] = encodeFingerprint(await fileFingerprint(file));
    } catch {
      continue; // training on it reads it, and says what is wrong
    }
  }
  return out;
}
