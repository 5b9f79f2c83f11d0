// The training loop: data preparation, patch batches, learning-rate schedule, validation on whole held-out images,
// early stopping, best/last checkpoints with exact resume, threshold selection on validation data, and the final
// model directory, written atomically. The gradient work runs in worker threads (trainer.ts), so the calling
// thread stays responsive between steps.
import { readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve, basename } from 'node:path';
import type { DatasetRef, Metrics, ModelManifest, Predictor, SampleRef } from '../types.js';
import { loadSample } from '../data/datasets.js';
import { preprocessImage } from '../image/preprocess.js';
import { samplePatchBatch, type PreparedSample } from '../image/patches.js';
import { createRng } from '../rng.js';
import { validationGroups } from '../data/sample-groups.js';
import { MetricsAccumulator } from '../eval/metrics.js';
import { predictProbability, predictWithFlips } from '../infer.js';
import { learningRateAt, type TrainConfig } from './recipes.js';
import { countParameters } from '../model/model.js';
import { backendLabel } from '../tf.js';
import { createTrainer, type Trainer } from './trainer.js';
import { restoreCheckpoint, saveCheckpoint } from './checkpoint-dir.js';
import { writeDirAtomic } from '../../node/atomic-fs.js';
import { MANIFEST_FILE, TFJS_SUBDIR, readManifest, writeManifest } from '../model/model-dir.js';
import { recordFingerprints } from '../image/thumbnail-fingerprint.js';
import { evaluateModel } from '../eval/evaluate.js';
import { calibreIndex, sampleToCanonical } from '../frame/canonical-frame.js';

export type TrainEvent =
  | { type: 'prepare'; message: string }
  /** One more training or validation image loaded and preprocessed (of `total`). */
  | { type: 'load'; done: number; total: number }
  | { type: 'resume'; epoch: number }
  | {
      type: 'step';
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      globalStep: number;
      totalSteps: number;
      loss: number;
      learningRate: number;
      patchesPerSecond: number;
    }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: number;
      valLoss: number;
      valF1: number;
      valAuc: number;
      improved: boolean;
      seconds: number;
    }
  | { type: 'stop'; reason: 'completed' | 'early-stopping' | 'time-limit' }
  | { type: 'finalise'; message: string };

export interface TrainOptions {
  dataset: DatasetRef;
  config: TrainConfig;
  out: string;
  name?: string;
  /** Continue from `<out>.checkpoint` when it exists and matches the config. */
  resume?: boolean;
  /** Replace an existing model directory at `out`. */
  force?: boolean;
  workers?: number;
  /** Score the final model on the dataset's test split and record it in the manifest (default true). */
  evaluateTest?: boolean;
  /** Write the ONNX export into the model directory (default true). */
  exportOnnx?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
  /** Starting weights (fine-tuning): a model directory with the same architecture. */
  initialModelDir?: string;
  /**
   * Validate on these training-split ids (kept out of fitting) instead of a seeded random choice; with
   * `sampleGroups`, the rest of their groups validate too.
   */
  validationIds?: string[];
  /**
   * Each training image's group by id (one eye's photographs, copies of one photograph): the seeded choice of
   * validation images (or `validationIds`' groups) is whole groups, so none is judged on what was fitted. Default:
   * each image its own.
   */
  sampleGroups?: (refs: SampleRef[]) => Promise<Map<string, string>>;
  /** Recorded as provenance.parentModel (fine-tuning). */
  parentModel?: string;
}

export interface TrainResult {
  modelDir: string;
  manifest: ModelManifest;
}

export class TrainingInterruptedError extends Error {
  override name = 'TrainingInterruptedError';
}

interface CheckpointState {
  configJson: string;
  /** Absent from checkpoints made before it was recorded. */
  workers?: number;
  datasetRoot: string;
  epochsDone: number;
  patchesSeen: number;
  bestF1: number;
  bestEpoch: number;
  sinceBest: number;
  secondsSpent: number;
  curve: ModelManifest['provenance']['validationCurve'];
  trainIds: string[];
  validationIds: string[];
}

/**
 * Deterministic split of the training images into fit and validation sets. With `groupOf`, validation takes whole
 * groups (one eye's photographs, copies of one photograph): at most `count` images, or one larger group, and
 * something left to fit. Where every image is its own group the split is the per-image one of the same seed.
 */
export function splitValidation(
  refs: SampleRef[],
  count: number,
  seed: number,
  groupOf: (id: string) => string = (id) => id,
): { fit: SampleRef[]; val: SampleRef[] } {
  const usable = refs.filter((r) => r.maskPath);
  if (usable.length < 2) throw new Error('training needs at least 2 images with ground truth');
  const n = Math.max(1, Math.min(count, usable.length - 1));
  const order = [...usable].sort((a, b) => a.id.localeCompare(b.id));
  const rng = createRng(seed ^ 0x5eed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const valGroups = validationGroups(order, n, (r) => groupOf(r.id));
  if (valGroups.size === 0)
    throw new Error(
      `the ${usable.length} training images are all one eye's photographs or copies of one photograph: ` +
        'validation needs another eye or photograph, kept out of fitting',
    );
  const val = usable.filter((r) => valGroups.has(groupOf(r.id))).sort((a, b) => a.id.localeCompare(b.id));
  const fit = usable.filter((r) => !valGroups.has(groupOf(r.id))).sort((a, b) => a.id.localeCompare(b.id));
  return { fit, val };
}

/** Each training image's group by id, as `opts.sampleGroups` finds them (each image its own without it). */
async function groupsOf(refs: SampleRef[], opts: TrainOptions): Promise<Map<string, string>> {
  return opts.sampleGroups
    ? await opts.sampleGroups(refs.filter((r) => r.maskPath))
    : new Map<string, string>();
}

/** "a, b, c and 2 more": a few of a long list, for a message. */
function someOf(items: string[]): string {
  return `${items.slice(0, 3).join(', ')}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`;
}

/** The seeded validation choice, by whole groups where `opts.sampleGroups` finds any (said, so a user sees why). */
async function groupedSplit(
  refs: SampleRef[],
  cfg: TrainConfig,
  opts: TrainOptions,
  emit: (e: TrainEvent) => void,
): Promise<{ fit: SampleRef[]; val: SampleRef[] }> {
  const groups = await groupsOf(refs, opts);
  const groupOf = (id: string): string => groups.get(id) ?? id;
  const split = splitValidation(refs, cfg.validationImages, cfg.seed, groupOf);
  const members = new Map<string, string[]>();
  for (const [id, g] of groups) members.set(g, [...(members.get(g) ?? []), id]);
  const shared = [...members.values()]
    .filter((m) => m.length > 1)
    .map((m) => m.sort((a, b) => a.localeCompare(b)).join(' + '));
  if (shared.length > 0)
    emit({
      type: 'prepare',
      message:
        `validation takes whole groups: ${someOf(shared)} ` +
        `${shared.length === 1 ? 'is one eye' : 'are each one eye'}'s photographs or copies of one photograph`,
    });
  return split;
}

/**
 * A fixed validation choice (a mix's) with the rest of each chosen image's group moved from fitting to validation:
 * another visit or a copy of a validation image, fitted, would choose the epoch and threshold on what was learnt.
 * Each image moved is said; the same files give the same move.
 */
async function givenValidation(
  refs: SampleRef[],
  ids: string[],
  opts: TrainOptions,
  emit: (e: TrainEvent) => void,
): Promise<{ fit: SampleRef[]; val: SampleRef[] }> {
  const groups = await groupsOf(refs, opts);
  const groupOf = (id: string): string => groups.get(id) ?? id;
  const chosenIn = new Map(ids.map((id) => [groupOf(id), id]));
  const moved = refs.filter((r) => r.maskPath && !ids.includes(r.id) && chosenIn.has(groupOf(r.id)));
  if (moved.length === 0) return explicitValidation(refs, ids);
  const validating = new Set([...ids, ...moved.map((r) => r.id)]);
  if (refs.every((r) => !r.maskPath || validating.has(r.id)))
    throw new Error(
      `every training image validates or is one eye's photograph or a copy of one photograph with a validation ` +
        `image (${someOf(moved.map((r) => r.id))}): nothing is left to fit`,
    );
  const split = explicitValidation(refs, [...ids, ...moved.map((r) => r.id)]);
  emit({
    type: 'prepare',
    message:
      `validation takes whole groups: moved ${someOf(moved.map((r) => `${r.id} (with ${chosenIn.get(groupOf(r.id))})`))} ` +
      `from fitting to validation (one eye's photographs or copies of one photograph)`,
  });
  return split;
}

function explicitValidation(refs: SampleRef[], ids: string[]): { fit: SampleRef[]; val: SampleRef[] } {
  const usable = refs.filter((r) => r.maskPath);
  const missing = ids.find((id) => !usable.some((r) => r.id === id));
  if (missing !== undefined)
    throw new Error(`validation image '${missing}' is not a training image with ground truth`);
  const val = usable.filter((r) => ids.includes(r.id));
  const fit = usable.filter((r) => !ids.includes(r.id));
  if (val.length === 0 || fit.length === 0)
    throw new Error('training needs at least 1 fit and 1 validation image');
  return { fit, val };
}

/**
 * Loads and preprocesses `refs`. Many or large photographs take minutes: each image is reported (`loaded`), and a
 * cancel is honoured between images, not only once training starts.
 */
async function prepare(
  refs: SampleRef[],
  cfg: TrainConfig,
  loaded: () => void,
  signal: AbortSignal | undefined,
): Promise<PreparedSample[]> {
  const out: PreparedSample[] = [];
  for (const ref of refs) {
    if (signal?.aborted) throw new TrainingInterruptedError('training interrupted');
    const sample = await loadSample(ref);
    const s = cfg.frame
      ? { id: sample.id, ...sampleToCanonical(sample.image, sample.mask!, sample.fov, cfg.frame) }
      : { id: sample.id, image: sample.image, mask: sample.mask!, fov: sample.fov };
    out.push({
      id: s.id,
      width: s.image.width,
      height: s.image.height,
      image: preprocessImage(s.image, s.fov, cfg.preprocess),
      mask: s.mask.data,
      fov: s.fov.data,
    });
    loaded();
  }
  return out;
}

/** Mean BCE + (1 - soft Dice) inside the FOV: the same quantity the dice+bce training loss measures. */
function validationLoss(prob: Float32Array, truth: Uint8Array, fov: Uint8Array): number {
  let bce = 0;
  let n = 0;
  let inter = 0;
  let sumP = 0;
  let sumT = 0;
  for (let i = 0; i < prob.length; i++) {
    if (fov[i] === 0) continue;
    const p = Math.min(1 - 1e-7, Math.max(1e-7, prob[i]));
    const t = truth[i];
    bce -= t ? Math.log(p) : Math.log(1 - p);
    inter += p * t;
    sumP += p;
    sumT += t;
    n++;
  }
  return bce / Math.max(1, n) + 1 - (2 * inter + 1) / (sumP + sumT + 1);
}

function trainerPredictor(trainer: Trainer): Predictor {
  return {
    engine: 'tfjs',
    predict: (input, n, h, w) => trainer.predict(input, n, h, w),
    dispose: () => undefined,
  };
}

async function validate(
  trainer: Trainer,
  val: PreparedSample[],
  depth: number,
  flips = false,
): Promise<{ loss: number; f1: number; auc: number; threshold: number; maskCalibre: number }> {
  const acc = new MetricsAccumulator();
  let loss = 0;
  const predictor = trainerPredictor(trainer);
  const probs: Float32Array[] = [];
  for (const s of val) {
    const predict = flips ? predictWithFlips : predictProbability;
    const prob = await predict(s.image, s.width, s.height, 2 ** depth, predictor, { tileSize: 256 });
    acc.add(prob, s.mask, s.fov);
    loss += validationLoss(prob, s.mask, s.fov);
    probs.push(prob);
  }
  const best = acc.bestThreshold();
  // The calibre of the model's own masks: the ruler the canonical frame uses where no aperture edge shows.
  let calibre = 0;
  for (const [i, s] of val.entries()) {
    const data = Uint8Array.from(probs[i], (p, j) => (p >= best.threshold && s.fov[j] ? 1 : 0));
    calibre += calibreIndex({ width: s.width, height: s.height, data }) / val.length;
  }
  return {
    loss: loss / val.length,
    f1: best.f1,
    auc: acc.result(0.5, 'fov').aucRoc,
    threshold: best.threshold,
    maskCalibre: calibre,
  };
}

function checkpointDir(out: string): string {
  return `${resolve(out)}.checkpoint`;
}

/** Whether a training into `out` has a finished epoch to resume from. */
export function hasCheckpoint(out: string): boolean {
  return existsSync(join(checkpointDir(out), 'state.json'));
}

async function loadCheckpoint(dir: string, configJson: string): Promise<CheckpointState | null> {
  if (!existsSync(join(dir, 'state.json'))) return null; // see hasCheckpoint
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as CheckpointState;
  if (state.configJson !== configJson) {
    throw new Error(
      `${dir} was made with another training configuration; remove it or train without --resume`,
    );
  }
  return state;
}

export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const { config: cfg, dataset } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const out = resolve(opts.out);
  if (existsSync(out) && !opts.force)
    throw new Error(`${out} already exists (choose another --out or pass --force)`);
  const configJson = JSON.stringify(cfg);
  const ckptDir = checkpointDir(out);
  let state = opts.resume ? await loadCheckpoint(ckptDir, configJson) : null;
  if (!opts.resume && existsSync(ckptDir)) await rm(ckptDir, { recursive: true, force: true });
  // --resume without a checkpoint (interrupted before the first epoch finished) starts over, and says so.
  if (opts.resume && !state)
    emit({ type: 'prepare', message: `no finished epoch in ${ckptDir}: training from the start` });

  // Only a test split (a folder named test, or a test.txt listing every image): training on it would score the
  // model on what it learnt.
  if (dataset.splits.train.length === 0 && dataset.splits.test.length > 0)
    throw new Error(
      `${dataset.root} holds only a test split: train on the dataset's training images (its training folder, or ` +
        'those a train.txt lists)',
    );
  const trainRefs = dataset.splits.train.length > 0 ? dataset.splits.train : dataset.splits.all;
  if (state) {
    // The checkpoint goes on only with the data it was trained on: another folder (even with the same image
    // names) would mix two validation sets into one choice of the best epoch.
    if (resolve(state.datasetRoot) !== resolve(dataset.root))
      throw new Error(
        `${ckptDir} was trained on ${state.datasetRoot}, not ${dataset.root}: resume with that --dataset, or ` +
          'train without --resume',
      );
    const have = new Set(trainRefs.map((r) => r.id));
    const missing = [...state.trainIds, ...state.validationIds].filter((id) => !have.has(id));
    if (missing.length > 0)
      throw new Error(
        `${ckptDir}: ${missing.length} of its images are no longer in ${dataset.root} (${missing.slice(0, 3).join(', ')}` +
          `${missing.length > 3 ? ', ...' : ''}): train without --resume`,
      );
  }
  // Part of what a seed reproduces: batch normalisation sees each worker's share of the batch, so the same seed
  // with another worker count gives other weights. Recorded, and a resume keeps it.
  const workers = opts.workers ?? Math.min(2, cpus().length);
  if (state?.workers !== undefined && state.workers !== workers)
    throw new Error(
      `${ckptDir} was trained with --workers ${state.workers}: resume with --workers ${state.workers}, or train ` +
        'without --resume',
    );
  const { fit, val } = state
    ? {
        fit: trainRefs.filter((r) => state!.trainIds.includes(r.id)),
        val: trainRefs.filter((r) => state!.validationIds.includes(r.id)),
      }
    : opts.validationIds
      ? await givenValidation(trainRefs, opts.validationIds, opts, emit)
      : await groupedSplit(trainRefs, cfg, opts, emit);
  emit({
    type: 'prepare',
    message: `loading and preprocessing ${fit.length} training + ${val.length} validation images`,
  });
  let done = 0;
  const loaded = (): void => emit({ type: 'load', done: ++done, total: fit.length + val.length });
  const fitSamples = await prepare(fit, cfg, loaded, opts.signal);
  const valSamples = await prepare(val, cfg, loaded, opts.signal);

  const trainer = await createTrainer({
    architecture: cfg.architecture,
    loss: cfg.loss,
    learningRate: cfg.learningRate,
    seed: cfg.seed,
    workers,
  });
  const started = Date.now();
  try {
    if (state) {
      await restoreCheckpoint(ckptDir, trainer);
      emit({ type: 'resume', epoch: state.epochsDone });
    } else {
      if (opts.initialModelDir) await trainer.loadModel(join(opts.initialModelDir, TFJS_SUBDIR));
      state = {
        configJson,
        workers,
        datasetRoot: dataset.root,
        epochsDone: 0,
        patchesSeen: 0,
        bestF1: -1,
        bestEpoch: 0,
        sinceBest: 0,
        secondsSpent: 0,
        curve: [],
        trainIds: fit.map((r) => r.id),
        validationIds: val.map((r) => r.id),
      };
    }
    const totalSteps = cfg.epochs * cfg.stepsPerEpoch;
    let stopReason: 'completed' | 'early-stopping' | 'time-limit' = 'completed';
    const secondsBefore = state.secondsSpent;
    for (let epoch = state.epochsDone; epoch < cfg.epochs; epoch++) {
      const epochStart = Date.now();
      // One generator per epoch, derived from the seed: a resumed run draws exactly the batches it would have.
      const rng = createRng((cfg.seed * 1_000_003 + epoch) >>> 0);
      let lossSum = 0;
      for (let step = 0; step < cfg.stepsPerEpoch; step++) {
        if (opts.signal?.aborted) throw new TrainingInterruptedError('training interrupted');
        const globalStep = epoch * cfg.stepsPerEpoch + step;
        const lr = learningRateAt(cfg, globalStep);
        trainer.setLearningRate(lr);
        const batch = samplePatchBatch(fitSamples, cfg.batchSize, cfg.patchSize, rng, {
          augment: cfg.augment,
          vesselFraction: cfg.vesselFraction,
        });
        const t0 = performance.now();
        const { loss } = await trainer.trainStep(
          batch.x,
          batch.y,
          batch.w,
          cfg.batchSize,
          cfg.patchSize,
          cfg.patchSize,
        );
        if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${globalStep} (loss ${loss})`);
        lossSum += loss;
        state.patchesSeen += cfg.batchSize;
        emit({
          type: 'step',
          epoch,
          step,
          stepsPerEpoch: cfg.stepsPerEpoch,
          globalStep,
          totalSteps,
          loss,
          learningRate: lr,
          patchesPerSecond: cfg.batchSize / ((performance.now() - t0) / 1000),
        });
      }
      const v = await validate(trainer, valSamples, cfg.architecture.depth);
      const improved = v.f1 > state.bestF1;
      state.epochsDone = epoch + 1;
      state.curve.push({
        epoch: epoch + 1,
        trainLoss: lossSum / cfg.stepsPerEpoch,
        valLoss: v.loss,
        valF1: v.f1,
        valAuc: v.auc,
      });
      if (improved) {
        state.bestF1 = v.f1;
        state.bestEpoch = epoch + 1;
        state.sinceBest = 0;
      } else state.sinceBest++;
      state.secondsSpent = secondsBefore + (Date.now() - started) / 1000;
      await saveCheckpoint(ckptDir, trainer, state, improved);
      emit({
        type: 'epoch',
        epoch: epoch + 1,
        epochs: cfg.epochs,
        trainLoss: lossSum / cfg.stepsPerEpoch,
        valLoss: v.loss,
        valF1: v.f1,
        valAuc: v.auc,
        improved,
        seconds: (Date.now() - epochStart) / 1000,
      });
      if (state.sinceBest >= cfg.patience) {
        stopReason = 'early-stopping';
        break;
      }
      if (cfg.maxMinutes > 0 && state.secondsSpent > cfg.maxMinutes * 60) {
        stopReason = 'time-limit';
        break;
      }
    }
    emit({ type: 'stop', reason: stopReason });

    // The best checkpoint becomes the model; its threshold is chosen on the validation images only.
    emit({
      type: 'finalise',
      message: `restoring the best epoch (${state.bestEpoch}) and choosing the threshold`,
    });
    await trainer.loadModel(join(ckptDir, 'best'));
    const v = await validate(trainer, valSamples, cfg.architecture.depth, cfg.testTimeFlips);
    // A network that gives one value everywhere has no threshold to choose; said plainly, not as the manifest's
    // "threshold must be a number in (0, 1), got 0" from a temporary folder.
    if (!(v.threshold > 0 && v.threshold < 1))
      throw new Error(
        `training diverged: the network does not tell vessels from background (validation AUC ${v.auc.toFixed(2)}), ` +
          'so no threshold separates them; train again with a lower --lr',
      );
    const manifest: ModelManifest = {
      format: 'retinastudio-model',
      formatVersion: 1,
      name: opts.name ?? basename(out),
      createdAt: new Date().toISOString(),
      architecture: cfg.architecture,
      preprocess: cfg.preprocess,
      threshold: v.threshold,
      patchSize: cfg.patchSize,
      ...(cfg.testTimeFlips ? { testTimeFlips: true } : {}),
      // A network that marks no vessels on the validation images has no calibre of its own: the configured one stands
      // in, as a manifest's maskCalibre must be > 0.
      ...(cfg.frame ? { frame: { ...cfg.frame, maskCalibre: v.maskCalibre || cfg.frame.maskCalibre } } : {}),
      parameters: countParameters(cfg.architecture),
      provenance: {
        dataset: basename(dataset.root),
        datasetKind: dataset.kind,
        trainIds: state.trainIds,
        validationIds: state.validationIds,
        seed: cfg.seed,
        epochs: state.epochsDone,
        patchesSeen: state.patchesSeen,
        durationSeconds: state.secondsSpent,
        backend: backendLabel(trainer.backend),
        machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
        workers,
        loss: cfg.loss,
        augment: cfg.augment,
        validationCurve: state.curve,
        ...(opts.parentModel ? { parentModel: opts.parentModel } : {}),
      },
      // What the model (fine-tuned: and its lineage) learnt, so a retrain knows a copy without the datasets.
      sampleFingerprints: await recordFingerprints(
        [...fit, ...val].map((r) => [r.id, r.imagePath] as const),
        opts.initialModelDir ? await lineageFingerprints(opts.initialModelDir) : {},
      ),
    };
    if (opts.evaluateTest !== false && dataset.splits.test.some((r) => r.maskPath)) {
      emit({ type: 'finalise', message: 'scoring the test split' });
      const report = await evaluateModel(manifest, trainerPredictor(trainer), dataset, 'test');
      const metrics: Record<string, Metrics> = {
        'test/fov': report.protocols.fov.pooled,
        'test/all': report.protocols.all.pooled,
      };
      manifest.testMetrics = metrics;
    }
    await writeDirAtomic(
      out,
      async (tmp) => {
        await trainer.saveModel(join(tmp, TFJS_SUBDIR));
        await writeManifest(tmp, manifest);
        if (opts.exportOnnx !== false) {
          const { exportModelDir } = await import('../onnx/export-model-dir.js');
          await exportModelDir(tmp);
        }
      },
      { overwrite: opts.force },
    );
    await rm(ckptDir, { recursive: true, force: true });
    const final = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as ModelManifest;
    return { modelDir: out, manifest: final };
  } finally {
    await trainer.dispose();
  }
}

/** The fingerprints a parent model's manifest records (none when it has none, or cannot be read). */
async function lineageFingerprints(modelDir: string): Promise<Record<string, string>> {
  return (await readManifest(modelDir).catch(() => null))?.sampleFingerprints ?? {};
}
