// Each anatomy task as its retrain uses it: how a reference becomes a training sample, the score that picks the
// best epoch, the per-image measure the gate compares (A/V accuracy on labelled vessel pixels; disc centre error in
// disc diameters, capped at one) and the task's training recipe. All of it is the task's own training code
// (main/ml/anatomy), so a fine-tuned model learns and is judged exactly as `retina train-anatomy` trains it.
import type { AnatomyRef } from '../ml/anatomy/anatomy-datasets.js';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import type { AnatomySample } from '../ml/anatomy/anatomy-sample.js';
import type { AnatomyTrainConfig, AnatomyValidation } from '../ml/anatomy/anatomy-training.js';
import type { LoadedModel } from '../ml/model/model-loader.js';
import type { ModelManifest, Predictor } from '../ml/types.js';
import type { RetrainSettings } from './settings.js';

export interface AnatomyTaskKit {
  /** The frame's shrink factor the task's sample preparation uses (a model must work at it). */
  downsample: number;
  recipe: AnatomyTrainConfig;
  prepare: (ref: AnatomyRef, vessel: LoadedModel) => Promise<AnatomySample>;
  validate: (p: Predictor, samples: AnatomySample[]) => Promise<AnatomyValidation>;
  /** The gate's per-image measure, from the validation of one image. */
  measure: (v: AnatomyValidation) => number;
}

export async function anatomyTaskKit(task: AnatomyTask, parent: ModelManifest): Promise<AnatomyTaskKit> {
  const depth = parent.architecture.depth;
  if (task === 'artery-vein') {
    const m = await import('../ml/anatomy/train-artery-vein.js');
    return {
      downsample: m.AV_DOWNSAMPLE,
      recipe: m.ARTERY_VEIN_CONFIG,
      prepare: m.prepareArteryVein,
      validate: (p, v) => m.validateArteryVein(p, v, depth),
      measure: (v) => v.detail.accuracy,
    };
  }
  const m = await import('../ml/anatomy/train-optic-disc.js');
  return {
    downsample: m.DISC_DOWNSAMPLE,
    recipe: m.OPTIC_DISC_CONFIG,
    prepare: m.prepareOpticDisc,
    validate: (p, v) => m.validateOpticDisc(p, v),
    measure: (v) => v.detail.meanCentreError,
  };
}

/**
 * The largest patch side a fine-tune uses. The network is fully convolutional, so any multiple of 2^depth loads the
 * parent's weights; a parent trained on larger patches elsewhere (scripts/gpu-training: 384 px) is fine-tuned on
 * 256-px ones because tfjs's wasm backend fails a step of 16 patches of 384 px here ("memory access out of bounds"),
 * and 256 px already takes about 6 s a step on 2 cores.
 */
export const ANATOMY_FINE_TUNE_MAX_PATCH = 256;

/**
 * The fine-tuning configuration: the parent's network and patch size (its weights load; at most
 * ANATOMY_FINE_TUNE_MAX_PATCH), the task's augmentation and patch focus, and the retrain settings' short schedule.
 * Every epoch runs; the best one becomes the candidate.
 */
export function anatomyFineTuneConfig(
  kit: AnatomyTaskKit,
  parent: ModelManifest,
  s: RetrainSettings,
): AnatomyTrainConfig {
  return {
    ...kit.recipe,
    architecture: structuredClone(parent.architecture),
    patchSize: Math.min(parent.patchSize, ANATOMY_FINE_TUNE_MAX_PATCH),
    batchSize: s.batchSize,
    epochs: s.epochs,
    stepsPerEpoch: s.stepsPerEpoch,
    learningRate: s.learningRate,
    minLearningRate: s.learningRate / 20,
    patience: s.epochs,
    seed: s.seed,
    maxMinutes: s.maxMinutes,
  };
}
