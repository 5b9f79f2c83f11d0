// The input of the anatomy networks (artery/vein, optic disc): colour matters to both (arteries are lighter and
// redder than veins; the disc is the brightest, yellowest region), so they see the red, green and blue channels,
// each equalised with CLAHE and z-scored inside the field of view, as the vessel network's grey channel is. CLAHE per
// channel takes out each camera's white balance and illumination fall-off; the z-score its exposure.
import type { BinaryMap, RasterImage } from '../types.js';
import { clahe, CLAHE_BINS } from '../../../shared/clahe.js';

export const COLOUR_CHANNELS = 3;

export interface ColourInputConfig {
  clahe: { clipLimit: number; tileGrid: number };
}

export const DEFAULT_COLOUR_INPUT: ColourInputConfig = Object.freeze({
  clahe: Object.freeze({ clipLimit: 2, tileGrid: 8 }),
}) as ColourInputConfig;

/** One channel of the image in [0, 1] (grey images give their grey channel for every colour). */
function channelOf(image: RasterImage, c: number): Float32Array {
  const { width, height, channels, bitDepth, data } = image;
  const n = width * height;
  const scale = 1 / (bitDepth === 8 ? 255 : 65535);
  const src = channels >= 3 ? c : 0;
  const out = new Float32Array(n);
  for (let i = 0, j = src; i < n; i++, j += channels) out[i] = data[j] * scale;
  return out;
}

/** Zero mean and unit variance inside `inside`; 0 outside (the FOV mean, as the vessel network sees it). */
function zscore(v: Float32Array, inside: Uint8Array): void {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    if (inside[i]) {
      sum += v[i];
      n++;
    }
  }
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (let i = 0; i < v.length; i++) if (inside[i]) sq += (v[i] - mean) ** 2;
  const std = n > 0 ? Math.sqrt(sq / n) : 0;
  const inv = std > 1e-6 ? 1 / std : 1;
  for (let i = 0; i < v.length; i++) v[i] = inside[i] ? (v[i] - mean) * inv : 0;
}

/** The three preprocessed channels as separate planes (what augmentation warps one by one). */
export function colourPlanes(image: RasterImage, fov: BinaryMap, cfg = DEFAULT_COLOUR_INPUT): Float32Array[] {
  const { width, height } = image;
  if (fov.width !== width || fov.height !== height) {
    throw new Error(`colour input: FOV is ${fov.width}x${fov.height}, image is ${width}x${height}`);
  }
  let inside = fov.data;
  if (!inside.some((v) => v !== 0)) inside = new Uint8Array(width * height).fill(1);
  const planes: Float32Array[] = [];
  for (let c = 0; c < COLOUR_CHANNELS; c++) {
    const eq = clahe(channelOf(image, c), width, height, inside, {
      ...cfg.clahe,
      bins: CLAHE_BINS,
    });
    zscore(eq, inside);
    planes.push(eq);
  }
  return planes;
}

/** Planes interleaved into one HWC array (the network's NHWC input for one image). */
export function interleave(planes: Float32Array[], out?: Float32Array): Float32Array {
  const c = planes.length;
  const n = planes[0].length;
  const o = out ?? new Float32Array(n * c);
  for (let k = 0; k < c; k++) {
    const p = planes[k];
    for (let i = 0, j = k; i < n; i++, j += c) o[j] = p[i];
  }
  return o;
}

/**
 * Whether a photograph has no colour to tell arteries from veins by: one channel; red, green and blue equal inside
 * the field of view, within GREY_TOLERANCE of full scale on average (a grey or red-free photograph saved as RGB); or all
 * its light in one channel, the other two averaging under ONE_COLOUR_SHARE of it (a red-free photograph kept green).
 */
export function lacksColour(image: RasterImage, fov: BinaryMap): boolean {
  const { channels, bitDepth, data } = image;
  if (channels < 3) return true;
  const full = bitDepth === 8 ? 255 : 65535;
  let n = 0;
  let spread = 0;
  const sums = [0, 0, 0];
  for (let i = 0, j = 0; i < fov.data.length; i++, j += channels) {
    if (!fov.data[i]) continue;
    spread += Math.abs(data[j] - data[j + 1]) + Math.abs(data[j + 1] - data[j + 2]);
    sums[0] += data[j];
    sums[1] += data[j + 1];
    sums[2] += data[j + 2];
    n++;
  }
  if (n === 0 || spread / (2 * n * full) < GREY_TOLERANCE) return true;
  const [first, second] = sums.sort((a, b) => b - a);
  return second < ONE_COLOUR_SHARE * first;
}

/** Mean channel difference, as a share of full scale, under which R, G and B count as equal (JPEG's chroma noise). */
const GREY_TOLERANCE = 0.01;

/**
 * The second brightest channel's mean under this share of the brightest's is a photograph in one colour: a
 * green-only copy of a DRIVE image scores about 0.02; the most lopsided colour photograph of half of DRIVE, STARE,
 * LES-AV, DRIONS-DB and AV-WIDE (DRIONS-DB 095, red 168, green 26) 0.154.
 */
const ONE_COLOUR_SHARE = 0.06;
