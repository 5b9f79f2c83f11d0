// The evidence a photograph's gradability is judged on (shared/measure/gradability decides), read off the photograph
// and the segmentation already made for measuring: no second network pass. Every figure is taken at the network's
// canonical scale (the frame's), so a 12-megapixel photograph and DRIVE's 565 px one of the same retina read alike.
import type { Segmentation } from '../infer.js';
import type { RasterImage } from '../types.js';
import type { QualityEvidence } from '../../../shared/measure/gradability.js';
import { componentSizes } from '../../../shared/skeleton.js';

/** Pieces of the mask under this many canonical pixels are specks (as the frame's calibre ruler counts them). */
const SPECK_CANONICAL_PIXELS = 16;
/** Sharpness is read on a grid about this many times coarser than the canonical frame (vessels 1-5 px wide there). */
const SHARPNESS_COARSENING = 2;

/** Luminance (Rec. 601) of pixel i scaled to 0..255, or the grey value. */
function lumaAt(img: RasterImage, i: number, max: number): number {
  const c = img.channels;
  const d = img.data;
  if (c < 3) return (d[i * c] * 255) / max;
  return ((0.299 * d[i * c] + 0.587 * d[i * c + 1] + 0.114 * d[i * c + 2]) * 255) / max;
}

/** The luminance (of 255) at or below which a pixel counts as black: the import's black-frame check uses it too. */
export const BLACK_LUMA = 8;

/** Shares of the field's pixels that are blown out (luminance >= 250) or black (<= BLACK_LUMA). */
export function exposure(img: RasterImage, fov: Uint8Array): { over: number; under: number } {
  const max = img.bitDepth === 16 ? 65535 : 255;
  let n = 0;
  let over = 0;
  let under = 0;
  // Every fourth pixel of every fourth row: shares to well under a percent at any camera's size.
  const step = img.width * img.height > 400_000 ? 4 : 1;
  for (let y = 0; y < img.height; y += step) {
    for (let x = 0; x < img.width; x += step) {
      const i = y * img.width + x;
      if (!fov[i]) continue;
      n++;
      const l = lumaAt(img, i, max);
      if (l >= 250) over++;
      else if (l <= BLACK_LUMA) under++;
    }
  }
  return n ? { over: over / n, under: under / n } : { over: 0, under: 1 };
}

/**
 * Sharpness: the mean absolute difference between the green channel and its 5x5 local mean, over the mean green, on
 * blocks k native pixels across (k from the frame's scale), inside the field shrunk by two blocks (the aperture's
 * rim is an edge of the camera, not of the retina). Fine detail (vessels, nerve fibre texture) sets it; defocus or
 * motion take it away. Contrast-normalised so a dim but sharp photograph is not called blurred.
 */
function sharpness(img: RasterImage, fov: Uint8Array, scale: number): number {
  const { width: w, height: h } = img;
  const max = img.bitDepth === 16 ? 65535 : 255;
  const k = Math.max(1, Math.round(SHARPNESS_COARSENING / scale));
  const bw = Math.floor(w / k);
  const bh = Math.floor(h / k);
  if (bw < 8 || bh < 8) return 0;
  const d = img.data;
  const c = img.channels;
  const green = c >= 3 ? 1 : 0;
  // Raw channel sums per block, read along rows in memory order and scaled once per block rather than per pixel:
  // the same means to rounding, at a fraction of the cost on a 12-megapixel photograph.
  const sum = new Float64Array(bw * bh);
  const inside = new Uint8Array(bw * bh).fill(1);
  for (let y = 0; y < bh * k; y++) {
    const blocks = Math.floor(y / k) * bw;
    let i = y * w;
    let p = i * c + green;
    for (let bx = 0; bx < bw; bx++) {
      let s = 0;
      let all = 1;
      for (const end = i + k; i < end; i++, p += c) {
        s += d[p];
        if (fov[i] === 0) all = 0;
      }
      sum[blocks + bx] += s;
      if (!all) inside[blocks + bx] = 0;
    }
  }
  const g = new Float32Array(bw * bh);
  for (let b = 0; b < g.length; b++) g[b] = (sum[b] * 255) / max / (k * k);
  const r = 2;
  let diff = 0;
  let level = 0;
  for (let y = r; y < bh - r; y++) {
    for (let x = r; x < bw - r; x++) {
      // Only blocks whose whole neighbourhood lies in the field.
      if (
        !inside[(y - r) * bw + x] ||
        !inside[(y + r) * bw + x] ||
        !inside[y * bw + x - r] ||
        !inside[y * bw + x + r]
      )
        continue;
      let s = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) s += g[(y + dy) * bw + x + dx];
      const v = g[y * bw + x];
      diff += Math.abs(v - s / ((2 * r + 1) * (2 * r + 1)));
      level += v;
    }
  }
  return level > 0 ? diff / level : 0;
}

/** The vessel mask inside the field: its share of the field, and the share of its pixels lying in specks. */
function vesselTree(seg: Segmentation, field: number, scale: number): { share: number; speckShare: number } {
  const speck = SPECK_CANONICAL_PIXELS / (scale * scale);
  let vessels = 0;
  let specks = 0;
  for (const size of componentSizes(seg.mask, seg.fov.data, seg.width, seg.height)) {
    vessels += size;
    if (size < speck) specks += size;
  }
  if (vessels === 0) return { share: 0, speckShare: 1 };
  return { share: vessels / Math.max(1, field), speckShare: specks / vessels };
}

/** The field's pixel count, four bytes at a time where the map starts on a word boundary. */
function fieldPixels(fov: Uint8Array): number {
  let n = 0;
  let i = 0;
  if (fov.byteOffset % 4 === 0) {
    const words = new Uint32Array(fov.buffer, fov.byteOffset, fov.length >> 2);
    for (let j = 0; j < words.length; j++) {
      const v = words[j];
      if (v === 0) continue;
      // Four set bytes as the maps hold them (0/1); anything else is counted byte by byte.
      if (v === 0x01010101) n += 4;
      else for (let b = j * 4; b < j * 4 + 4; b++) if (fov[b] !== 0) n++;
    }
    i = words.length * 4;
  }
  for (; i < fov.length; i++) if (fov[i] !== 0) n++;
  return n;
}

/** The evidence on one photograph, from its pixels and the segmentation made for measuring it. */
export function photographQuality(image: RasterImage, seg: Segmentation): QualityEvidence {
  const scale = seg.frame?.scale ?? 1;
  const fov = seg.fov.data;
  const field = fieldPixels(fov);
  const { over, under } = exposure(image, fov);
  const tree = vesselTree(seg, field, scale);
  return {
    // A model without a frame never looks for the aperture: no evidence either way, so it counts as found.
    apertureFound: seg.frame ? seg.frame.circle !== null : true,
    fieldShare: field / Math.max(1, fov.length),
    vesselShare: tree.share,
    speckShare: tree.speckShare,
    sharpness: sharpness(image, fov, scale),
    overexposed: over,
    underexposed: under,
    expectedF1: seg.uncertainty?.expectedF1 ?? null,
  };
}
