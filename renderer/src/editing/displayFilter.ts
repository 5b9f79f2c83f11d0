// Display filters for the fundus photograph: they change what is shown, never the stored image.
// Green channel (where vessels have the most contrast), CLAHE of the green channel (local contrast), and a linear
// contrast/brightness adjustment via a LUT, applied last.
import { DEFAULT_CLAHE, clahe, CLAHE_BINS } from '../../../shared/clahe.js';

export interface DisplayFilter {
  greenOnly: boolean;
  /** CLAHE on the green channel, shown as grey (implies greenOnly). */
  clahe?: boolean;
  /** Contrast factor around mid-grey, 1 = unchanged. */
  contrast: number;
  /** Additive brightness in 0..255 units, 0 = unchanged. */
  brightness: number;
}

export const NO_FILTER: DisplayFilter = { greenOnly: false, clahe: false, contrast: 1, brightness: 0 };

export function isIdentity(f: DisplayFilter): boolean {
  return !f.greenOnly && !f.clahe && f.contrast === 1 && f.brightness === 0;
}

/**
 * Applies `f` to RGBA pixels `src` into `dst` (same length; may be the same array). Alpha is copied. CLAHE needs
 * the image's width and height.
 */
export function applyDisplayFilter(
  src: Uint8ClampedArray,
  dst: Uint8ClampedArray,
  f: DisplayFilter,
  width = 0,
  height = 0,
): void {
  if (src.length !== dst.length) throw new RangeError('display filter: source and target sizes differ');
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = (v - 128) * f.contrast + 128 + f.brightness;
  if (f.clahe) {
    if (width * height * 4 !== src.length) {
      throw new RangeError(`display filter: CLAHE needs the size of the ${src.length / 4}-pixel image`);
    }
    const green = new Uint8Array(width * height);
    for (let i = 0, p = 1; i < green.length; i++, p += 4) green[i] = src[p];
    displayClahe(green, width, height);
    for (let i = 0, p = 0; i < green.length; i++, p += 4) {
      const g = lut[green[i]];
      dst[p] = g;
      dst[p + 1] = g;
      dst[p + 2] = g;
      dst[p + 3] = src[p + 3];
    }
    return;
  }
  for (let p = 0; p < src.length; p += 4) {
    if (f.greenOnly) {
      const g = lut[src[p + 1]];
      dst[p] = g;
      dst[p + 1] = g;
      dst[p + 2] = g;
    } else {
      dst[p] = lut[src[p]];
      dst[p + 1] = lut[src[p + 1]];
      dst[p + 2] = lut[src[p + 2]];
    }
    dst[p + 3] = src[p + 3];
  }
}

/** Grey levels at or below this are the black surround outside the camera's aperture. */
export const DARK_LEVEL = 8;

/**
 * CLAHE of 8-bit grey, in place: the model's own CLAHE step (shared/clahe.ts with the default model's clip limit,
 * grid and bins), so annotators see the enhancement the network sees before gamma and normalisation. The viewer
 * has no FOV mask, so the pixels brighter than DARK_LEVEL stand in for it; given the same FOV the two are equal.
 */
export function displayClahe(grey: Uint8Array, width: number, height: number): void {
  const fov = new Uint8Array(grey.length);
  const v = new Float32Array(grey.length);
  const scale = 1 / 255; // as the model's toGrey scales, so the floats are the same
  for (let i = 0; i < grey.length; i++) {
    fov[i] = grey[i] > DARK_LEVEL ? 1 : 0;
    v[i] = grey[i] * scale;
  }
  const out = clahe(v, width, height, fov, { ...DEFAULT_CLAHE, bins: CLAHE_BINS });
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(out[i] * 255);
}
