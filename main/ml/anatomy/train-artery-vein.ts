// Training data and validation score of the artery/vein network.
import type { Predictor } from '../types.js';
import type { LoadedModel } from '../model/model-loader.js';
import { readImage } from '../io/image-io.js';
import { AV_LABEL, decodeAvLabels } from './av-labels.js';
import { avLabelsToCanonical, addScores, scoreArteryVein, AV_CLASS, type AvScore } from './artery-vein.js';
import { colourPlanes } from './colour-input.js';
import { indicesOf, type AnatomySample } from './anatomy-sample.js';
import { predictPlanes } from './plane-predict.js';
import { framePhotograph } from './anatomy-inputs.js';
import { shrinkImage, shrinkMap } from './frame-shrink.js';
import type { AnatomyRef } from './anatomy-datasets.js';
import { ANATOMY_RECIPE, type AnatomyTrainConfig, type AnatomyValidation } from './anatomy-training.js';

export const ARTERY_VEIN_CONFIG: AnatomyTrainConfig = {
  ...ANATOMY_RECIPE,
  augment: {
    ...ANATOMY_RECIPE.augment,
    rotateDeg: 180,
    brightness: 0.2,
    contrast: [0.75, 1.33],
    gamma: [0.75, 1.33],
  },
  epochs: 30,
  stepsPerEpoch: 60,
  focusShare: 1,
  patience: 10,
  seed: 20261202,
  maxMinutes: 45,
};

/** The artery/vein network's working scale: the canonical frame shrunk by this factor (an experiment's knob). */
export const AV_DOWNSAMPLE = Number(process.env.RETINA_AV_DOWNSAMPLE ?? 1);

/** Reference labels shrunk by k: a block is vessel when vessels cover a quarter of it, and takes its commonest label. */
function shrinkLabels(labels: Uint8Array, w: number, h: number, k: number): Uint8Array {
  if (k === 1) return labels;
  const sw = Math.ceil(w / k);
  const sh = Math.ceil(h / k);
  const counts = new Uint16Array(sw * sh * 5);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++)
      counts[(Math.floor(y / k) * sw + Math.floor(x / k)) * 5 + labels[y * w + x]]++;
  }
  const out = new Uint8Array(sw * sh);
  for (let i = 0; i < out.length; i++) {
    let vessel = 0;
    let best = 0;
    for (let c = 1; c < 5; c++) {
      vessel += counts[i * 5 + c];
      if (counts[i * 5 + c] > (best ? counts[i * 5 + best] : 0)) best = c;
    }
    out[i] = vessel * 4 >= k * k ? best : 0;
  }
  return out;
}

export async function prepareArteryVein(ref: AnatomyRef, vessel: LoadedModel): Promise<AnatomySample> {
  if (!ref.avPath) throw new Error(`${ref.id} has no artery/vein labels`);
  const f = await framePhotograph(ref, vessel);
  const labels = decodeAvLabels(await readImage(ref.avPath));
  const k = AV_DOWNSAMPLE;
  const full = avLabelsToCanonical(labels, f.image.width, f.image.height, f.frame);
  const canon = shrinkLabels(full, f.canonical.width, f.canonical.height, k);
  const small = shrinkImage(f.canonical, k);
  const fov = shrinkMap(f.canonicalFov, k);
  const target = Uint8Array.from(canon, (v) => (v === AV_LABEL.artery ? 1 : 0));
  const weight = Uint8Array.from(canon, (v) => (v === AV_LABEL.artery || v === AV_LABEL.vein ? 1 : 0));
  return {
    id: ref.id,
    width: small.width,
    height: small.height,
    planes: colourPlanes(small, fov),
    target,
    weight,
    focus: indicesOf(weight),
    anywhere: indicesOf(fov.data),
    reference: canon,
    scale: f.frame.scale / k,
  };
}

/** Centreline accuracy of the network's own pixel labels (no vessel mask, no vote): what picks the epoch. */
export async function validateArteryVein(
  predictor: Predictor,
  val: AnatomySample[],
  depth = ARTERY_VEIN_CONFIG.architecture.depth,
): Promise<AnatomyValidation> {
  let total: AvScore = { reference: 0, labelled: 0, correct: 0 };
  for (const s of val) {
    const p = await predictPlanes(predictor, s.planes, s.width, s.height, 2 ** depth);
    const ours = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) {
      if (s.reference![i] !== AV_LABEL.background) ours[i] = p[i] >= 0.5 ? AV_CLASS.artery : AV_CLASS.vein;
    }
    total = addScores(total, scoreArteryVein(ours, s.reference!, s.width, s.height));
  }
  const accuracy = total.correct / Math.max(1, total.labelled);
  return { score: accuracy, detail: { accuracy } };
}
