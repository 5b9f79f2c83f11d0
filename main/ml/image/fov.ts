// Field-of-view mask derived from a fundus photograph: the camera's bright circular aperture on a dark surround.
// Used where a dataset ships no FOV masks (STARE, user images), so metrics and normalisation stay inside the retina.
import type { BinaryMap, RasterImage } from '../types.js';
import { chamfer34 } from './chamfer.js';

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
  const signal = boxBlur(
    brightness(image),
    width,
    height,
    Math.max(1, Math.round(Math.min(width, height) / 200)),
  );
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
  keepLargestComponent(mask, width);
  fillHoles(mask, width, height);
  const radius = Math.round(erodeFraction * Math.min(width, height));
  if (radius > 0) erode(mask, width, height, radius);
  return { width, height, data: mask };
}

/** Red channel where colour is present (it separates retina from surround best), else the grey channel. */
function brightness(img: RasterImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const c = img.channels;
  for (let i = 0; i < n; i++) out[i] = img.data[i * c];
  return out;
}

/** Separable box blur of radius r (edges clamp), to stop sensor noise and text overlays from speckling the mask. */
function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const span = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + clamp(k, w)];
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc / span;
      acc += src[row + clamp(x + r + 1, w)] - src[row + clamp(x - r, w)];
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += tmp[clamp(k, h) * w + x];
    for (let y = 0; y < h; y++) {
      out[y * w + x] = acc / span;
      acc += tmp[clamp(y + r + 1, h) * w + x] - tmp[clamp(y - r, h) * w + x];
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
  const out: number[] = [];
  for (let y = Math.floor(h * 0.375); y < Math.ceil(h * 0.625); y++) {
    for (let x = Math.floor(w * 0.375); x < Math.ceil(w * 0.625); x++) out.push(s[y * w + x]);
  }
  return Float32Array.from(out);
}

function percentile(values: Float32Array, q: number): number {
  const sorted = values.slice().sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Keeps only the largest 4-connected foreground component (drops labels, noise and reflections outside). */
function keepLargestComponent(mask: Uint8Array, w: number): void {
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = ++next;
    let size = 0;
    let top = 0;
    const visit = (q: number): void => {
      if (mask[q] && !labels[q]) {
        labels[q] = label;
        stack[top++] = q;
      }
    };
    visit(start);
    while (top > 0) {
      const p = stack[--top];
      size++;
      forEachNeighbour(p, w, mask.length, visit);
    }
    if (size > bestSize) {
      bestSize = size;
      best = label;
    }
  }
  for (let i = 0; i < mask.length; i++) mask[i] = best > 0 && labels[i] === best ? 1 : 0;
}

function forEachNeighbour(p: number, w: number, n: number, fn: (q: number) => void): void {
  const x = p % w;
  if (x > 0) fn(p - 1);
  if (x < w - 1) fn(p + 1);
  if (p >= w) fn(p - w);
  if (p + w < n) fn(p + w);
}

/** Sets every background pixel not reachable from the image border to foreground. */
function fillHoles(mask: Uint8Array, w: number, h: number): void {
  const outside = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  let top = 0;
  const seed = (p: number): void => {
    if (!mask[p] && !outside[p]) {
      outside[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < w; x++) {
    seed(x);
    seed((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    seed(y * w);
    seed(y * w + w - 1);
  }
  while (top > 0) forEachNeighbour(stack[--top], w, mask.length, seed);
  for (let i = 0; i < mask.length; i++) if (!outside[i]) mask[i] = 1;
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
