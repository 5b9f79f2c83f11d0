// Named training recipes: complete, reproducible training configurations.
import type { AugmentConfig, FrameConfig, LossName, PreprocessConfig, UNetConfig } from '../types.js';
import { REFERENCE_UNET } from '../model/model.js';

export interface TrainConfig {
  architecture: UNetConfig;
  preprocess: PreprocessConfig;
  augment: AugmentConfig | null;
  loss: LossName;
  patchSize: number;
  batchSize: number;
  epochs: number;
  stepsPerEpoch: number;
  learningRate: number;
  /** Cosine decay from learningRate down to this over all epochs (after warm-up). */
  minLearningRate: number;
  warmupSteps: number;
  /** Epochs without improvement of the validation F1 before stopping. */
  patience: number;
  /** Images of the training split held out for validation (threshold choice, early stopping). */
  validationImages: number;
  /** Share of patches centred on a vessel pixel (the rest uniform inside the FOV). */
  vesselFraction: number;
  seed: number;
  /** Stop (keeping the best checkpoint) after this many minutes; 0 = no limit. */
  maxMinutes: number;
  /** Predict with test-time flips; the threshold is then chosen on flip-averaged validation predictions. */
  testTimeFlips?: boolean;
  /** Train and predict in this canonical frame (maskCalibre is measured at the end of training). */
  frame?: FrameConfig;
}

/**
 * The canonical frame: DRIVE's aperture diameter (536 px, fitted on DRIVE 21-40), so the networks trained at
 * DRIVE's native scale keep their weights' meaning; DRIVE's label calibre index at that scale is 2.63.
 */
export const CANONICAL_FRAME: FrameConfig = {
  reference: 'fov-diameter',
  diameter: 536,
  snap: 0.03,
  labelCalibre: 2.63,
  maskCalibre: 2.63,
};

const BASE_PREPROCESS: PreprocessConfig = {
  channel: 'green',
  clahe: { clipLimit: 2, tileGrid: 8 },
  gamma: 1.2,
  normalise: 'fov-zscore',
};

const BASE_AUGMENT: AugmentConfig = {
  rotateDeg: 180,
  scale: [0.85, 1.15],
  flipH: true,
  flipV: true,
  elastic: null,
  shear: 0.05,
  brightness: 0.1,
  contrast: [0.85, 1.15],
  gamma: [0.85, 1.15],
};

/** The reference U-Net of the engine benchmark: 4 poolings, base 16, ~1.95M parameters. */
export const REFERENCE_ARCHITECTURE: UNetConfig = REFERENCE_UNET;

export const RECIPES: Record<string, TrainConfig> = {
  /**
   * The reference U-Net's shape at half the width (~0.49M parameters, the size of SA-UNet): about 10 minutes with
   * the native kernels; DRIVE test F1 0.818, AUC 0.976.
   */
  compact: {
    architecture: { ...REFERENCE_ARCHITECTURE, depth: 4, baseFilters: 8, dropout: 0.1 },
    preprocess: BASE_PREPROCESS,
    augment: BASE_AUGMENT,
    loss: 'dice+bce',
    patchSize: 64,
    batchSize: 16,
    epochs: 80,
    stepsPerEpoch: 100,
    learningRate: 2e-3,
    minLearningRate: 3e-5,
    warmupSteps: 200,
    patience: 25,
    validationImages: 3,
    vesselFraction: 0.5,
    seed: 20261127,
    maxMinutes: 0,
  },
  /**
   * The bundled default model's recipe (DRIVE 21-40 only): the reference U-Net trained on BCE (well-ranked
   * probabilities: AUC) with test-time flips; under an hour on a 2-core CPU with the native kernels.
   */
  default: {
    architecture: REFERENCE_ARCHITECTURE,
    preprocess: BASE_PREPROCESS,
    augment: BASE_AUGMENT,
    loss: 'bce',
    patchSize: 64,
    batchSize: 16,
    epochs: 40,
    stepsPerEpoch: 250,
    learningRate: 2e-3,
    minLearningRate: 3e-5,
    warmupSteps: 300,
    patience: 40,
    validationImages: 3,
    vesselFraction: 0.5,
    seed: 20261127,
    maxMinutes: 70,
    testTimeFlips: true,
  },
  /**
   * The generalist default model: the DRIVE default fine-tuned in the canonical frame on four cameras (DRIVE 21-40,
   * STARE's 10 training images, LES-AV's training half, AV-WIDE), with wider scale, colour and contrast augmentation.
   * Use with `--mix generalist --init <the DRIVE-trained model>`.
   */
  generalist: {
    architecture: REFERENCE_ARCHITECTURE,
    preprocess: BASE_PREPROCESS,
    augment: {
      ...BASE_AUGMENT,
      scale: [0.75, 1.33],
      brightness: 0.2,
      contrast: [0.7, 1.4],
      gamma: [0.7, 1.4],
    },
    loss: 'bce',
    patchSize: 64,
    batchSize: 16,
    epochs: 24,
    stepsPerEpoch: 200,
    learningRate: 6e-4,
    minLearningRate: 2e-5,
    warmupSteps: 100,
    patience: 24,
    validationImages: 8,
    vesselFraction: 0.5,
    seed: 20261202,
    maxMinutes: 45,
    testTimeFlips: true,
    frame: CANONICAL_FRAME,
  },
  /** The engine's reference network with the same data pipeline. */
  reference: {
    architecture: REFERENCE_ARCHITECTURE,
    preprocess: BASE_PREPROCESS,
    augment: BASE_AUGMENT,
    loss: 'dice+bce',
    patchSize: 64,
    batchSize: 16,
    epochs: 30,
    stepsPerEpoch: 100,
    learningRate: 1e-3,
    minLearningRate: 5e-5,
    warmupSteps: 100,
    patience: 8,
    validationImages: 3,
    vesselFraction: 0.5,
    seed: 1,
    maxMinutes: 0,
  },
  /** A tiny network and a short schedule: smoke tests and CI. */
  quick: {
    architecture: { ...REFERENCE_ARCHITECTURE, depth: 2, baseFilters: 8, dropout: 0 },
    preprocess: BASE_PREPROCESS,
    augment: BASE_AUGMENT,
    loss: 'dice+bce',
    patchSize: 48,
    batchSize: 8,
    epochs: 2,
    stepsPerEpoch: 10,
    learningRate: 3e-3,
    minLearningRate: 1e-4,
    warmupSteps: 0,
    patience: 2,
    validationImages: 2,
    vesselFraction: 0.5,
    seed: 7,
    maxMinutes: 0,
  },
};

/** The generalist recipe with blur and illumination-ramp augmentation and a longer schedule (an experiment). */
RECIPES['generalist-blur'] = {
  ...RECIPES.generalist,
  augment: { ...RECIPES.generalist.augment!, blur: 1.2, illumination: 0.3 },
  epochs: 36,
  patience: 36,
  maxMinutes: 60,
};

export function recipe(name: string): TrainConfig {
  const r = RECIPES[name];
  if (!r) throw new Error(`unknown recipe '${name}' (known: ${Object.keys(RECIPES).join(', ')})`);
  return structuredClone(r);
}

/** Learning rate at a global step: linear warm-up, then cosine decay to minLearningRate. */
export function learningRateAt(cfg: TrainConfig, step: number): number {
  const total = cfg.epochs * cfg.stepsPerEpoch;
  if (step < cfg.warmupSteps) return (cfg.learningRate * (step + 1)) / cfg.warmupSteps;
  const t = Math.min(1, (step - cfg.warmupSteps) / Math.max(1, total - cfg.warmupSteps));
  return cfg.minLearningRate + 0.5 * (cfg.learningRate - cfg.minLearningRate) * (1 + Math.cos(Math.PI * t));
}
