// A photograph's thumbnail fingerprint: enough to tell that two files are one photograph (another name, format
// or size, which a byte hash does not see). A retrain compares the store's images with each other (image-groups.ts)
// and with those a model learnt, which its manifest records (sampleFingerprints) as one-way hashes of their
// fingerprints, so a copy of one is found on a machine without the datasets, and a shared manifest carries no
// picture of a patient's photograph.
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
  // A dark photograph (a wide-field one dim towards its rim, say) has too little of its field above DARK, and its
  // own brightness sets the floor instead. One with enough keeps DARK: the hashes manifests recorded stay its own.
  const out = fieldDetail(sum, DARK);
  return insideCount(out) >= MIN_CELLS ? out : fieldDetail(sum, darkFloor(sum));
}

/** Each cell less its 5x5 neighbourhood's mean; NaN where any of that neighbourhood is darker than `dark`. */
function fieldDetail(cells: Float64Array, dark: number): Float64Array {
  const out = new Float64Array(CELLS * CELLS);
  for (let y = 0; y < CELLS; y++) {
    for (let x = 0; x < CELLS; x++) {
      let local = 0;
      let interior = true;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= CELLS || xx < 0 || xx >= CELLS || cells[yy * CELLS + xx] < dark)
            interior = false;
          else local += cells[yy * CELLS + xx];
        }
      }
      out[y * CELLS + x] = interior ? cells[y * CELLS + x] - local / 25 : NaN;
    }
  }
  return out;
}

const insideCount = (fp: Float64Array): number => fp.reduce((n, v) => (Number.isNaN(v) ? n : n + 1), 0);

/** The brighter cells a dark photograph's floor is set from: this share of the thumbnail's. */
const BRIGHT_SHARE = 0.1;
/** A dark photograph's floor, as a fraction of its brighter cells' level. */
const DARK_FRACTION = 0.25;
/** The lowest floor a dark photograph is given: an aperture's black (JPEG's noise included) stays below it. */
const DARKEST_FIELD = 4;

/**
 * The floor of a photograph too dark for DARK: a quarter of the level its brightest tenth of cells reaches (an
 * aperture's black then stays outside, and a copy's floor is its own), never below DARKEST_FIELD (a black image
 * has no field). On AV-WIDE's and DRIONS-DB's 4 darkest photographs it is 7 to 9.
 */
function darkFloor(cells: Float64Array): number {
  const sorted = Float64Array.from(cells).sort();
  const bright = sorted[Math.floor((1 - BRIGHT_SHARE) * (sorted.length - 1))];
  return Math.max(DARKEST_FIELD, DARK_FRACTION * bright);
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

/** Bits of a recorded fingerprint: pairs of cells compared. */
const HASH_BITS = 256;
/** Cells within this many of the thumbnail's centre: a fundus photograph's field, whatever its camera. */
const HASH_RADIUS = 13;
/**
 * The cell pairs a recorded fingerprint compares, fixed for every machine (a seeded generator: changing the seed
 * or the rule makes every recorded fingerprint unlike its photograph).
 */
const HASH_PAIRS: readonly (readonly [number, number])[] = (() => {
  const field: number[] = [];
  for (let y = 0; y < CELLS; y++) {
    for (let x = 0; x < CELLS; x++) {
      if (Math.hypot(y - (CELLS - 1) / 2, x - (CELLS - 1) / 2) <= HASH_RADIUS) field.push(y * CELLS + x);
    }
  }
  let state = 0x5eed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return field[(state >>> 8) % field.length];
  };
  const pairs: [number, number][] = [];
  while (pairs.length < HASH_BITS) {
    const [a, b] = [next(), next()];
    if (a !== b) pairs.push([a, b]);
  }
  return pairs;
})();
/**
 * Recorded fingerprints this many bits apart or fewer are one photograph. Measured on 221 photographs (DRIVE,
 * STARE, LES-AV, DRIONS-DB, AV-WIDE) and 5 copies of each (JPEG quality 70 and 90, shrunk to 300 px wide as JPEG 80,
 * enlarged 1.7x as PNG, PNG): on DRIVE, STARE and LES-AV copies differ by at most 20 bits and distinct photographs
 * (3,321 pairs) by at least 68. Over all 221, copies differ by up to 32 (AV-WIDE's 1,500 px photographs shrunk 5x)
 * and distinct ones by at least 27 (DRIONS-DB's image_002 and 003: one eye, seconds apart; next 39): at 26, 3 of
 * 1,105 copies are missed (5x shrinks: two of AV-WIDE's brighter photographs, and one of its darkest, whose shrunk
 * copy is just bright enough for DARK where it is not) and none of 24,310 pairs matches. An older manifest's
 * thumbnail, converted, may differ from its photograph's hash by up to 17 bits more (its bytes' rounding).
 */
export const DUPLICATE_BITS = 26;
/** The prefix of a recorded fingerprint (a manifest's older ones are thumbnails: decodeFingerprint converts them). */
const HASH_PREFIX = 'ph1:';

/**
 * A field whose detail spreads less than this (grey levels, standard deviation) is blank (a flat or evenly
 * shaded image). A photograph's spreads 20 times more: 2.0 at least over the 221 photographs and 1,105 copies
 * DUPLICATE_BITS was measured on.
 */
const FLAT = 0.1;

/**
 * The one-way hash a manifest records of a fingerprint: for each of HASH_PAIRS, whether its first cell is brighter
 * than its second (a cell outside the field counts as the field's mean). 256 comparisons say which photograph it
 * is, not what it shows: no picture can be rebuilt from them (scoring each cell by the comparisons it won, over 217
 * photographs, correlates 0.38 on average, 0.55 at most, with the 32x32 thumbnail: noise, shown as a picture).
 * Null when too little of the photograph is a field to tell it from another.
 */
export function fingerprintHash(fp: Float64Array): Uint8Array | null {
  const inside = fp.filter((v) => !Number.isNaN(v));
  if (inside.length < MIN_CELLS) return null;
  const mean = inside.reduce((s, v) => s + v, 0) / inside.length;
  // A blank image's field is flat: its hash (every comparison a tie) would be every blank image's.
  if (Math.sqrt(inside.reduce((s, v) => s + (v - mean) ** 2, 0) / inside.length) < FLAT) return null;
  const cell = (i: number): number => (Number.isNaN(fp[i]) ? mean : fp[i]);
  const bits = new Uint8Array(HASH_BITS / 8);
  HASH_PAIRS.forEach(([a, b], k) => {
    if (cell(a) > cell(b)) bits[k >> 3] |= 1 << (k & 7);
  });
  return bits;
}

/** How many bits two hashes differ in. */
export function hashDistance(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    for (let v = a[i] ^ b[i]; v; v &= v - 1) n++;
  }
  return n;
}

/** Whether a photograph's hash is one of `prints` (a copy: another name, format or size). */
export function isHashCopy(hash: Uint8Array, prints: readonly Uint8Array[]): boolean {
  return prints.some((p) => hashDistance(hash, p) <= DUPLICATE_BITS);
}

/** A fingerprint as a manifest records it: its hash, prefixed, base64 (48 characters); null when it has none. */
export function encodeFingerprint(fp: Float64Array): string | null {
  const hash = fingerprintHash(fp);
  return hash && hashText(hash);
}

const hashText = (hash: Uint8Array): string => HASH_PREFIX + Buffer.from(hash).toString('base64');

/**
 * A recorded fingerprint's hash; null when it is not one. An older manifest's thumbnail (one byte a cell, base64;
 * 0 outside the field, the rest scaled, which the comparisons ignore) is converted to the hash it would record now.
 */
export function decodeFingerprint(text: string): Uint8Array | null {
  if (text.startsWith(HASH_PREFIX)) {
    const bits = Buffer.from(text.slice(HASH_PREFIX.length), 'base64');
    return bits.length === HASH_BITS / 8 ? new Uint8Array(bits) : null;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== CELLS * CELLS) return null;
  return fingerprintHash(Float64Array.from(bytes, (b) => (b === 0 ? NaN : b - 128)));
}

/** A photograph file's fingerprint (decoded shrunk where libvips reads it). */
export async function fileFingerprint(file: string): Promise<Float64Array> {
  return thumbnailFingerprint(await shrunkRaster(file, async () => toRgb8(await readImage(file))));
}

/**
 * The fingerprints of named photographs (sample name, file) as a manifest records them (hashes), after `inherited` (the
 * parent model's, so a fine-tuned model carries what its lineage learnt); a file that cannot be read is left out.
 */
export async function recordFingerprints(
  files: Iterable<readonly [string, string]>,
  inherited: Record<string, string> = {},
): Promise<Record<string, string>> {
  // An older parent's thumbnails are carried as hashes: a new manifest holds no picture of a photograph.
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(inherited)) {
    const hash = decodeFingerprint(text);
    if (hash) out[name] = hashText(hash);
  }
  for (const [name, file] of files) {
    try {
      const text = encodeFingerprint(await fileFingerprint(file));
      if (text) out[name] = text;
    } catch {
      continue; // training on it reads it, and says what is wrong
    }
  }
  return out;
}
