// Which store images must fall on the same side of a retrain's held-out line: the photographs of one eye (other
// visits included) and the same photograph imported twice (another file, format or size: the import's byte hash
// does not see it). Trained on one of them and judged on another, the candidate would be scored on what it learnt.
import sharp from 'sharp';
import { getClinicalMany, imageFilePath, loadImageRaster, type Store } from '../store/index.js';
import { readImage, toRgb8 } from '../ml/io/image-io.js';
import type { RasterImage } from '../ml/types.js';

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

/** Fingerprints by the stored file's hash (or a dataset file's path): a photograph is decoded once per process. */
const fingerprints = new Map<string, Float64Array | null>();

/** The side a photograph is shrunk to while decoding: ample for CELLS cells, and far cheaper than its full size. */
const SHRUNK = CELLS * 8;

/**
 * The photograph shrunk as it is decoded (a JPEG decodes at 1/8 scale: a 12 MP photograph in about a quarter of
 * its full decode's time, which a retrain pays for every approved image); `fullDecode` for what libvips does
 * not read (DICOM, PPM, BMP). Oriented as the full decode is.
 */
async function shrunkRaster(file: string, fullDecode: () => Promise<RasterImage>): Promise<RasterImage> {
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

async function cachedFingerprint(
  key: string,
  file: string,
  fullDecode: () => Promise<RasterImage>,
): Promise<Float64Array | null> {
  if (!fingerprints.has(key)) {
    try {
      fingerprints.set(key, thumbnailFingerprint(await shrunkRaster(file, fullDecode)));
    } catch {
      fingerprints.set(key, null); // unreadable: training on it fails with its own message
    }
  }
  return fingerprints.get(key)!;
}

function fingerprintOf(store: Store, imageId: number, fileHash: string): Promise<Float64Array | null> {
  return cachedFingerprint(fileHash, imageFilePath(store, imageId), () => loadImageRaster(store, imageId));
}

/**
 * The store images among `imageIds` that are one of `files` (photographs on disk: the datasets a model learnt)
 * imported under another name, format or size, which the dataset's name and sample id on the image cannot show.
 */
export async function copiesOfFiles(
  store: Store,
  imageIds: readonly number[],
  fileHashOf: (imageId: number) => string,
  files: readonly string[],
): Promise<Set<number>> {
  const out = new Set<number>();
  if (imageIds.length === 0 || files.length === 0) return out;
  const prints: Float64Array[] = [];
  for (const file of files) {
    const fp = await cachedFingerprint(`file:${file}`, file, async () => toRgb8(await readImage(file)));
    if (fp) prints.push(fp);
  }
  for (const id of imageIds) {
    const fp = await fingerprintOf(store, id, fileHashOf(id));
    if (fp && prints.some((p) => fingerprintCorrelation(fp, p) > DUPLICATE_CORRELATION)) out.add(id);
  }
  return out;
}

/**
 * Each image's group, as the smallest image id of the group: images of one patient's eye (a patient's images of
 * unknown eye count as one eye) and copies of one photograph are one group; any other image is its own.
 */
export async function imageGroups(
  store: Store,
  imageIds: readonly number[],
  fileHashOf: (imageId: number) => string,
): Promise<Map<number, number>> {
  const ids = [...new Set(imageIds)].sort((a, b) => a - b);
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (id: number): number => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  const join = (a: number, b: number): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  const byEye = new Map<string, number>();
  for (const c of getClinicalMany(store, ids)) {
    if (c.patientDbId === null) continue;
    const key = `${c.patientDbId}:${c.eye ?? 'patient'}`;
    const first = byEye.get(key);
    if (first === undefined) byEye.set(key, c.imageId);
    else join(first, c.imageId);
  }
  // An image of unknown eye may be either eye: one group with all of its patient's images.
  for (const [key, id] of byEye) {
    const [patient, eye] = key.split(':');
    if (eye !== 'patient') continue;
    for (const other of ['OD', 'OS']) {
      const mate = byEye.get(`${patient}:${other}`);
      if (mate !== undefined) join(id, mate);
    }
  }
  const prints: [number, Float64Array][] = [];
  for (const id of ids) {
    const fp = await fingerprintOf(store, id, fileHashOf(id));
    if (fp) prints.push([id, fp]);
  }
  for (let i = 0; i < prints.length; i++) {
    for (let j = i + 1; j < prints.length; j++) {
      if (fingerprintCorrelation(prints[i][1], prints[j][1]) > DUPLICATE_CORRELATION)
        join(prints[i][0], prints[j][0]);
    }
  }
  return new Map(ids.map((id) => [id, find(id)]));
}
