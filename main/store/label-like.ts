// Whether decoded pixels are an annotation rather than a photograph. A label or FOV mask has a handful of colours
// (two for a binary mask, five for an artery/vein map); one saved as JPEG is grey with its values huddled at both
// ends. A fundus photograph has thousands of colours spread between them, so neither test comes near one.
import type { RasterImage } from '../ml/types.js';

const MAX_LABEL_COLOURS = 16;
/** Distance (in 8-bit steps) from the darkest or brightest value that still counts as that value. */
const NEAR_END = 16;
/** Share of pixels at the two ends above which a grey picture is a lossily saved mask. */
const AT_ENDS_SHARE = 0.98;

/** Why the picture looks like a label, not a photograph; null when it looks like a photograph. */
export function labelLikeReason(img: RasterImage): string | null {
  const scale = img.bitDepth === 16 ? 257 : 1;
  const colours = countColours(img, MAX_LABEL_COLOURS);
  if (colours <= MAX_LABEL_COLOURS) {
    return colours <= 2 && isGrey(img, NEAR_END * scale)
      ? `looks like a label, not a photograph: one channel with ${colours === 1 ? 'one value' : 'two values'}`
      : 'looks like a label, not a photograph: a handful of flat colours';
  }
  if (!isGrey(img, NEAR_END * scale)) return null;
  const c = img.channels;
  const d = img.data;
  const n = img.width * img.height;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, d[i * c]);
    hi = Math.max(hi, d[i * c]);
  }
  const near = NEAR_END * scale;
  if (hi - lo <= 4 * near) return null; // a flat picture: not two separated values
  let atEnds = 0;
  for (let i = 0; i < n; i++) if (d[i * c] - lo <= near || hi - d[i * c] <= near) atEnds++;
  return atEnds >= AT_ENDS_SHARE * n
    ? 'looks like a label, not a photograph: grey with almost every pixel at its darkest or brightest value'
    : null;
}

/** Colour channels (alpha left out). */
function colourChannels(img: RasterImage): number {
  return img.channels === 2 || img.channels === 4 ? img.channels - 1 : img.channels;
}

/** Distinct colours, counting no further than `limit` + 1. */
function countColours(img: RasterImage, limit: number): number {
  const c = img.channels;
  const k = colourChannels(img);
  const d = img.data;
  const base = img.bitDepth === 16 ? 65536 : 256;
  const seen = new Set<number>();
  for (let i = 0; i < d.length; i += c) {
    let key = 0;
    for (let j = 0; j < k; j++) key = key * base + d[i + j];
    seen.add(key);
    if (seen.size > limit) break;
  }
  return seen.size;
}

/** Whether every pixel's colour channels agree within `tolerance`. */
function isGrey(img: RasterImage, tolerance: number): boolean {
  const c = img.channels;
  if (colourChannels(img) === 1) return true;
  const d = img.data;
  for (let i = 0; i < d.length; i += c) {
    if (Math.abs(d[i] - d[i + 1]) > tolerance || Math.abs(d[i] - d[i + 2]) > tolerance) return false;
  }
  return true;
}
