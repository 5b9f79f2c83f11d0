// The mask overlay painted at display resolution. Each pixel of the on-screen overlay takes the class of the image
// pixel its centre falls on: the nearest-neighbour sample an unsmoothed drawImage of a full-resolution overlay
// would show, so the picture is the same, but a fitted 3504x2336 image costs the ~1 M pixels on screen to paint
// rather than 8 M, and a brush dab costs the screen pixels it covers.

import { clipRect, isEmptyRect, type Rect } from './rect.js';
import type { ProbabilityMap } from './threshold.js';
import type { View } from './viewport.js';

/** The pixels an overlay is painted from: the working mask, and the prediction when showing differences. */
export interface OverlaySource {
  /** Null while the working mask is still the prediction not yet thresholded: `probability` then stands for it. */
  mask: Uint8Array | null;
  /** The mask as probabilities and their cut (a pixel is 1 where value >= cut), when `mask` is null. */
  probability?: { values: ProbabilityMap; cut: number };
  /** Set in difference mode: each pixel's colour then comes from its (prediction, mask) pair. */
  predicted: Uint8Array | null;
  width: number;
  height: number;
}

/**
 * The colours of a difference overlay, indexed by (predicted ? 2 : 0) | (mask ? 1 : 0): neither, added by the
 * correction, predicted and removed, predicted and kept.
 */
export function pairPalette(none: number, added: number, removed: number, both: number): Uint32Array {
  return Uint32Array.from([none, added, removed, both]);
}

/** The overlay pixels (clipped to `outW` x `outH`) that can show image pixels of `rect` under `view`. */
export function screenRectOf(rect: Rect, view: View, outW: number, outH: number): Rect {
  if (isEmptyRect(rect)) return { x: 0, y: 0, width: 0, height: 0 };
  // One pixel of slack each side absorbs rounding at the edges; repainting it again is harmless.
  const x0 = Math.floor(view.x + rect.x * view.scale) - 1;
  const y0 = Math.floor(view.y + rect.y * view.scale) - 1;
  const x1 = Math.ceil(view.x + (rect.x + rect.width) * view.scale) + 1;
  const y1 = Math.ceil(view.y + (rect.y + rect.height) * view.scale) + 1;
  return clipRect({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, outW, outH);
}

/** The image column (or row) whose pixel holds the centre of overlay column (or row) `s`. */
function sampleAt(s: number, offset: number, scale: number): number {
  return Math.floor((s + 0.5 - offset) / scale);
}

/**
 * Paints `rect` of the overlay `out` (a Uint32Array view of RGBA bytes, `outW` pixels a row) from `src` under
 * `view` (image pixel (u, v) at overlay pixel (x + u * scale, y + v * scale)). In mask mode a pixel's colour is
 * palette[mask value]; in difference mode it is palette[pair] (see pairPalette). Pixels off the image, and values
 * without a palette entry, are transparent. Returns the number of overlay pixels written.
 */
export function paintOverlayView(
  src: OverlaySource,
  view: View,
  out: Uint32Array,
  outW: number,
  outH: number,
  rect: Rect,
  palette: Uint32Array,
): number {
  if (out.length !== outW * outH) {
    throw new RangeError(`overlay has ${out.length} pixels, not ${outW}x${outH}`);
  }
  const r = clipRect(rect, outW, outH);
  if (isEmptyRect(r)) return 0;
  const { mask, predicted, width, height } = src;
  const values = mask ?? src.probability?.values;
  if (
    !values ||
    values.length !== width * height ||
    (predicted && (!mask || predicted.length !== mask.length))
  ) {
    throw new RangeError(`overlay source of ${values?.length ?? 0} pixels does not fit ${width}x${height}`);
  }
  const cut = src.probability?.cut ?? 1;
  // The image column under each overlay column of the rectangle, and the run of columns that are on the image.
  const cols = new Int32Array(r.width);
  let k0 = r.width;
  let k1 = 0;
  for (let k = 0; k < r.width; k++) {
    const i = sampleAt(r.x + k, view.x, view.scale);
    cols[k] = i;
    if (i >= 0 && i < width) {
      if (k < k0) k0 = k;
      k1 = k + 1;
    }
  }
  const entries = palette.length;
  let prevRow = -1;
  let prevStart = -1;
  for (let y = r.y; y < r.y + r.height; y++) {
    const start = y * outW + r.x;
    const j = sampleAt(y, view.y, view.scale);
    if (j < 0 || j >= height || k0 >= k1) {
      out.fill(0, start, start + r.width);
      continue;
    }
    if (j === prevRow) {
      // Zoomed in, several overlay rows show one image row: the row above is already right.
      out.copyWithin(start, prevStart, prevStart + r.width);
      prevStart = start;
      continue;
    }
    out.fill(0, start, start + k0);
    out.fill(0, start + k1, start + r.width);
    const row = j * width;
    if (predicted) {
      for (let k = k0; k < k1; k++) {
        const p = row + cols[k];
        out[start + k] = palette[(predicted[p] !== 0 ? 2 : 0) | (values[p] !== 0 ? 1 : 0)];
      }
    } else if (mask) {
      for (let k = k0; k < k1; k++) {
        const c = mask[row + cols[k]];
        out[start + k] = c < entries ? palette[c] : 0;
      }
    } else {
      const off = entries > 0 ? palette[0] : 0;
      const on = entries > 1 ? palette[1] : 0;
      for (let k = k0; k < k1; k++) out[start + k] = values[row + cols[k]] >= cut ? on : off;
    }
    prevRow = j;
    prevStart = start;
  }
  return r.width * r.height;
}
