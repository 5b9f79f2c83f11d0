// Optic disc, fovea and laterality of a photograph. The disc comes from a U-Net on the colour planes of the vessel
// model's canonical frame at half size (the frame's scale makes the disc about the same size on every camera); the
// fovea and the eye's side follow from the disc (fovea.ts).
import type { RasterImage } from '../types.js';
import type { LoadedModel } from '../model/model-loader.js';
import type { Segmentation } from '../infer.js';
import {
  calibreIndex,
  cropFrame,
  imageToCanonical,
  mapToCanonical,
  planFrame,
  pointToCanonical,
  pointToNative,
  type Frame,
} from '../frame/canonical-frame.js';
import { components } from '../../../shared/skeleton.js';
import { colourPlanes } from './colour-input.js';
import { predictPlanes, type FlipSet } from './plane-predict.js';
import { shrinkImage, shrinkMap } from './frame-shrink.js';
import { mapPixels } from '../../../shared/pixels.js';
import { discAtFieldEdge } from '../../../shared/measure/disc-at-field-edge.js';
import {
  findFovea,
  foveaAboveDisc,
  FOVEA_ABOVE_DISC_WARNING,
  lateralityOf,
  type FoveaEstimate,
} from './fovea.js';

export interface DiscEstimate {
  x: number;
  y: number;
  /** Equivalent-circle diameter (2 sqrt(area / pi)) of the region found: the reference masks' definition. */
  diameter: number;
  /** Mean disc probability over the chosen region (0..1). */
  confidence: number;
}

export interface DiscResult {
  disc: DiscEstimate | null;
  fovea: FoveaEstimate | null;
  laterality: 'L' | 'R' | null;
  /** The disc probability at the image's size is not kept; the disc's mask as a circle is what callers draw. */
  warnings: string[];
}

/**
 * Disc-like regions of a probability map, the most probability mass first (at most `limit`): each component above
 * the cut as a centre (probability-weighted), an equivalent-circle diameter (2 sqrt(area / pi), the reference's
 * definition) and its mean probability as confidence.
 */
export function discCandidates(
  p: Float32Array,
  width: number,
  height: number,
  threshold: number,
  limit: number,
): DiscEstimate[] {
  let max = 0;
  for (const v of p) if (v > max) max = v;
  if (max < 0.15) return [];
  // A faint disc (an unusual camera) is still the most disc-like place: lower the cut to half the peak.
  const cut = Math.min(threshold, max / 2);
  const on = mapPixels(new Uint8Array(p.length), p, (v) => (v >= cut ? 1 : 0));
  const { labels, sizes } = components(on, width, height);
  const n = sizes.length;
  const mass = new Float64Array(n);
  const sx = new Float64Array(n);
  const sy = new Float64Array(n);
  for (let i = 0; i < p.length; i++) {
    const id = labels[i];
    if (!id) continue;
    const x = i % width;
    mass[id] += p[i];
    sx[id] += p[i] * x;
    sy[id] += p[i] * ((i - x) / width);
  }
  const ids = Array.from({ length: n - 1 }, (_, i) => i + 1)
    .filter((id) => mass[id] > 0)
    .sort((a, b) => mass[b] - mass[a])
    .slice(0, limit);
  return ids.map((id) => ({
    x: sx[id] / mass[id],
    y: sy[id] / mass[id],
    // Every pixel of a component is at or above the cut, so its size is its area.
    diameter: 2 * Math.sqrt(sizes[id] / Math.PI),
    confidence: mass[id] / sizes[id],
  }));
}

/** The region with the most probability mass (see discCandidates), or null. */
export function discFromProbability(
  p: Float32Array,
  width: number,
  height: number,
  threshold: number,
): DiscEstimate | null {
  return discCandidates(p, width, height, threshold, 1)[0] ?? null;
}

/** The disc network's probability on the shrunk frame. */
export async function discProbability(
  canonical: RasterImage,
  canonicalFov: { width: number; height: number; data: Uint8Array },
  model: LoadedModel,
  flips: FlipSet = 'none',
): Promise<{ p: Float32Array; width: number; height: number; small: RasterImage; fov: Uint8Array }> {
  const k = model.manifest.anatomy?.downsample ?? 1;
  const small = shrinkImage(canonical, k);
  const fov = shrinkMap(canonicalFov, k);
  const planes = colourPlanes(small, fov);
  const p = await predictPlanes(
    model.predictor,
    planes,
    small.width,
    small.height,
    2 ** model.manifest.architecture.depth,
    flips,
  );
  return { p, width: small.width, height: small.height, small, fov: fov.data };
}

/** The disc's diameter in the canonical frame (DRIVE's discs: 80-94 px at the frame's scale of about 1). */
export const CANONICAL_DISC_DIAMETER = 86;
/** Scales tried, relative to the vessel frame's, when the photograph shows no aperture edge to scale by. */
const SEARCH_SCALES = [0.25, 0.35, 0.5, 0.71, 1, 1.41, 2, 2.83, 4];
/** Canonical frames searched stay within these sizes (longest side, canonical pixels). */
const SEARCH_SIDE: [number, number] = [160, 1800];

/** How plausible a disc of this canonical diameter is: 1 at the typical size, falling off in log scale. */
function sizePlausibility(diameter: number): number {
  const r = Math.log(diameter / CANONICAL_DISC_DIAMETER);
  return Math.exp(-(r * r) / (2 * 0.3 * 0.3));
}

/** Share of the vessel mask's pixels within `radius` of a point (the image's own pixels, sampled). */
function vesselShareNear(seg: Segmentation, c: { x: number; y: number }, radius: number): number {
  const step = Math.max(1, Math.floor(radius / 20));
  let n = 0;
  let v = 0;
  for (
    let y = Math.max(0, Math.round(c.y - radius));
    y <= Math.min(seg.height - 1, c.y + radius);
    y += step
  ) {
    for (
      let x = Math.max(0, Math.round(c.x - radius));
      x <= Math.min(seg.width - 1, c.x + radius);
      x += step
    ) {
      if ((x - c.x) ** 2 + (y - c.y) ** 2 > radius * radius) continue;
      n++;
      v += seg.mask[y * seg.width + x] ? 1 : 0;
    }
  }
  return n > 0 ? v / n : 0;
}

/**
 * Share of vessel pixels within one disc diameter of a candidate disc's centre: the big vessels converge on the
 * disc, while a bright reflex or an eyelash at the field's edge has few around it.
 */
function vesselShareAround(seg: Segmentation, frame: Frame, disc: DiscEstimate, k: number): number {
  const c = pointToNative({ x: k * disc.x + (k - 1) / 2, y: k * disc.y + (k - 1) / 2 }, frame);
  return vesselShareNear(seg, c, (disc.diameter * k) / frame.scale);
}

/**
 * A candidate's score where the search runs at several scales: the network's confidence, squared, times the size
 * prior and the square root of the vessel share around it. With the plain product the vessel share, higher around
 * a smaller circle at the hub of the vessel tree, often won for a disc's bright cup: chosen on the 89 borderless
 * training and validation photographs (DRIONS-DB, AV-WIDE), where the plain product put 7 search results outside
 * 0.8-1.25x the reference diameter (down to 0.55x) and one centre 0.26 diameters off, this weighting puts 3 there
 * (0.81-1.25x) and every centre within 0.15.
 */
function multiScaleScore(disc: DiscEstimate, seg: Segmentation, frame: Frame, k: number): number {
  return (
    disc.confidence ** 2 *
    sizePlausibility(disc.diameter * k) *
    Math.sqrt(vesselShareAround(seg, frame, disc, k))
  );
}

/** Regions per searched frame that compete: the disc need not be the frame's brightest blob (a reflex may be). */
const CANDIDATES_PER_FRAME = 3;

interface Located {
  frame: Frame;
  d: Awaited<ReturnType<typeof discProbability>>;
  disc: DiscEstimate | null;
  score: number;
}

/**
 * The disc in the vessel model's frame. Where the aperture fixes the frame's scale the disc has about its typical
 * size there; without an aperture (borderless, wide-field) the vessels' calibre is a weak ruler, so the network runs
 * at several scales and the most confident disc of plausible size, with vessels converging on it, wins.
 */
async function searchDisc(image: RasterImage, seg: Segmentation, model: LoadedModel): Promise<Located> {
  const base = seg.frame!;
  const cfg = model.manifest.frame;
  const k = model.manifest.anatomy?.downsample ?? 1;
  const frames: Frame[] = [base];
  if (!base.circle && cfg) {
    for (const m of SEARCH_SCALES) {
      if (m === 1) continue;
      const side = Math.max(base.width, base.height) * m;
      if (side < SEARCH_SIDE[0] || side > SEARCH_SIDE[1]) continue;
      frames.push(planFrame(seg.fov, cfg, base.scale * m));
    }
  }
  let best: Located | null = null;
  for (const frame of frames) {
    const canonical = imageToCanonical(image, frame);
    const canonicalFov = mapToCanonical(seg.fov, frame);
    const d = await discProbability(canonical, canonicalFov, model);
    const found = discCandidates(d.p, d.width, d.height, model.manifest.threshold, CANDIDATES_PER_FRAME);
    if (found.length === 0 && !best) best = { frame, d, disc: null, score: -1 };
    for (const disc of found) {
      const score = frames.length === 1 ? disc.confidence : multiScaleScore(disc, seg, frame, k);
      if (!best || score > best.score) best = { frame, d, disc, score };
    }
  }
  return best!;
}

// The disc network runs on the frame shrunk k times: shrunk pixel (x, y) covers frame pixels [kx, kx + k), so its
// centre is frame pixel kx + (k - 1) / 2.
function shrunkToNative(p: { x: number; y: number }, frame: Frame, k: number): { x: number; y: number } {
  return pointToNative({ x: k * p.x + (k - 1) / 2, y: k * p.y + (k - 1) / 2 }, frame);
}

function nativeToShrunk(p: { x: number; y: number }, frame: Frame, k: number): { x: number; y: number } {
  const c = pointToCanonical(p, frame);
  return { x: (c.x - (k - 1) / 2) / k, y: (c.y - (k - 1) / 2) / k };
}

/**
 * The refining pass's crop, in disc diameters: about the field of a disc-centred photograph, what the network was
 * trained on for photographs without an aperture (5 and 12 did worse on the training images, the whole field no
 * better at more cost).
 */
const REFINE_WINDOW = 8;
/** A region further than this from the located centre (disc diameters) is some other bright spot. */
const REFINE_REACH = 0.5;

/** A disc in the image's own pixels. */
export type NativeDisc = { x: number; y: number; diameter: number; confidence: number };

/**
 * The located disc measured again where the network learnt discs without an aperture: a crop about it, scaled so
 * that the disc is CANONICAL_DISC_DIAMETER across (the search's scales are a factor of 1.41 apart and its size
 * prior pulls towards that size, so the disc seldom has it there), averaged over four flips (cheap on the crop).
 * The region kept is the one with the most mass near the located centre; none near it keeps the located disc.
 */
async function refineDisc(
  image: RasterImage,
  seg: Segmentation,
  model: LoadedModel,
  at: NativeDisc,
): Promise<NativeDisc> {
  const k = model.manifest.anatomy?.downsample ?? 1;
  const scale = CANONICAL_DISC_DIAMETER / at.diameter;
  const half = (REFINE_WINDOW * at.diameter) / 2;
  const x0 = Math.max(0, Math.floor(at.x - half));
  const y0 = Math.max(0, Math.floor(at.y - half));
  const x1 = Math.min(image.width, Math.ceil(at.x + half + 1));
  const y1 = Math.min(image.height, Math.ceil(at.y + half + 1));
  const frame = cropFrame(image, { x0, y0, x1, y1 }, scale);
  if (frame.width < 4 * k || frame.height < 4 * k) return at;
  const d = await discProbability(
    imageToCanonical(image, frame),
    mapToCanonical(seg.fov, frame),
    model,
    'all',
  );
  // Candidates come most mass first: the first one near the located centre is kept.
  for (const c of discCandidates(d.p, d.width, d.height, model.manifest.threshold, 4)) {
    const n = shrunkToNative(c, frame, k);
    if (Math.hypot(n.x - at.x, n.y - at.y) > REFINE_REACH * at.diameter) continue;
    return { x: n.x, y: n.y, diameter: (c.diameter * k) / frame.scale, confidence: c.confidence };
  }
  return at;
}

/**
 * What makes the most disc-like region no disc: the network always finds some region, and on a photograph that
 * shows no disc (a macula-centred crop, a peripheral field) that region is a reflex or a patch of background, and
 * every measure in disc diameters would rest on it. Measured on 201 photographs with a disc (DRIVE, DRIONS-DB,
 * AV-WIDE, LES-AV) and on 66 halves of DRIVE and AV-WIDE photographs cut to leave their disc out:
 * - vessels converge on a disc: within one diameter of the centre 15-46% of the pixels are vessel, against at
 *   most 10% around the false regions that the network is sure of (AV-WIDE's reflexes);
 * - the network's mean probability over the region is 0.58-0.95 on discs, 0.10-0.46 on the false regions with
 *   vessels around them (DRIVE's halves);
 * - with an aperture the frame fixes the scale: discs span 67-125 canonical pixels, false regions 2-49;
 * - without one the vessels are the ruler: a disc is 10-40 times the mask's mean calibre across.
 * The cuts below lie between the two groups; every disc passes them and every false region fails one.
 */
const MIN_VESSEL_SHARE = 0.12;
const MIN_DISC_CONFIDENCE = 0.35;
const CANONICAL_DIAMETER_RANGE: [number, number] = [CANONICAL_DISC_DIAMETER / 2, CANONICAL_DISC_DIAMETER * 2];
const MIN_CALIBRES_ACROSS = 5;

/** Why the located region is not taken for a disc, or null when it is plausible. */
export function implausibleDisc(disc: NativeDisc, seg: Segmentation, frame: Frame): string | null {
  const share = vesselShareNear(seg, disc, disc.diameter);
  if (share < MIN_VESSEL_SHARE)
    return `few vessels converge on the most disc-like region (${Math.round(share * 100)}% of its surroundings)`;
  if (disc.confidence < MIN_DISC_CONFIDENCE)
    return `the most disc-like region is faint (mean probability ${disc.confidence.toFixed(2)})`;
  const canonical = disc.diameter * frame.scale;
  if (frame.circle && (canonical < CANONICAL_DIAMETER_RANGE[0] || canonical > CANONICAL_DIAMETER_RANGE[1]))
    return `the most disc-like region is ${Math.round(canonical)} px across where a disc is about ${CANONICAL_DISC_DIAMETER}`;
  const calibre = calibreIndex({ width: seg.width, height: seg.height, data: seg.mask });
  if (calibre > 0 && disc.diameter < MIN_CALIBRES_ACROSS * calibre)
    return `the most disc-like region is ${(disc.diameter / calibre).toFixed(1)} vessel widths across where a disc is 10-40`;
  return null;
}

/** Disc, fovea and laterality of a segmented photograph, in the image's own pixels. */
export async function locateDisc(
  image: RasterImage,
  seg: Segmentation,
  model: LoadedModel,
): Promise<DiscResult> {
  if (!seg.frame) throw new Error('the optic disc needs a vessel model with a canonical frame');
  const k = model.manifest.anatomy?.downsample ?? 1;
  const { frame, d, disc: found } = await searchDisc(image, seg, model);
  const warnings: string[] = [];
  let nativeFound: NativeDisc | null = null;
  if (found) {
    const c = shrunkToNative(found, frame, k);
    nativeFound = { ...c, diameter: (found.diameter * k) / frame.scale, confidence: found.confidence };
    // With an aperture the frame is what the network was trained on; without one the search's scale is coarse.
    if (!frame.circle) nativeFound = await refineDisc(image, seg, model, nativeFound);
    const why = implausibleDisc(nativeFound, seg, frame);
    if (why) {
      warnings.push(`no optic disc found: ${why}`);
      nativeFound = null;
    } else if (discAtFieldEdge(nativeFound, seg.fov)) {
      warnings.push(
        'the optic disc lies at the edge of the field: part of it may be cut off, so its diameter (and any ' +
          'measure in disc diameters) may be too small',
      );
    }
  }
  // The fovea search runs in the search's shrunk frame, from the refined disc.
  const disc: DiscEstimate | null = nativeFound
    ? {
        ...nativeToShrunk(nativeFound, frame, k),
        diameter: (nativeFound.diameter * frame.scale) / k,
        confidence: nativeFound.confidence,
      }
    : null;
  // The field's centre and width in the shrunk frame: the fitted aperture, else the frame itself.
  const circle = frame.circle;
  const centreX = circle ? ((circle.cx - frame.x0) * frame.scale) / k : d.width / 2;
  const fieldWidth = circle ? (2 * circle.r * frame.scale) / k : d.width;
  let fovea: FoveaEstimate | null = null;
  if (disc) {
    const vessels = shrinkMap(
      mapToCanonical({ width: seg.width, height: seg.height, data: seg.mask }, frame),
      k,
    );
    const green = new Float32Array(d.width * d.height);
    for (let i = 0; i < green.length; i++) green[i] = d.small.data[i * d.small.channels + 1] / 255;
    fovea = findFovea(green, vessels.data, d.fov, d.width, d.height, disc, centreX, fieldWidth);
  } else if (!found) warnings.push('no optic disc found');
  const laterality = lateralityOf(disc, fovea, centreX, fieldWidth);
  if (foveaAboveDisc(disc, fovea)) warnings.push(FOVEA_ABOVE_DISC_WARNING);
  const round = (v: number) => Math.round(v * 10) / 10;
  const nativeDisc = nativeFound
    ? {
        x: round(nativeFound.x),
        y: round(nativeFound.y),
        diameter: round(nativeFound.diameter),
        confidence: round(nativeFound.confidence * 100) / 100,
      }
    : null;
  const nativeFovea = fovea
    ? (() => {
        const c = shrunkToNative(fovea, frame, k);
        return { x: round(c.x), y: round(c.y), confidence: Math.round(fovea.confidence * 100) / 100 };
      })()
    : null;
  return { disc: nativeDisc, fovea: nativeFovea, laterality, warnings };
}
