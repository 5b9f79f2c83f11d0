// Artery/vein classification: a U-Net on the colour planes of the vessel model's canonical frame gives each pixel
// a probability of being artery rather than vein (trained only on labelled vessel pixels); every pixel of the
// vessel mask then takes the label of its segment (a vessel does not change type between two branch points), voted
// along the vessel tree: the segment's mean logit, shared with the segments it meets (av-propagation.ts).
import type { BinaryMap, RasterImage } from '../types.js';
import type { LoadedModel } from '../model/model-loader.js';
import type { Segmentation } from '../infer.js';
import {
  coverToCanonical,
  imageToCanonical,
  mapToCanonical,
  probabilityAtNative,
  probabilityToNative,
  type Frame,
} from '../frame/canonical-frame.js';
import { colourPlanes, lacksColour } from './colour-input.js';
import { predictZoomed, type PassPlan } from './zoom-predict.js';
import { enlargeMap, shrinkImage, shrinkMap } from './frame-shrink.js';
import {
  AV_CLASS,
  segmentMeans,
  vesselSegments,
  withSegmentValues,
} from '../../../shared/vessel-segments.js';
import { treeVote } from './av-propagation.js';
import { AV_LABEL } from './av-labels.js';
import { skeletonize } from '../../../shared/skeleton.js';
import { mapPixels } from '../../../shared/pixels.js';
import { logit, sigmoid } from '../log-odds.js';

export { AV_CLASS };

/**
 * The artery/vein network sees the frame at 0.9x, 1x and 1.1x, its outputs' logits averaged (zoom-predict.ts). Chosen
 * on the 4 validation images as the cheapest of the zoom and flip sets tried within 0.001 of the best centreline
 * accuracy: 0.9448 against 0.9311 for the image and its half turn at 1x (the former default); 0.9457 for 0.8x, 1x and
 * 1.25x each with its half turn, at twice the cost. Held out, the same change: LES-AV 0.9030 -> 0.9214, RITE test
 * 0.9297 -> 0.9266. Three passes of 0.81, 1 and 1.21 times the frame's pixels: 1.5 times the former two.
 */
export const ARTERY_VEIN_PASSES: PassPlan = { zooms: [0.9, 1, 1.1], flips: 'none' };

/** Segments shorter than this (canonical pixels) keep their pixels' own votes: too short to be one vessel. */
const MIN_SEGMENT = 6;

export interface ArteryVeinResult {
  /** 0 background, 1 artery, 2 vein; every pixel of the vessel mask is artery or vein. At the image's size. */
  labels: Uint8Array;
  /** Probability of artery per pixel (0.5 off vessels), at the image's size (made when first read). */
  readonly artery: Float32Array;
  /** Said to the user: why the labels may be less reliable than the model card's figures. */
  warnings: string[];
}

/**
 * Measured on grey copies (R = G = B = luma) of 8 RITE test and 8 LES-AV held-out photographs: centreline accuracy
 * 0.885 and 0.889, against 0.932 and 0.929 in colour; the network tells arteries from veins mostly by colour.
 */
export const NO_COLOUR_WARNING =
  'the photograph has no colour (grey or red-free): its artery/vein labels are less reliable ' +
  '(about 0.89 of vessel centrelines right, against 0.93 in colour)';

export interface ArteryVeinOptions {
  /** Vote per segment (default true); false labels each pixel by its own probability. */
  segmentVote?: boolean;
  /** Share the segment votes along the vessel tree (default true); false: each segment's own mean. */
  treeVote?: boolean;
  /** Which views of the frame the network's output is averaged over (default ARTERY_VEIN_PASSES). */
  passes?: PassPlan;
}

/** The artery probability in the canonical frame (one network pass per zoom and flip). */
export async function arteryProbability(
  image: RasterImage,
  fov: BinaryMap,
  frame: Frame,
  model: LoadedModel,
  passes: PassPlan = ARTERY_VEIN_PASSES,
): Promise<Float32Array> {
  const canon = imageToCanonical(image, frame);
  const k = model.manifest.anatomy?.downsample ?? 1;
  const small = shrinkImage(canon, k);
  const planes = colourPlanes(small, shrinkMap(mapToCanonical(fov, frame), k));
  const multiple = 2 ** model.manifest.architecture.depth;
  const p = await predictZoomed(model.predictor, planes, small.width, small.height, multiple, passes);
  return enlargeMap(p, small.width, small.height, canon.width, canon.height, k);
}

/** Labels every vessel pixel of a segmentation artery or vein. */
export async function classifyArteryVein(
  image: RasterImage,
  seg: Segmentation,
  model: LoadedModel,
  opts: ArteryVeinOptions = {},
): Promise<ArteryVeinResult> {
  if (!seg.frame) throw new Error('artery/vein needs a vessel model with a canonical frame');
  const p = await arteryProbability(image, seg.fov, seg.frame, model, opts.passes);
  const result = voteArteryVein(p, seg, opts);
  if (lacksColour(image, seg.fov)) result.warnings.push(NO_COLOUR_WARNING);
  return result;
}

/**
 * Labels every vessel pixel from the network's artery probability in the canonical frame (`arteryProbability`),
 * voted as `opts` says; the evaluation compares the votes on one network pass.
 */
export function voteArteryVein(
  p: Float32Array,
  seg: Segmentation,
  opts: Pick<ArteryVeinOptions, 'segmentVote' | 'treeVote'> = {},
): ArteryVeinResult {
  if (!seg.frame) throw new Error('artery/vein needs a vessel model with a canonical frame');
  const frame = seg.frame;
  // Vote in the frame, where the skeleton is cheap and segment lengths mean the same on every camera.
  const canonMask = mapToCanonical({ width: seg.width, height: seg.height, data: seg.mask }, frame).data;
  let score: Float32Array = mapPixels(new Float32Array(p.length), p, (v) => logit(v));
  if (opts.segmentVote !== false) {
    const segments = vesselSegments(canonMask, frame.width, frame.height);
    score =
      opts.treeVote === false
        ? segmentMeans(score, segments, MIN_SEGMENT)
        : withSegmentValues(
            score,
            segments,
            treeVote(score, segments, frame.width, frame.height),
            MIN_SEGMENT,
          );
  }
  score = spreadBeyondMask(score, canonMask, frame.width, frame.height, CUBIC_REACH);
  const canonScore = mapPixels(new Float32Array(score.length), score, sigmoid);
  // The labels need the artery probability on the vessel pixels only, a tenth of the photograph: the whole map
  // on the image's grid (a cubic pass over every native pixel) is made only when a caller reads it.
  const at = probabilityAtNative(canonScore, frame);
  const labels = new Uint8Array(seg.mask.length);
  for (let y = 0, i = 0; y < seg.height; y++) {
    for (let x = 0; x < seg.width; x++, i++) {
      if (seg.mask[i]) labels[i] = at(x, y) >= 0.5 ? AV_CLASS.artery : AV_CLASS.vein;
    }
  }
  let artery: Float32Array | null = null;
  return {
    labels,
    warnings: [],
    get artery() {
      return (artery ??= probabilityToNative(canonScore, frame));
    },
  };
}

/** How far (frame pixels) the cubic enlargement to the image's grid reads around a pixel. */
const CUBIC_REACH = 2;

/**
 * Each vessel's score carried `rings` pixels out beyond the mask (each ring the mean of its already-set
 * neighbours): the labels on the image's grid are read by enlarging the frame's scores, and a vessel pixel there
 * at the mask's edge would otherwise mix its vessel's vote with the network's raw output just off the vessel
 * (LES-AV's training and validation half: 0.9050 with none, 0.9059 / 0.9058 / 0.9058 with 1 / 2 / 3 rings).
 */
function spreadBeyondMask(
  score: Float32Array,
  mask: Uint8Array,
  w: number,
  h: number,
  rings: number,
): Float32Array {
  const out = Float32Array.from(score);
  let set = Uint8Array.from(mask);
  for (let r = 0; r < rings; r++) {
    const next = Uint8Array.from(set);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (set[i]) continue;
        let sum = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= w || !set[yy * w + xx]) continue;
            sum += out[yy * w + xx];
            n++;
          }
        }
        if (n) {
          out[i] = sum / n;
          next[i] = 1;
        }
      }
    }
    set = next;
  }
  return out;
}

/** The artery/vein map's colours by AV_CLASS (black background, red artery, blue vein), as palette entries. */
export const AV_PALETTE: Uint8Array = Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 0, 255]);

/** The artery/vein map as an RGB image: red artery, blue vein, black background (AV_PALETTE's colours). */
export function avImage(labels: Uint8Array, width: number, height: number): RasterImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === AV_CLASS.artery) data[i * 3] = 255;
    else if (labels[i] === AV_CLASS.vein) data[i * 3 + 2] = 255;
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}

/** Reference labels (AV_LABEL) in the canonical frame: each vessel pixel takes the label covering most of it. */
export function avLabelsToCanonical(
  labels: Uint8Array,
  width: number,
  height: number,
  frame: Frame,
): Uint8Array {
  const kinds = [AV_LABEL.artery, AV_LABEL.vein, AV_LABEL.crossing, AV_LABEL.uncertain];
  const covers = kinds.map((k) =>
    coverToCanonical(
      { width, height, data: mapPixels(new Uint8Array(labels.length), labels, (v) => (v === k ? 1 : 0)) },
      frame,
    ),
  );
  const out = new Uint8Array(frame.width * frame.height);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    let total = 0;
    for (let k = 0; k < kinds.length; k++) {
      total += covers[k][i];
      if (covers[k][i] > best) {
        best = covers[k][i];
        out[i] = kinds[k];
      }
    }
    // A pixel mostly off the labelled vessels is background.
    if (total < 0.4) out[i] = AV_LABEL.background;
  }
  return out;
}

export interface AvScore {
  /** Reference artery and vein centreline pixels (crossings and uncertain excluded). */
  reference: number;
  /** Of those, labelled artery or vein by the map. */
  labelled: number;
  /** Of those, labelled correctly. */
  correct: number;
}

/**
 * The protocol: the reference's artery and vein centreline pixels (skeleton of all its labelled vessels,
 * keeping artery-only and vein-only pixels), accuracy among those the map labels, coverage = share it labels.
 */
export function scoreArteryVein(
  ours: Uint8Array,
  reference: Uint8Array,
  width: number,
  height: number,
): AvScore {
  const vessels = Uint8Array.from(reference, (v) => (v !== AV_LABEL.background ? 1 : 0));
  const centre = skeletonize(vessels, width, height);
  const s: AvScore = { reference: 0, labelled: 0, correct: 0 };
  for (let i = 0; i < centre.length; i++) {
    if (!centre[i]) continue;
    const r = reference[i];
    if (r !== AV_LABEL.artery && r !== AV_LABEL.vein) continue;
    s.reference++;
    if (ours[i] === AV_CLASS.background) continue;
    s.labelled++;
    if ((r === AV_LABEL.artery) === (ours[i] === AV_CLASS.artery)) s.correct++;
  }
  return s;
}

export function addScores(a: AvScore, b: AvScore): AvScore {
  return {
    reference: a.reference + b.reference,
    labelled: a.labelled + b.labelled,
    correct: a.correct + b.correct,
  };
}
