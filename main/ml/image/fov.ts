// Field-of-view mask derived from a fundus photograph: the camera's bright circular aperture on a dark surround.
// Used where a dataset ships no FOV masks (STARE, user images), so metrics and normalisation stay inside the retina.
import type { BinaryMap, RasterImage } from '../types.js';
import quickselect from 'quickselect';
import { chamfer34 } from './chamfer.js';
import { fillHoles, keepLargestComponent } from './run-components.js';

export interface FovOptions {
  /** Where the threshold sits between the background and the retina level (0..1). */
  level?: number;
  /** Erosion as a fraction of the shorter image side, to stay clear of the aperture's soft rim. */
  erodeFraction?: number;
}

const DEFAULTS: Required<FovOptions> = { level: 0.15, erodeFraction: 0.004 };

/**
 * Thresholds a smoothed red/brightness signal between the background level (image corners, which a circular
 * aperture never covers) and the retina level (image centre), keeps the largest component, fills its holes and
 * erodes slightly. A photograph with no dark surround (the retina fills the frame) yields an all-ones map.
 */
export function deriveFov(image: RasterImage, options: FovOptions = {}): BinaryMap {
  const { level, erodeFraction } = { ...DEFAULTS, ...options };
  const { width, height } = image;
  const signal = boxBlur(image, width, height, Math.max(1, Math.round(Math.min(width, height) / 200)));
  const background = percentile(cornerSamples(signal, width, height), 0.5);
  const retina = percentile(centreSamples(signal, width, height), 0.5);
  const all = new Uint8Array(width * height);
  if (retina - background < 0.06 * (image.bitDepth === 16 ? 65535 : 255)) {
    all.fill(1);
    return { width, height, data: all };
  }
  const threshold = background + level * (retina - background);
  const mask = all;
  for (let i = 0; i < mask.length; i++) mask[i] = signal[i] > threshold ? 1 : 0;
  keepLargestComponent(mask, width, height);
  fillHoles(mask, width, height);
  // Not rounded to whole pixels: the same photograph at twice the size is eroded twice as far (DRIVE's 565-px side
  // gave 2 px and its 1130-px enlargement 5, an aperture 0.2% smaller and a pixel size 0.2% larger at 2x).
  const radius = erodeFraction * Math.min(width, height);
  if (radius > 0) erode(mask, width, height, radius);
  return { width, height, data: mask };
}

/**
 * Separable box blur of radius r (edges clamp) of the red channel where colour is present (it separates retina
 * from surround best), else the grey channel: it stops sensor noise and text overlays from speckling the mask.
 */
function boxBlur(img: RasterImage, w: number, h: number, r: number): Float32Array {
  const { data, channels: c } = img;
  const n = w * h;
  const tmp = new Float32Array(n);
  const out = new Float32Array(n);
  const span = 2 * r + 1;
  const at = (row: number, x: number) => data[(row + clamp(x, w)) * c];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += at(row, k);
    // Clamping only near the ends of the row.
    const inner = Math.max(r, Math.min(w - r - 1, w));
    let x = 0;
    for (; x < r && x < w; x++) {
      tmp[row + x] = acc / span;
      acc += at(row, x + r + 1) - at(row, x - r);
    }
    for (; x < inner; x++) {
      tmp[row + x] = acc / span;
      acc += data[(row + x + r + 1) * c] - data[(row + x - r) * c];
    }
    for (; x < w; x++) {
      tmp[row + x] = acc / span;
      acc += at(row, x + r + 1) - at(row, x - r);
    }
  }
  // Down the columns with every column's running sum at once, a row at a time: a column walk strides through
  // memory and was most of this function's time on an 8-megapixel photograph. Same sums in the same order.
  const acc = new Float64Array(w);
  for (let k = -r; k <= r; k++) {
    const row = clamp(k, h) * w;
    for (let x = 0; x < w; x++) acc[x] += tmp[row + x];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const enter = clamp(y + r + 1, h) * w;
    const leave = clamp(y - r, h) * w;
    for (let x = 0; x < w; x++) {
      out[row + x] = acc[x] / span;
      acc[x] += tmp[enter + x] - tmp[leave + x];
    }
  }
  return out;
}

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Samples from the four corner squares (side 6% of the shorter image side). */
function cornerSamples(s: Float32Array, w: number, h: number): Float32Array {
  const side = Math.max(2, Math.round(0.06 * Math.min(w, h)));
  const out: number[] = [];
  for (const [x0, y0] of [
    [0, 0],
    [w - side, 0],
    [0, h - side],
    [w - side, h - side],
  ]) {
    for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) out.push(s[y * w + x]);
  }
  return Float32Array.from(out);
}

/** Samples from the central quarter of the image (inside any fundus aperture). */
function centreSamples(s: Float32Array, w: number, h: number): Float32Array {
  const [x0, x1] = [Math.floor(w * 0.375), Math.ceil(w * 0.625)];
  const [y0, y1] = [Math.floor(h * 0.375), Math.ceil(h * 0.625)];
  const out = new Float32Array((x1 - x0) * (y1 - y0));
  for (let y = y0; y < y1; y++) out.set(s.subarray(y * w + x0, y * w + x1), (y - y0) * (x1 - x0));
  return out;
}

/**
 * The value at rank floor(q n), as sorting would give it: a selection (quickselect) rather than a sort, since the
 * centre samples of an 8-megapixel photograph are half a million values (75 ms to sort, a few to select). The
 * samples are fresh arrays, so they are rearranged in place.
 */
function percentile(values: Float32Array, q: number): number {
  const k = Math.min(values.length - 1, Math.floor(q * values.length));
  quickselect(values as unknown as number[], k);
  return values[k];
}

/**
 * Erodes by a near-Euclidean radius using a two-pass chamfer (3-4) distance to the nearest background pixel.
 * The image border is not background: DRIVE-style apertures are cut by the frame and stay valid up to it.
 */
function erode(mask: Uint8Array, w: number, h: number, radius: number): void {
  const big = 1 << 28;
  const d = new Int32Array(mask.length);
  for (let i = 0; i < mask.length; i++) d[i] = mask[i] ? big : 0;
  chamfer34(d, w, h);
  const limit = radius * 3;
  for (let i = 0; i < mask.length; i++) if (mask[i] && d[i] <= limit) mask[i] = 0;
}
