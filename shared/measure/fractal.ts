// Fractal dimension of a binary vessel map by box counting (the Minkowski-Bouligand dimension as AutoMorph and
// Liew et al. measure it): N(s), the boxes of side s that hold a vessel pixel, for box sides in a geometric range;
// the dimension is the least-squares slope of log N(s) against log(1/s).
// The box sides are fractions of the field's diameter, not pixel counts, so the same eye photographed at twice the
// resolution counts the same boxes. Each side is counted at 2x2 grid offsets and the smallest count kept (the
// covering closest to optimal). The range, diameter/512 to diameter/16, stays clear of the largest boxes, where a
// finite object's edge adds a box per row (a 500 px line measured to 1/8 of its length reads 0.973, to 1/16 0.989).

import { layerCoverage } from './coverage.js';

export interface BoxCountOptions {
  /** The field's diameter in pixels (the FOV's); box sides run from diameter/smallestDivisor (at least 1 px) to diameter/largestDivisor. */
  diameter: number;
  largestDivisor?: number;
  smallestDivisor?: number;
  /** Box sides per doubling (default 1: powers of two). */
  perOctave?: number;
}

export interface BoxCount {
  sides: number[];
  counts: number[];
  dimension: number;
  /** Standard error of the fitted slope (how far the counts stray from one power law). */
  standardError: number;
}

/** The pixel indices that are set, so each count walks only the vessel pixels. */
function setPixels(mask: Uint8Array, n: number): Int32Array {
  let k = 0;
  for (let i = 0; i < n; i++) if (mask[i] !== 0) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < n; i++) if (mask[i] !== 0) out[k++] = i;
  return out;
}

/** Grid offsets per axis (in fractions of a box side) over which the smallest count is kept. */
const OFFSETS = 2;

function countBoxes(
  xs: Float32Array,
  ys: Float32Array,
  w: number,
  h: number,
  side: number,
  ox: number,
  oy: number,
): number {
  const gw = Math.ceil((w + side) / side) + 1;
  const gh = Math.ceil((h + side) / side) + 1;
  const grid = new Uint8Array(gw * gh);
  const inv = 1 / side;
  let n = 0;
  for (let k = 0; k < xs.length; k++) {
    const g = Math.floor((ys[k] + oy) * inv) * gw + Math.floor((xs[k] + ox) * inv);
    if (!grid[g]) {
      grid[g] = 1;
      n++;
    }
  }
  return n;
}

export function boxCount(mask: Uint8Array, w: number, h: number, opts: BoxCountOptions): BoxCount {
  const pixels = setPixels(mask, w * h);
  // The grid starts at the pattern's top-left corner (then at fractions of a box from it).
  const px = new Float32Array(pixels.length);
  const py = new Float32Array(pixels.length);
  let x0 = w;
  let y0 = h;
  for (let k = 0; k < pixels.length; k++) {
    const x = pixels[k] % w;
    px[k] = x;
    py[k] = (pixels[k] - x) / w;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, py[k]);
  }
  const largest = opts.diameter / (opts.largestDivisor ?? 16);
  const smallest = Math.max(1, opts.diameter / (opts.smallestDivisor ?? 512));
  const perOctave = opts.perOctave ?? 1;
  const sides: number[] = [];
  for (let s = smallest; s <= largest * 1.0001; s *= 2 ** (1 / perOctave)) sides.push(s);
  const counts = sides.map((s) => {
    let best = Infinity;
    for (let oy = 0; oy < OFFSETS; oy++)
      for (let ox = 0; ox < OFFSETS; ox++)
        best = Math.min(best, countBoxes(px, py, w, h, s, (ox / OFFSETS) * s - x0, (oy / OFFSETS) * s - y0));
    return best;
  });
  const xs = sides.map((s) => Math.log(1 / s));
  const ys = counts.map((c) => Math.log(Math.max(1, c)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  const dimension = den > 0 ? num / den : 0;
  let residual = 0;
  for (let i = 0; i < xs.length; i++) residual += (ys[i] - my - dimension * (xs[i] - mx)) ** 2;
  const standardError = xs.length > 2 && den > 0 ? Math.sqrt(residual / (xs.length - 2) / den) : 0;
  return { sides, counts, dimension, standardError };
}

/** Field diameter, in pixels, of the working resolution the fractal dimension of an image is counted at. */
export const FRACTAL_FIELD = 1024;

/**
 * The fractal dimension of the pixels where `vessel` is 1 (a 0/1 map), counted at a fixed working resolution (the field
 * `diameter` pixels across brought to FRACTAL_FIELD by area, a pixel kept where it is at least half vessel). Counting
 * at the photograph's own resolution is not scale-free: near the pixel size a box grid splits a coarse image's
 * pixels differently from a fine one's, which put the same DRIVE masks 0.03-0.05 apart at twice their size.
 */
export function fractalDimension(vessel: Uint8Array, w: number, h: number, diameter: number): BoxCount {
  return fractalDimensions(vessel, 1, w, h, diameter)[0];
}

/** fractalDimension of each of up to 8 layers given as bits (bit b of `bits[i]`: pixel i is in layer b). */
export function fractalDimensions(
  bits: Uint8Array,
  layers: number,
  w: number,
  h: number,
  diameter: number,
): BoxCount[] {
  const f = FRACTAL_FIELD / diameter;
  const ow = Math.max(1, Math.round(w * f));
  const oh = Math.max(1, Math.round(h * f));
  return layerCoverage(bits, layers, w, h, ow, oh).map((cover) => {
    const on = new Uint8Array(cover.data.length);
    for (let i = 0; i < on.length; i++) on[i] = cover.data[i] > 1e-6 ? 1 : 0;
    return boxCount(on, ow, oh, { diameter: FRACTAL_FIELD });
  });
}
