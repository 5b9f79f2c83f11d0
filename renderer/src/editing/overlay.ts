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
  // Four class bytes read as one word, where the array's alignment allows.
  const words =
    classes.byteOffset % 4 === 0
      ? new Uint32Array(classes.buffer, classes.byteOffset, classes.length >> 2)
      : null;
  if (rect.x === 0 && rect.width === width) {
    // Whole rows are one run: opening an image paints all of it this way.
    paintRun(classes, words, rect.y * width, (rect.y + rect.height) * width, pixels, palette);
    return;
  }
  for (let j = rect.y; j < rect.y + rect.height; j++) {
    const start = j * width + rect.x;
    paintRun(classes, words, start, start + rect.width, pixels, palette);
  }
}

/**
 * paintClasses over pixels [from, to). Class 0 (background) is most of any mask: aligned all-zero words are
 * skipped four pixels at a time and their run filled natively, so a large sparse mask costs a quarter of the loop.
 */
function paintRun(
  classes: Uint8Array,
  words: Uint32Array | null,
  from: number,
  to: number,
  pixels: Uint32Array,
  palette: Uint32Array,
): void {
  const last = palette.length;
  const background = last > 0 ? palette[0] : 0;
  let p = from;
  while (p < to) {
    if (words !== null && (p & 3) === 0 && p + 4 <= to && words[p >> 2] === 0) {
      let q = p + 4;
      while (q + 4 <= to && words[q >> 2] === 0) q += 4;
      pixels.fill(background, p, q);
      p = q;
      continue;
    }
    const c = classes[p];
    pixels[p] = c < last ? palette[c] : 0;
    p++;
  }
}
