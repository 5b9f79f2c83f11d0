// The training loop of the anatomy networks (artery/vein, optic disc): the vessel network's worker trainer with
// colour patches, a cosine learning-rate schedule, a task-specific validation score, best and last checkpoints
// after every epoch (a killed run resumes where it stopped) and a model directory written atomically with its ONNX
// export. The task supplies the samples, the score and the manifest's task record.
import { readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { AugmentConfig, FrameConfig, LossName, ModelManifest, Predictor, UNetConfig } from '../types.js';
import { createRng } from '../rng.js';
import { countParameters } from '../model/model.js';
import { MANIFEST_FILE, TFJS_SUBDIR, writeManifest } from '../model/model-dir.js';
import { backendLabel } from '../tf.js';
import { createTrainer, type Trainer } from '../train/trainer.js';
import { restoreCheckpoint, saveCheckpoint } from '../train/checkpoint-dir.js';
import { TrainingInterruptedError, type TrainEvent } from '../train/training-run.js';
import { writeDirAtomic } from '../../node/atomic-fs.js';
import { sampleAnatomyBatch, type AnatomySample } from './anatomy-sample.js';
import type { AnatomyRecord } from './anatomy-manifest.js';
import { DEFAULT_PREPROCESS } from '../image/preprocess.js';
import { DEFAULT_AUGMENT } from '../image/augment.js';
import { REFERENCE_UNET } from '../model/model.js';
import { COLOUR_CHANNELS } from './colour-input.js';

/** What both anatomy recipes share: the reference U-Net on colour planes, 128-px patches, geometric and colour
 * jitter; each task sets its rotation, intensity ranges, schedule and patch focus. */
export const ANATOMY_RECIPE = {
  architecture: { ...REFERENCE_UNET, inputChannels: COLOUR_CHANNELS },
  augment: {
    ...DEFAULT_AUGMENT,
    scale: [0.8, 1.25] as [number, number],
    flipH: true,
    flipV: true,
    elastic: null,
    shear: 0.05,
  },
  patchSize: 128,
  batchSize: 8,
  loss: 'bce' as LossName,
  learningRate: 2e-3,
  minLearningRate: 5e-5,
};

export interface AnatomyTrainConfig {
  architecture: UNetConfig;
  augment: AugmentConfig | null;
  patchSize: number;
  batchSize: number;
  loss: LossName;
  epochs: number;
  stepsPerEpoch: number;
  learningRate: number;
  minLearningRate: number;
  /** Share of patches centred on a focus pixel. */
  focusShare: number;
  patience: number;
  seed: number;
  /** Stop (keeping the best epoch) after this many minutes; 0 = no limit. */
  maxMinutes: number;
}

export interface AnatomyValidation {
  /** Higher is better; the best epoch becomes the model. */
  score: number;
  /** Printed and recorded with the epoch. */
  detail: Record<string, number>;
}

export interface AnatomyTrainOptions {
  config: AnatomyTrainConfig;
  anatomy: AnatomyRecord;
  fit: AnatomySample[];
  val: AnatomySample[];
  /** Frame the networks' inputs come from (the vessel model's), recorded in the manifest. */
  frame: FrameConfig;
  datasetLabel: string;
  /** The fingerprints of the photographs fitted and validated on (and the parent's), recorded in the manifest. */
  sampleFingerprints?: Record<string, string>;
  out: string;
  name?: string;
  force?: boolean;
  resume?: boolean;
  validate: (predictor: Predictor, val: AnatomySample[]) => Promise<AnatomyValidation>;
  /** Starting weights (a tfjs directory with the same architecture), for a run that does not resume. */
  initialTfjsDir?: string;
  /** The model whose weights `initialTfjsDir` holds, recorded as provenance.parentModel. */
  parentModel?: string;
  /** Threshold recorded in the manifest (chosen on validation data by the task). */
  threshold: number;
  onLog?: (line: string) => void;
  /** After each training step (the retrain screen's progress bar, step count and ETA follow it). */
  onStep?: (e: Extract<TrainEvent, { type: 'step' }>) => void;
  /** Stops the run before its next step (TrainingInterruptedError); the last finished epoch stays in the checkpoint. */
  signal?: AbortSignal;
}

interface State {
  configJson: string;
  epochsDone: number;
  bestScore: number;
  bestEpoch: number;
  sinceBest: number;
  seconds: number;
  patchesSeen: number;
  curve: { epoch: number; trainLoss: number; score: number; detail: Record<string, number> }[];
}

function learningRate(cfg: AnatomyTrainConfig, step: number): number {
  const total = cfg.epochs * cfg.stepsPerEpoch;
  const warmup = Math.min(100, Math.floor(total / 10));
  if (step < warmup) return (cfg.learningRate * (step + 1)) / warmup;
  const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return cfg.minLearningRate + 0.5 * (cfg.learningRate - cfg.minLearningRate) * (1 + Math.cos(Math.PI * t));
}

export function trainerPredictor(trainer: Trainer): Predictor {
  return {
    engine: 'tfjs',
    predict: (input, n, h, w) => trainer.predict(input, n, h, w),
    dispose: () => undefined,
  };
}

/**
 * Writes a model directory atomically: the tfjs weights (`saveTfjs` writes them into the folder it is given), the
 * manifest and the ONNX export made from them. A failure leaves no directory, or the one that was there.
 */
export async function writeAnatomyModelDir(
  out: string,
  saveTfjs: (tfjsDir: string) => Promise<void>,
  manifest: ModelManifest,
  overwrite = false,
): Promise<void> {
  await writeDirAtomic(
    out,
    async (tmp) => {
      await saveTfjs(join(tmp, TFJS_SUBDIR));
      await writeManifest(tmp, manifest);
      const { exportModelDir } = await import('../onnx/export-model-dir.js');
      await exportModelDir(tmp);
    },
    { overwrite },
  );
}

export async function trainAnatomyModel(opts: AnatomyTrainOptions): Promise<ModelManifest> {
  const { config: cfg } = opts;
  const log = opts.onLog ?? (() => undefined);
  const out = resolve(opts.out);
  if (existsSync(out) && !opts.force) throw new Error(`${out} already exists (pass --force to replace it)`);
  const ckpt = `${out}.checkpoint`;
  const configJson = JSON.stringify(cfg);
  let state: State | null = null;
  if (opts.resume && existsSync(join(ckpt, 'state.json'))) {
    state = JSON.parse(await readFile(join(ckpt, 'state.json'), 'utf8')) as State;
    if (state.configJson !== configJson) throw new Error(`${ckpt} was made with another configuration`);
  } else if (existsSync(ckpt)) await rm(ckpt, { recursive: true, force: true });

  const trainer = await createTrainer({
    architecture: cfg.architecture,
    loss: cfg.loss,
    learningRate: cfg.learningRate,
    seed: cfg.seed,
    workers: Math.min(2, cpus().length),
  });
  try {
    if (state) {
      await restoreCheckpoint(ckpt, trainer);
      log(`resumed after epoch ${state.epochsDone}`);
    } else if (opts.initialTfjsDir) await trainer.loadModel(opts.initialTfjsDir);
    const s: State = state ?? {
      configJson,
      epochsDone: 0,
      bestScore: -Infinity,
      bestEpoch: 0,
      sinceBest: 0,
      seconds: 0,
      patchesSeen: 0,
      curve: [],
    };
    const c = opts.fit[0].planes.length;
    for (let epoch = s.epochsDone; epoch < cfg.epochs; epoch++) {
      const t0 = Date.now();
      const rng = createRng((cfg.seed * 1_000_003 + epoch) >>> 0);
      let lossSum = 0;
      for (let step = 0; step < cfg.stepsPerEpoch; step++) {
        if (opts.signal?.aborted) throw new TrainingInterruptedError('training interrupted');
        const globalStep = epoch * cfg.stepsPerEpoch + step;
        const lr = learningRate(cfg, globalStep);
        const stepStart = performance.now();
        trainer.setLearningRate(lr);
        const b = sampleAnatomyBatch(
          opts.fit,
          cfg.batchSize,
          cfg.patchSize,
          cfg.focusShare,
          cfg.augment,
          rng,
        );
        if (b.x.length !== cfg.batchSize * cfg.patchSize * cfg.patchSize * c) throw new Error('bad batch');
        const { loss } = await trainer.trainStep(b.x, b.y, b.w, cfg.batchSize, cfg.patchSize, cfg.patchSize);
        if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch + 1} (loss ${loss})`);
        lossSum += loss;
        s.patchesSeen += cfg.batchSize;
        opts.onStep?.({
          type: 'step',
          epoch,
          step,
          stepsPerEpoch: cfg.stepsPerEpoch,
          globalStep,
          totalSteps: cfg.epochs * cfg.stepsPerEpoch,
          loss,
          learningRate: lr,
          patchesPerSecond: cfg.batchSize / ((performance.now() - stepStart) / 1000),
        });
      }
      const v = await opts.validate(trainerPredictor(trainer), opts.val);
      const improved = v.score > s.bestScore;
      if (improved) {
        s.bestScore = v.score;
        s.bestEpoch = epoch + 1;
        s.sinceBest = 0;
      } else s.sinceBest++;
      s.epochsDone = epoch + 1;
      s.seconds += (Date.now() - t0) / 1000;
      s.curve.push({
        epoch: epoch + 1,
        trainLoss: lossSum / cfg.stepsPerEpoch,
        score: v.score,
        detail: v.detail,
      });
      await saveCheckpoint(ckpt, trainer, s, improved);
      const detail = Object.entries(v.detail)
        .map(([k, x]) => `${k} ${x.toFixed(4)}`)
        .join(', ');
      log(
        `epoch ${epoch + 1}/${cfg.epochs}: loss ${(lossSum / cfg.stepsPerEpoch).toFixed(4)}, ${detail}` +
          `${improved ? ' (best)' : ''}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
      if (s.sinceBest >= cfg.patience) break;
      if (cfg.maxMinutes > 0 && s.seconds > cfg.maxMinutes * 60) break;
    }
    await trainer.loadModel(join(ckpt, 'best'));
    const manifest: ModelManifest = {
      format: 'retinastudio-model',
      formatVersion: 1,
      name: opts.name ?? basename(out),
      createdAt: new Date().toISOString(),
      anatomy: { ...opts.anatomy, validation: s.curve[s.bestEpoch - 1]?.detail ?? {} },
      architecture: cfg.architecture,
      // The colour planes' CLAHE is the vessel preprocessing's; its grey channel is not used.
      preprocess: DEFAULT_PREPROCESS,
      threshold: opts.threshold,
      patchSize: cfg.patchSize,
      frame: opts.frame,
      parameters: countParameters(cfg.architecture),
      provenance: {
        dataset: opts.datasetLabel,
        datasetKind: 'generic',
        trainIds: opts.fit.map((x) => x.id),
        validationIds: opts.val.map((x) => x.id),
        seed: cfg.seed,
        epochs: s.epochsDone,
        patchesSeen: s.patchesSeen,
        durationSeconds: s.seconds,
        backend: backendLabel(trainer.backend),
        machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
        loss: cfg.loss,
        augment: cfg.augment,
        ...(opts.parentModel ? { parentModel: opts.parentModel } : {}),
        validationCurve: s.curve.map((e) => ({
          epoch: e.epoch,
          trainLoss: e.trainLoss,
          valLoss: 0,
          valF1: e.score,
          valAuc: 0,
        })),
      },
      ...(opts.sampleFingerprints ? { sampleFingerprints: opts.sampleFingerprints } : {}),
    };
    await writeAnatomyModelDir(out, (dir) => trainer.saveModel(dir), manifest, opts.force);
    await rm(ckpt, { recursive: true, force: true });
    return JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as ModelManifest;
  } finally {
    await trainer.dispose();
  }
}
