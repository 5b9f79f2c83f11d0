// The fovea and the eye's side, from a disc already found. The fovea follows the anatomy: about 2.5 disc diameters
// temporal to the disc centre, refined to the darkest vessel-free region there. Laterality follows from which side
// of the fovea the disc lies on (in a right eye's photograph the disc is to the right of the macula), or from the
// disc's side of the field when the fovea is not found.
import { mapPixels } from '../../../shared/pixels.js';
import { boxMean, signedEdgeDistance } from '../uncertainty/maps.js';
import { lateralityFromDiscAndFovea, LATERALITY_MIN_FOVEA_CONFIDENCE } from '../../../shared/laterality.js';

export interface FoveaEstimate {
  x: number;
  y: number;
  confidence: number;
}

/** A disc's centre and diameter, in the pixels of the maps searched. */
export type DiscPlace = { x: number; y: number; diameter: number };

/**
 * Box mean of radius r (edges replicated), weighted: mean(v*w) / mean(w); NaN where no weight falls in the box.
 * The weights here are 0 or 1, so a box with any weight has a mean of at least 1 / (2r+1)^2.
 */
function weightedBlur(v: Float32Array, wt: Float32Array, w: number, h: number, r: number): Float32Array {
  const num = boxMean(
    mapPixels(new Float32Array(v.length), v, (x, i) => x * wt[i]),
    w,
    h,
    r,
  );
  const den = boxMean(wt, w, h, r);
  const some = 0.5 / (2 * r + 1) ** 2;
  return mapPixels(new Float32Array(num.length), num, (x, i) => (den[i] > some ? x / den[i] : NaN));
}

/**
 * Each pixel's distance to the field's edge (the aperture's, or the frame's where the field runs off it), capped.
 */
function fieldEdgeDistance(fov: Uint8Array, w: number, h: number, cap: number): Float32Array {
  const d = signedEdgeDistance(fov, w, h, cap);
  return mapPixels(d, d, (v, i) => {
    const x = i % w;
    const y = (i - x) / w;
    return Math.min(v, x + 1, y + 1, w - x, h - y);
  });
}

/**
 * The most confidence a fovea found against the field's rim gets: below LATERALITY_MIN_FOVEA_CONFIDENCE, so it
 * does not decide the eye. A photograph darkens towards its rim, so there the darkest place of the sector is the
 * shading, whether the macula lies there or beyond the field (as in a disc-centred photograph).
 */
export const RIM_FOVEA_CONFIDENCE = 0.15;

/** Distance from the disc centre to the fovea, in disc diameters, and the search band around it. */
const FOVEA_DISTANCE = 2.5;
const FOVEA_BAND: [number, number] = [1.8, 3.3];
/** Half-angle of the search sector around the temporal direction (the fovea lies slightly below the disc). */
const FOVEA_SECTOR = (35 * Math.PI) / 180;

/**
 * The fovea in frame pixels: the darkest vessel-free region (green channel, averaged over about a third of a disc
 * diameter) in a sector 1.8 to 3.3 disc diameters temporal to the disc. Temporal is away from the disc's side of
 * the field; for a disc near the field's centre both sides are searched.
 */
export function findFovea(
  green: Float32Array,
  vessels: Uint8Array,
  fov: Uint8Array,
  width: number,
  height: number,
  disc: DiscPlace,
  centreX: number,
  fieldWidth: number,
): FoveaEstimate | null {
  const r = Math.max(1, Math.round(disc.diameter / 6));
  const weight = mapPixels(new Float32Array(vessels.length), vessels, (v, i) => (v || !fov[i] ? 0 : 1));
  const edge = fieldEdgeDistance(fov, width, height, 4 * disc.diameter);
  // Pixels whose averaging box reaches past the edge see only the rim's darkest shading: never the fovea.
  const dark = mapPixels(
    new Float32Array(green.length),
    weightedBlur(green, weight, width, height, r),
    (v, i) => (edge[i] > r ? v : NaN),
  );
  const offset = centreX - disc.x;
  const sides = Math.abs(offset) < 0.1 * fieldWidth ? [1, -1] : [Math.sign(offset) || 1];
  let best: { x: number; y: number; v: number } | null = null;
  const values: number[] = [];
  for (const side of sides) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!fov[i] || Number.isNaN(dark[i])) continue;
        const dx = (x - disc.x) * side;
        const dy = y - disc.y;
        const dist = Math.hypot(dx, dy) / disc.diameter;
        if (dist < FOVEA_BAND[0] || dist > FOVEA_BAND[1] || Math.abs(Math.atan2(dy, dx)) > FOVEA_SECTOR)
          continue;
        // A mild pull towards the anatomical distance, so that a dark rim does not win over the macula.
        const v = dark[i] + 0.02 * Math.abs(dist - FOVEA_DISTANCE);
        values.push(dark[i]);
        if (!best || v < best.v) best = { x, y, v };
      }
    }
  }
  if (!best || values.length < 10) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  const darkest = dark[best.y * width + best.x];
  const contrast = sd > 1e-6 ? (mean - darkest) / sd : 0;
  // Two standard deviations darker than the sector is a clear macula; a flat sector gives no confidence.
  const seen = Math.max(0, Math.min(1, contrast / 2)) * (sides.length > 1 ? 0.7 : 1);
  // Darkest right against the excluded rim (darker all the way to it): the shading, as far as can be told.
  const atRim = edge[best.y * width + best.x] < r + 2;
  const confidence = atRim ? Math.min(seen, RIM_FOVEA_CONFIDENCE) : seen;
  // The macula is a dark plateau, not a point: its centre is the centroid of the nearly-as-dark pixels around the
  // darkest one (within one disc diameter).
  const cut = darkest + 0.2 * (mean - darkest);
  let sx = 0;
  let sy = 0;
  let n = 0;
  const reach = Math.ceil(disc.diameter);
  for (let y = Math.max(0, best.y - reach); y <= Math.min(height - 1, best.y + reach); y++) {
    for (let x = Math.max(0, best.x - reach); x <= Math.min(width - 1, best.x + reach); x++) {
      const i = y * width + x;
      if (!(dark[i] <= cut) || Math.hypot(x - best.x, y - best.y) > reach) continue;
      sx += x;
      sy += y;
      n++;
    }
  }
  return n > 0 ? { x: sx / n, y: sy / n, confidence } : { x: best.x, y: best.y, confidence };
}

/**
 * How far above the disc's centre (disc diameters) a confident fovea may lie in an upright photograph. The fovea lies
 * level with the disc or below it (on average about 7 degrees below, 0.3 disc diameters at its distance); in a
 * photograph stored upside down it lies as far above, and the disc's side then gives the other eye. Every confident
 * fovea found on the DRIVE and AV-WIDE photographs lies below the disc.
 */
const MAX_FOVEA_ABOVE_DISC = 0.15;

/** Whether a confident fovea lies clearly above the disc, as in a photograph rotated 180 degrees. */
export function foveaAboveDisc(disc: DiscPlace | null, fovea: FoveaEstimate | null): boolean {
  if (!disc || !fovea || fovea.confidence < LATERALITY_MIN_FOVEA_CONFIDENCE) return false;
  return disc.y - fovea.y > MAX_FOVEA_ABOVE_DISC * disc.diameter;
}

/** What locateDisc says when foveaAboveDisc holds. */
export const FOVEA_ABOVE_DISC_WARNING =
  'the fovea lies above the optic disc, as in a photograph stored upside down (rotated 180 degrees), which ' +
  'would give the other eye: the eye is not given';

/**
 * L or R from the disc and fovea (frame pixels), or from the disc's side of the field; null when unclear, or when a
 * fovea above the disc says the photograph may be upside down (both cues then give the wrong eye).
 */
export function lateralityOf(
  disc: DiscPlace | null,
  fovea: FoveaEstimate | null,
  centreX: number,
  fieldWidth: number,
): 'L' | 'R' | null {
  if (!disc || foveaAboveDisc(disc, fovea)) return null;
  const fromFovea = lateralityFromDiscAndFovea({ disc, fovea });
  if (fromFovea) return fromFovea;
  const offset = disc.x - centreX;
  if (Math.abs(offset) < 0.12 * fieldWidth) return null;
  return offset > 0 ? 'R' : 'L';
}
