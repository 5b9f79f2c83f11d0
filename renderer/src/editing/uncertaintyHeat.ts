// The uncertainty heat map's pixels: a one-byte uncertainty map (u = v / 255) to RGBA, transparent where the model
// is sure and warmer and more opaque as u rises (yellow to red). A large image is painted at a reduced size (each
// output pixel shows the largest u of the block it covers, so a thin line of doubt survives the reduction); the
// layer scales it back up.
import { packRgba } from './overlay.js';

/** Below this u nothing is drawn: most of a fundus is near-certain and should stay visible. */
export const HEAT_FLOOR = 0.08;
/** At and above this u (a coin flip) the colour is full red at the strongest alpha. */
export const HEAT_FULL = 0.5;
const MAX_ALPHA = 0.85;

/** Packed RGBA for every byte value. */
export function heatPalette(): Uint32Array {
  const lut = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    const t = Math.min(1, Math.max(0, (v / 255 - HEAT_FLOOR) / (HEAT_FULL - HEAT_FLOOR)));
    if (t === 0) continue;
    // Yellow (255, 230, 0) at the floor to red (255, 0, 0) at full.
    lut[v] = packRgba(255, Math.round(230 * (1 - t)), 0, Math.round(255 * MAX_ALPHA * (0.25 + 0.75 * t)));
  }
  return lut;
}

/** The reduction step (1 = full resolution) that keeps the heat map within `maxPixels`. */
export function heatStep(width: number, height: number, maxPixels = 2_000_000): number {
  return Math.max(1, Math.ceil(Math.sqrt((width * height) / maxPixels)));
}

export interface HeatImage {
  width: number;
  height: number;
  /** Packed RGBA, width * height. */
  pixels: Uint32Array;
  /** Output pixels that are not transparent. */
  painted: number;
}

/** Paints the heat map at 1/step of the image's size (rounded up). */
export function paintHeat(
  u: Uint8Array,
  width: number,
  height: number,
  step: number,
  palette: Uint32Array,
): HeatImage {
  if (u.length !== width * height)
    throw new RangeError(`a map of ${u.length} values is not ${width}x${height}`);
  const w = Math.ceil(width / step);
  const h = Math.ceil(height / step);
  const peak = new Uint8Array(w * h);
  for (let y = 0; y < height; y++) {
    const out = Math.floor(y / step) * w;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const o = out + Math.floor(x / step);
      if (u[row + x] > peak[o]) peak[o] = u[row + x];
    }
  }
  const pixels = new Uint32Array(w * h);
  let painted = 0;
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = palette[peak[i]];
    if (pixels[i] !== 0) painted++;
  }
  return { width: w, height: h, pixels, painted };
}
