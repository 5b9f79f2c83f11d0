// Core data types shared by every engine module. Plain data only: no tfjs, no Node APIs.
import type { ErrorHead } from './uncertainty/error-head.js';
import type { Reliability, Temperature } from './uncertainty/calibration.js';
import type { AnatomyRecord } from './anatomy/anatomy-manifest.js';

/** A decoded raster, interleaved channels, row-major. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
  /** A multi-page file's (a TIFF's, an animated GIF's) number of pages; only the first is read. */
  pages?: number;
}

/** A single-channel binary map (0 or 1 per pixel) at an image's exact size. */
export interface BinaryMap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Preprocessing recorded with every model and applied identically at training and inference time. */
export interface PreprocessConfig {
  /** Which grey signal to derive from colour input. */
  channel: 'green' | 'luminance';
  /** Contrast-limited adaptive histogram equalisation; null disables it. */
  clahe: { clipLimit: number; tileGrid: number } | null;
  /** Gamma applied after CLAHE on [0,1] intensities; 1 disables it. */
  gamma: number;
  /** Normalisation: zero mean / unit variance inside the FOV, or plain [0,1] scaling. */
  normalise: 'fov-zscore' | 'unit';
}

export interface AugmentConfig {
  rotateDeg: number; // max absolute rotation
  scale: [number, number]; // min, max isotropic scale
  flipH: boolean;
  flipV: boolean;
  elastic: { alpha: number; sigma: number } | null; // small elastic jitter; null disables
  shear: number; // max absolute shear (radians)
  brightness: number; // max absolute additive shift, in normalised units
  contrast: [number, number]; // multiplicative range
  gamma: [number, number]; // gamma range (applied to [0,1]-rescaled intensity)
  /** Max Gaussian blur sigma in pixels (defocus, compression, upsampled photographs); absent: none. */
  blur?: number;
  /** Max amplitude of a linear illumination ramp across the window, in normalised units; absent: none. */
  illumination?: number;
}

/** A dataset sample as paths; loaders turn it into arrays. */
export interface SampleRef {
  id: string;
  imagePath: string;
  maskPath?: string;
  fovPath?: string;
  /** Second human observer, where the dataset has one (DRIVE test 2nd_manual, STARE labels-vk). */
  secondObserverPath?: string;
}

export type SplitName = 'train' | 'test' | 'all';

export interface DatasetRef {
  kind: 'drive' | 'stare' | 'generic';
  root: string;
  splits: Record<SplitName, SampleRef[]>;
  /** What the folder holds that is left out, and why (an image without a label, a label without an image). */
  notes?: string[];
}

/** A sample loaded into memory. */
export interface LoadedSample {
  id: string;
  image: RasterImage; // 8-bit RGB or grey
  mask: BinaryMap | null; // ground truth, 0/1
  fov: BinaryMap; // 0/1, derived from the image when the dataset has none
  fovDerived: boolean;
}

/** Recorded in the model's manifest: the frame its network was trained in. */
export interface FrameConfig {
  reference: 'fov-diameter';
  /** Aperture diameter in canonical pixels. */
  diameter: number;
  /** Scales within this of 1 run at native size (no interpolation blur for images already at scale). */
  snap: number;
  /** Calibre index (frame/canonical-frame.ts) of reference labels in the canonical frame: the ruler for labelled images
   * with no aperture edge. */
  labelCalibre: number;
  /** Calibre index of the model's own masks in the canonical frame (validation images): the ruler at inference. */
  maskCalibre: number;
}

/** U-Net family architecture. */
export interface UNetConfig {
  kind: 'unet';
  inputChannels: number; // 1 for the preprocessed grey channel
  depth: number; // number of poolings
  baseFilters: number; // filters at the top level, doubled at each level
  convsPerLevel: number; // conv3x3+BN+ReLU per level
  batchNorm: boolean;
  dropout: number; // dropout rate at the bottleneck (and deepest encoder level); 0 disables
  upsampling: 'transpose' | 'nearest'; // 2x2 stride-2 transposed conv, or nearest upsampling + conv
  residual: boolean; // residual (1x1 projection) shortcut inside each level's conv block
}

export type LossName = 'dice' | 'bce' | 'dice+bce';

export type Protocol = 'fov' | 'all';

/** Binary-segmentation metrics, labelled with the protocol they were computed under. */
export interface Metrics {
  protocol: Protocol;
  threshold: number;
  pixels: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  aucRoc: number;
  aucPr: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
  precision: number;
  f1: number; // = Dice
  iou: number;
  mcc: number;
}

/**
 * Runs a network on a batch of preprocessed tiles. Both engines (tfjs and ONNX Runtime) implement it, so
 * tiling, blending and thresholding are one piece of code whatever runs the network.
 * Input: NHWC float32, `channels` = model input channels. Output: NHW (one probability per pixel).
 */
export interface Predictor {
  readonly engine: 'tfjs' | 'onnx';
  predict(
    input: Float32Array,
    n: number,
    height: number,
    width: number,
    channels: number,
  ): Promise<Float32Array>;
  dispose(): Promise<void> | void;
}

/**
 * `retina-model.json`, the manifest of a model directory. A model directory holds:
 *   retina-model.json   this manifest
 *   tfjs/model.json     tfjs LayersModel topology + weights manifest (standard tfjs format)
 *   tfjs/weights.bin    weights
 *   model.onnx          the ONNX export (written by the exporter), optional until exported
 */
export interface ModelManifest {
  format: 'retinastudio-model';
  formatVersion: 1;
  name: string;
  createdAt: string;
  architecture: UNetConfig;
  preprocess: PreprocessConfig;
  /** Probability threshold chosen on validation data (max F1), used for binary masks. */
  threshold: number;
  /** Tile size the network was trained on; inference tiles are multiples of 2^depth. */
  patchSize: number;
  /** The canonical frame the network works in (crop to the aperture, fixed scale); absent: native pixels. */
  frame?: FrameConfig;
  /** Test-time augmentation: average the predictions of the image and its horizontal/vertical flips. */
  testTimeFlips?: boolean;
  parameters: number;
  provenance: {
    dataset: string;
    datasetKind: string;
    trainIds: string[];
    validationIds: string[];
    seed: number;
    epochs: number;
    patchesSeen: number;
    durationSeconds: number;
    backend: string;
    machine: string;
    /** Data-parallel workers the batches were split over (the same seed with another count trains otherwise). */
    workers?: number;
    loss: LossName;
    augment: AugmentConfig | null;
    parentModel?: string;
    /** The program that trained the weights when it was not tfjs here (scripts/gpu-training), and how. */
    trainedBy?: string;
    validationCurve: { epoch: number; trainLoss: number; valLoss: number; valF1: number; valAuc: number }[];
  };
  testMetrics?: Record<string, Metrics>;
  onnx?: {
    file: string;
    opset: number;
    irVersion: number;
    exporterVersion: string;
    /** Kernel storage in the file; absent means float32. */
    weightType?: 'float32' | 'float16';
  };
  /** Set by `retina compact`: the tfjs weights are rounded to float16 and stored as halves. */
  weightsFloat16?: boolean;
  /** Present on an anatomy model (artery/vein, optic disc): its task and input; absent on a vessel model. */
  anatomy?: AnatomyRecord;
  /** Set by `retina calibrate`: the uncertainty head and the probability's calibration, fitted on validation images. */
  uncertainty?: ModelUncertainty;
  /**
   * One-way hashes of the thumbnail fingerprints (thumbnail-fingerprint.ts) of the photographs the model and its
   * lineage trained and validated on, by sample name: a retrain finds copies of them in a study on a machine without
   * the datasets. No picture of a patient's photograph: a shared manifest carries 256 comparisons of each. Absent in
   * older manifests; earlier ones recorded the thumbnails themselves, read as their hashes.
   */
  sampleFingerprints?: Record<string, string>;
}

export interface ModelUncertainty {
  head: ErrorHead;
  /** The probability's temperature and bias (Platt scaling on the logit). */
  temperature: Temperature;
  /** Sample ids the head and temperature were fitted on (the model's validation images). */
  fittedOn: string[];
  /** The model whose head this is, when inherited (a fine-tuned model keeps its parent's head). */
  inheritedFrom?: string;
  /** Measured on the fitting images: the head's pooled AUROC against the mask's errors, reliability diagrams. */
  validation: {
    auroc: number;
    baselineAuroc: number;
    probability: Reliability;
    calibrated: Reliability;
    head: Reliability;
  };
}
