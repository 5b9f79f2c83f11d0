// Training data and validation score of the artery/vein network.
import type { Predictor } from '../types.js';
import type { LoadedModel } from '../model/model-loader.js';
import { readImage } from '../io/image-io.js';
import { REFERENCE_UNET } from '../model/model.js';
import { DEFAULT_AUGMENT } from '../image/augment.js';
import { AV_LABEL, decodeAvLabels } from './av-labels.js';
import { avLabelsToCanonical, addScores, scoreArteryVein, AV_CLASS, type AvScore } from './artery-vein.js';
import { COLOUR_CHANNELS, colourPlanes } from './colour-input.js';
import { indicesOf, type AnatomySample } from './anatomy-sample.js';
import { predictPlanes } from './plane-predict.js';
import { framePhotograph } from './anatomy-inputs.js';
import type { AnatomyRef } from './anatomy-datasets.js';
import type { AnatomyTrainConfig, AnatomyValidation } from './anatomy-training.js';

export const ARTERY_VEIN_CONFIG: AnatomyTrainConfig = {
  architecture: { ...REFERENCE_UNET, inputChannels: COLOUR_CHANNELS },
  augment: {
    ...DEFAULT_AUGMENT,
    rotateDeg: 180,
    scale: [0.8, 1.25],
    flipH: true,
    flipV: true,
    elastic: null,
    shear: 0.05,
    brightness: 0.2,
    contrast: [0.75, 1.33],
    gamma: [0.75, 1.33],
  },
  patchSize: 128,
  batchSize: 8,
  epochs: 30,
  stepsPerEpoch: 60,
  learningRate: 2e-3,
  minLearningRate: 5e-5,
  focusShare: 1,
  patience: 10,
  seed: 20261202,
  maxMinutes: 45,
};

export async function prepareArteryVein(ref: AnatomyRef, vessel: LoadedModel): Promise<AnatomySample> {
  if (!ref.avPath) throw new Error(`${ref.id} has no artery/vein labels`);
  const f = await framePhotograph(ref, vessel);
  const labels = decodeAvLabels(await readImage(ref.avPath));
  const canon = avLabelsToCanonical(labels, f.image.width, f.image.height, f.frame);
  const target = Uint8Array.from(canon, (v) => (v === AV_LABEL.artery ? 1 : 0));
  const weight = Uint8Array.from(canon, (v) => (v === AV_LABEL.artery || v === AV_LABEL.vein ? 1 : 0));
  return {
    id: ref.id,
    width: f.canonical.width,
    height: f.canonical.height,
    planes: colourPlanes(f.canonical, f.canonicalFov),
    target,
    weight,
    focus: indicesOf(weight),
    anywhere: indicesOf(f.canonicalFov.data),
    reference: canon,
    scale: f.frame.scale,
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
