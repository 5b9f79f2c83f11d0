// Turns a class-per-pixel array (a 0/1 mask, or difference classes) into RGBA pixels for an ImageData at the
// image's resolution, over a dirty rectangle only. Opacity is left to the layer that shows it, so changing it
// never repaints pixels.

import type { Rect } from './rect.js';

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Packs a colour into the uint32 a Uint32Array view of RGBA bytes expects on this machine. */
export function packRgba(r: number, g: number, b: number, a = 255): number {
  return littleEndian
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** Parses '#rrggbb' into a packed colour. */
export function hexToRgba(hex: string, alpha = 255): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`colour ${hex} is not #rrggbb`);
  return packRgba(parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), alpha);
}

/**
 * Writes palette[classes[p]] into `pixels` (a Uint32Array view of the RGBA buffer, `width` pixels a row) for every
 * pixel of `rect`. Classes without a palette entry are painted transparent.
 */
export function paintClasses(
  classes: Uint8Array,
  width: number,
  rect: Rect,
  pixels: Uint32Array,
  palette: Uint32Array,
): void {
  if (pixels.length !== classes.length) {
    throw new RangeError(`overlay has ${pixels.length} pixels for a mask of ${classes.length}`);
  }
  const last = palette.length;
  for (let j = rect.y; j < rect.y + rect.height; j++) {
    const end = j * width + rect.x + rect.width;
    for (let p = j * width + rect.x; p < end; p++) {
      const c = classes[p];
      pixels[p] = c < last ? palette[c] : 0;
    }
  }
}
