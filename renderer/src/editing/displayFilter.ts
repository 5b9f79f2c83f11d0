// Display filters for the fundus photograph: they change what is shown, never the stored image.
// Green channel (where vessels have the most contrast) and a linear contrast/brightness adjustment via a LUT.

export interface DisplayFilter {
  greenOnly: boolean;
  /** Contrast factor around mid-grey, 1 = unchanged. */
  contrast: number;
  /** Additive brightness in 0..255 units, 0 = unchanged. */
  brightness: number;
}

export const NO_FILTER: DisplayFilter = { greenOnly: false, contrast: 1, brightness: 0 };

export function isIdentity(f: DisplayFilter): boolean {
  return !f.greenOnly && f.contrast === 1 && f.brightness === 0;
}

/** Applies `f` to RGBA pixels `src` into `dst` (same length; may be the same array). Alpha is copied. */
export function applyDisplayFilter(src: Uint8ClampedArray, dst: Uint8ClampedArray, f: DisplayFilter): void {
  if (src.length !== dst.length) throw new RangeError('display filter: source and target sizes differ');
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = (v - 128) * f.contrast + 128 + f.brightness;
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
