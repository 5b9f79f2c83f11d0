// The engine side of retraining: the short fine-tuning recipe derived from a parent model, and the side-by-side
// scoring of a candidate and the active model on the same held-out images (the promotion rule is gate.ts). No
// store imports: main/retrain/ feeds it samples read from the store.
import type { BinaryMap, Metrics, ModelManifest, Predictor, RasterImage } from '../ml/types.js';
import { RECIPES, type TrainConfig } from '../ml/train/recipes.js';
import { segmentImage } from '../ml/infer.js';
import { MetricsAccumulator, computeMetrics } from '../ml/eval/metrics.js';

export interface FineTuneOptions {
  epochs?: number;
  stepsPerEpoch?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Stop (keeping the best epoch) after this many minutes; 0 = no limit. */
  maxMinutes?: number;
}

/** Defaults of the fine-tuning recipe: a few short epochs at a quarter of the default peak learning rate. */
export const FINE_TUNE_DEFAULTS: Required<FineTuneOptions> = {
  epochs: 4,
  stepsPerEpoch: 40,
  batchSize: 16,
  learningRate: 5e-4,
  seed: 1,
  maxMinutes: 3,
};

/**
 * The fine-tuning configuration for a parent model: its architecture, preprocessing, canonical frame, patch size,
 * loss and test-time flips (so its weights load and its inputs mean the same), the augmentation pipeline on, a
 * short warm-up and cosine decay.
 */
export function fineTuneConfig(parent: ModelManifest, opts: FineTuneOptions = {}): TrainConfig {
  const o = { ...FINE_TUNE_DEFAULTS, ...opts };
  const base = RECIPES.default;
  const epochs = Math.max(1, Math.round(o.epochs));
  return {
    architecture: structuredClone(parent.architecture),
    preprocess: structuredClone(parent.preprocess),
    augment: structuredClone(parent.provenance.augment ?? base.augment),
    loss: parent.provenance.loss ?? base.loss,
    patchSize: parent.patchSize,
    batchSize: o.batchSize,
    epochs,
    stepsPerEpoch: o.stepsPerEpoch,
    learningRate: o.learningRate,
    minLearningRate: o.learningRate / 20,
    warmupSteps: Math.min(20, Math.floor(o.stepsPerEpoch / 2)),
    // Every epoch runs: the best one (by validation F1) becomes the candidate.
    patience: epochs,
    validationImages: 2,
    vesselFraction: base.vesselFraction,
    seed: o.seed,
    maxMinutes: o.maxMinutes,
    // The candidate sees corrections (drawn at native size) in the parent's canonical frame, and predicts as it does.
    ...(parent.testTimeFlips ? { testTimeFlips: true } : {}),
    ...(parent.frame ? { frame: structuredClone(parent.frame) } : {}),
  };
}

/** One held-out image with its approved mask. */
export interface HeldOutSample {
  id: string;
  image: RasterImage;
  truth: Uint8Array;
  fov: BinaryMap;
}

export interface ModelUnderTest {
  manifest: ModelManifest;
  predictor: Predictor;
}

export interface ImageComparison {
  id: string;
  candidate: Metrics;
  active: Metrics;
  /** candidate F1 - active F1. */
  deltaF1: number;
  /** Pixels inside the FOV where the two binary masks disagree. */
  changedPixels: number;
}

export interface ModelComparison {
  images: ImageComparison[];
  /** The pooled images' pixels counted together, each model at its own threshold (FOV protocol). */
  pooled: { candidate: Metrics; active: Metrics };
}

export interface CompareOptions {
  onImage?: (done: number, total: number, id: string) => void;
  /** Both binary masks of each image (overlays of the images where they differ most). */
  onMasks?: (sample: HeldOutSample, candidate: Uint8Array, active: Uint8Array) => Promise<void> | void;
  shouldStop?: () => boolean;
  /** Which images the pooled scores count (all when absent); every image is scored on its own alike. */
  pools?: (id: string) => boolean;
}

export class ComparisonInterruptedError extends Error {
  override name = 'AbortError';
}

/** Scores both models on the same images, per image and pooled, under the FOV protocol. */
export async function compareModels(
  samples: AsyncIterable<HeldOutSample> | Iterable<HeldOutSample>,
  total: number,
  candidate: ModelUnderTest,
  active: ModelUnderTest,
  opts: CompareOptions = {},
): Promise<ModelComparison> {
  const acc = { candidate: new MetricsAccumulator(), active: new MetricsAccumulator() };
  const images: ImageComparison[] = [];
  for await (const s of samples) {
    if (opts.shouldStop?.()) throw new ComparisonInterruptedError('comparison interrupted');
    const c = await segmentImage(s.image, candidate.manifest, candidate.predictor, { fov: s.fov });
    const a = await segmentImage(s.image, active.manifest, active.predictor, { fov: s.fov });
    if (opts.pools?.(s.id) ?? true) {
      acc.candidate.add(c.prob, s.truth, s.fov.data);
      acc.active.add(a.prob, s.truth, s.fov.data);
    }
    const mc = computeMetrics(c.prob, s.truth, s.fov.data, c.threshold, 'fov');
    const ma = computeMetrics(a.prob, s.truth, s.fov.data, a.threshold, 'fov');
    let changed = 0;
    for (let i = 0; i < c.mask.length; i++) if (s.fov.data[i] && c.mask[i] !== a.mask[i]) changed++;
    images.push({ id: s.id, candidate: mc, active: ma, deltaF1: mc.f1 - ma.f1, changedPixels: changed });
    await opts.onMasks?.(s, c.mask, a.mask);
    opts.onImage?.(images.length, total, s.id);
  }
  if (images.length === 0) throw new Error('no held-out images to compare the models on');
  return {
    images,
    pooled: {
      candidate: acc.candidate.result(candidate.manifest.threshold, 'fov'),
      active: acc.active.result(active.manifest.threshold, 'fov'),
    },
  };
}

/**
 * An RGB overlay of two binary masks over the image (dimmed): both white, candidate only green, active only
 * magenta. The images where the models differ most are shown this way on the comparison screen.
 */
export function differenceOverlay(
  image: RasterImage,
  candidate: Uint8Array,
  active: Uint8Array,
): RasterImage {
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  const ch = image.channels;
  for (let i = 0; i < n; i++) {
    const g = image.data[i * ch + (ch >= 3 ? 1 : 0)];
    const grey = Math.round((image.bitDepth === 16 ? g / 257 : g) * 0.45);
    const c = candidate[i];
    const a = active[i];
    const [r, gg, b] = c && a ? [235, 235, 235] : c ? [40, 220, 60] : a ? [230, 40, 200] : [grey, grey, grey];
    out[i * 3] = r;
    out[i * 3 + 1] = gg;
    out[i * 3 + 2] = b;
  }
  return { width: image.width, height: image.height, channels: 3, bitDepth: 8, data: out };
}
