// Artery/vein reference labels as RITE and LES-AV draw them: an RGB image where red is artery, blue vein, green a
// crossing of both and white a vessel of uncertain type. A few stray anti-aliased pixels are snapped to the nearest
// palette colour (RITE has 57 of them in 17 files).
import type { BinaryMap, RasterImage } from '../types.js';

export const AV_LABEL = { background: 0, artery: 1, vein: 2, crossing: 3, uncertain: 4 } as const;
export type AvLabel = (typeof AV_LABEL)[keyof typeof AV_LABEL];

const PALETTE: [number, number, number, AvLabel][] = [
  [0, 0, 0, AV_LABEL.background],
  [255, 0, 0, AV_LABEL.artery],
  [0, 0, 255, AV_LABEL.vein],
  [0, 255, 0, AV_LABEL.crossing],
  [255, 255, 255, AV_LABEL.uncertain],
];

/** One label per pixel (AV_LABEL values) from an RGB(A) reference image. */
export function decodeAvLabels(img: RasterImage): Uint8Array {
  if (img.channels < 3 || img.bitDepth !== 8) {
    throw new Error(`artery/vein labels must be an 8-bit RGB image, got ${img.channels} channels`);
  }
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const c = img.channels;
  for (let i = 0; i < n; i++) {
    const r = img.data[i * c];
    const g = img.data[i * c + 1];
    const b = img.data[i * c + 2];
    let best = Infinity;
    for (const [pr, pg, pb, label] of PALETTE) {
      const d = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
      if (d < best) {
        best = d;
        out[i] = label;
      }
    }
  }
  return out;
}

/** A pixel farther than this (RGB distance) from every colour of the palette is none of them (JPEG noise is ~20). */
const OFF_PALETTE = 64;

/** The share of an RGB(A) image's pixels that are none of the artery/vein palette's colours (a photograph: most). */
export function offPaletteShare(img: RasterImage): number {
  if (img.channels < 3 || img.bitDepth !== 8) return 1;
  const n = img.width * img.height;
  const c = img.channels;
  let off = 0;
  for (let i = 0; i < n; i++) {
    const r = img.data[i * c];
    const g = img.data[i * c + 1];
    const b = img.data[i * c + 2];
    if (!PALETTE.some(([pr, pg, pb]) => (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2 <= OFF_PALETTE ** 2))
      off++;
  }
  return n === 0 ? 0 : off / n;
}

/** The pixels carrying one of `labels`, as a 0/1 map. */
export function labelMap(labels: Uint8Array, width: number, height: number, ...which: AvLabel[]): BinaryMap {
  const data = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) data[i] = which.includes(labels[i] as AvLabel) ? 1 : 0;
  return { width, height, data };
}
