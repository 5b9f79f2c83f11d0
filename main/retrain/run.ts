// One retrain, start to end: the code path behind the workstation's Retrain button and `retina retrain` alike.
//   snapshot (new approvals, held-out, validation, replay) → training run row → temporary training set →
//   fine-tune the active model (trainer worker threads; progress, ETA, loss curve; cancel) → register the
//   candidate with its lineage and exact mask versions → score candidate and active model on the same held-out
//   images (and a configured benchmark) → promote only if strictly better (or never, leaving the choice to the
//   user) → re-predict draft-free images → run finished with its whole outcome.
// The active model changes only in the promotion step, so a cancel, a failure or a killed process before it
// leaves it as it was.
import { availableParallelism, tmpdir } from 'node:os';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openDataset } from '../ml/data/datasets.js';
import { evaluateModel } from '../ml/eval/evaluate.js';
import { encodePng } from '../ml/io/image-io.js';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { openModel, type LoadedModel } from '../ml/model/model-loader.js';
import { readManifest } from '../ml/model/model-dir.js';
import {
  compareModels,
  differenceOverlay,
  fineTuneConfig,
  promotionDecision,
  type HeldOutSample,
  type ModelComparison,
} from './fine-tune.js';
import { trainModel, TrainingInterruptedError, type TrainEvent } from '../ml/train/training-run.js';
import type { Metrics, ModelManifest } from '../ml/types.js';
import {
  activeModel,
  findModelByName,
  finishTrainingRun,
  getImage,
  getMaskVersion,
  loadFov,
  loadImageRaster,
  loadMask,
  promoteModel,
  registerModel,
  retireModel,
  startTrainingRun,
  updateModelMetrics,
  updateTrainingProgress,
  type ModelRecord,
  type Store,
  type TrainedOnEntry,
} from '../store/index.js';
import { RetrainCancelledError, RetrainError } from './errors.js';
import { lineage, planSnapshot, type RetrainSnapshot } from './snapshot.js';
import { readSettings, checkSettings, type RetrainSettings } from './settings.js';
import { writeTrainingSet } from './training-set.js';
import { repredictDraftFree } from './repredict.js';

export type RetrainPhase = 'preparing' | 'training' | 'evaluating' | 'repredicting' | 'finished';

export interface RetrainProgress {
  runId: number;
  phase: RetrainPhase;
  message: string;
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number | null;
  elapsedSeconds: number;
  /** Estimated seconds left in training, null before the first steps. */
  etaSeconds: number | null;
  /** Training loss of every step so far. */
  losses: number[];
  epochCurve: { epoch: number; trainLoss: number; valLoss: number; valF1: number }[];
}

export interface RetrainOptions {
  actor: string;
  trigger: 'button' | 'cli' | 'auto';
  /** Overrides of the stored settings for this run only. */
  settings?: Partial<RetrainSettings>;
  /** 'if-better': promote when strictly better on the held-out set; 'never': leave the choice to the user. */
  promote: 'if-better' | 'never';
  signal?: AbortSignal;
  onProgress?: (p: RetrainProgress) => void;
  /** The run row exists (its id is what the UI follows). */
  onStarted?: (runId: number) => void;
  /** Trainer worker threads (default 2 or the core count). */
  workers?: number;
  /** ONNX Runtime threads for evaluation and re-prediction. */
  threads?: number;
  /** Where candidate model directories go (default `<db>.models`). */
  modelsDir?: string;
}

export interface HeldOutImageReport {
  imageId: number;
  fileName: string;
  maskVersionId: number;
  candidate: Metrics;
  active: Metrics;
  deltaF1: number;
  changedPixels: number;
  /** A difference overlay was saved for this image (the ones where the models differ most). */
  overlay: boolean;
}

export interface RetrainOutcome {
  runId: number;
  baseModelId: number;
  candidateModelId: number;
  candidateName: string;
  candidateDir: string;
  heldOut: { pooled: { candidate: Metrics; active: Metrics }; images: HeldOutImageReport[] };
  benchmark: { path: string; split: string; images: number; candidate: Metrics; active: Metrics } | null;
  decision: { better: boolean; reason: string; promoted: boolean };
  repredicted: number;
  repredictError: string | null;
  validationCurve: ModelManifest['provenance']['validationCurve'];
  losses: number[];
  trainSeconds: number;
  totalSeconds: number;
}

/** Overlays kept per run: the images where candidate and active model disagree on the most pixels. */
const OVERLAYS_KEPT = 4;

export function runArtifactsDir(store: Store, runId: number): string {
  return join(`${store.path}.runs`, String(runId));
}

export function overlayPath(store: Store, runId: number, imageId: number): string {
  return join(runArtifactsDir(store, runId), `overlay-${imageId}.png`);
}

function uniqueName(store: Store, wanted: string): string {
  let name = wanted;
  for (let n = 2; findModelByName(store, name); n++) name = `${wanted}-${n}`;
  return name;
}

function safeDirName(name: string): string {
  return name.replace(/[^\w.+-]/g, '_');
}

async function* heldOutSamples(store: Store, snapshot: RetrainSnapshot): AsyncGenerator<HeldOutSample> {
  for (const h of snapshot.heldOut) {
    const image = getImage(store, h.imageId);
    const truth = await loadMask(store, getMaskVersion(store, h.maskVersionId));
    yield {
      id: String(h.imageId),
      image: await loadImageRaster(store, image),
      truth: truth.data,
      fov: await loadFov(store, image),
    };
  }
}

function trainedOn(snapshot: RetrainSnapshot): TrainedOnEntry[] {
  return [
    ...snapshot.train.map((e) => ({ maskVersionId: e.maskVersionId, role: 'train' as const })),
    ...snapshot.replay.store.map((e) => ({ maskVersionId: e.maskVersionId, role: 'train' as const })),
    ...snapshot.validation.map((e) => ({ maskVersionId: e.maskVersionId, role: 'validation' as const })),
  ];
}

/** Follows training events: the progress the UI shows, and the run row's heartbeat and log. */
class ProgressTracker {
  readonly losses: number[] = [];
  readonly epochCurve: RetrainProgress['epochCurve'] = [];
  private readonly started = Date.now();
  private trainStarted = 0;
  private lastBeat = 0;
  state: RetrainProgress;

  constructor(
    private readonly store: Store,
    runId: number,
    epochs: number,
    totalSteps: number,
    private readonly emit: (p: RetrainProgress) => void,
  ) {
    this.state = {
      runId,
      phase: 'preparing',
      message: 'writing the training set',
      step: 0,
      totalSteps,
      epoch: 0,
      epochs,
      loss: null,
      elapsedSeconds: 0,
      etaSeconds: null,
      losses: this.losses,
      epochCurve: this.epochCurve,
    };
  }

  update(change: Partial<RetrainProgress>, log?: string): void {
    this.state = { ...this.state, ...change, elapsedSeconds: (Date.now() - this.started) / 1000 };
    this.emit(this.state);
    const now = Date.now();
    if (log || now - this.lastBeat > 10_000) {
      this.lastBeat = now;
      const fraction = this.state.totalSteps > 0 ? (0.85 * this.state.step) / this.state.totalSteps : 0;
      const p = this.state.phase === 'training' ? fraction : this.state.phase === 'preparing' ? 0 : 0.9;
      updateTrainingProgress(this.store, this.state.runId, p, log);
    }
  }

  onTrain(e: TrainEvent): void {
    if (e.type === 'step') {
      if (this.trainStarted === 0) this.trainStarted = Date.now();
      this.losses.push(e.loss);
      const done = e.globalStep + 1;
      const perStep = (Date.now() - this.trainStarted) / 1000 / done;
      this.update({
        phase: 'training',
        message: `epoch ${e.epoch + 1}/${this.state.epochs}, step ${done}/${e.totalSteps}`,
        step: done,
        totalSteps: e.totalSteps,
        epoch: e.epoch + 1,
        loss: e.loss,
        etaSeconds: perStep * (e.totalSteps - done),
      });
    } else if (e.type === 'epoch') {
      this.epochCurve.push({ epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, valF1: e.valF1 });
      this.update(
        { message: `epoch ${e.epoch}/${e.epochs}: validation F1 ${e.valF1.toFixed(4)}` },
        `epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}, ` +
          `val F1 ${e.valF1.toFixed(4)}${e.improved ? ' (best)' : ''}`,
      );
    } else if (e.type === 'prepare' || e.type === 'finalise') {
      this.update({ message: e.message });
    } else if (e.type === 'stop') {
      this.update({ message: `training stopped: ${e.reason}` }, `training stopped: ${e.reason}`);
    }
  }
}

export function effectiveSettings(store: Store, overrides: Partial<RetrainSettings> = {}): RetrainSettings {
  return checkSettings({ ...readSettings(store.path), ...overrides }, 'retrain options');
}

async function closeModel(m: LoadedModel | null): Promise<void> {
  if (m) await m.predictor.dispose();
}

/** Runs one retrain (see the header). Throws RetrainError before a run row exists when nothing can be done. */
export async function runRetrain(store: Store, opts: RetrainOptions): Promise<RetrainOutcome> {
  const settings = effectiveSettings(store, opts.settings);
  const emit = opts.onProgress ?? (() => undefined);
  const threads = opts.threads ?? availableParallelism();
  const base = activeModel(store);
  if (!base) throw new RetrainError('no active model to retrain: promote a model first');
  const parent = await readManifest(base.dirPath);
  const snapshot = await planSnapshot(store, base, settings);
  const fitCount = snapshot.train.length + snapshot.replay.store.length + snapshot.replay.dataset.length;
  if (fitCount + snapshot.validation.length < 2) {
    throw new RetrainError(
      `only ${fitCount} image to train on: approve more images (or allow replay of earlier training data)`,
    );
  }
  const cfg = fineTuneConfig(parent, {
    epochs: settings.epochs,
    stepsPerEpoch: settings.stepsPerEpoch,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    seed: settings.seed,
    maxMinutes: settings.maxMinutes,
  });
  const run = startTrainingRun(
    store,
    {
      config: {
        kind: 'retrain',
        trigger: opts.trigger,
        parent: { id: base.id, name: base.name, dir: base.dirPath },
        settings,
        train: cfg,
        snapshot,
      },
      seed: cfg.seed,
      baseModelId: base.id,
    },
    opts.actor,
  );
  opts.onStarted?.(run.id);
  const started = Date.now();
  const tracker = new ProgressTracker(store, run.id, cfg.epochs, cfg.epochs * cfg.stepsPerEpoch, emit);
  tracker.update(
    {},
    `retraining ${base.name}: ${snapshot.train.length} new + ${snapshot.replay.store.length + snapshot.replay.dataset.length} ` +
      `replay images, ${snapshot.validation.length} validation, ${snapshot.heldOut.length} held out`,
  );
  const cancelled = (): boolean => opts.signal?.aborted === true;
  const rootName = lineage(store, base.id).at(-1)?.name ?? base.name;
  const name = uniqueName(store, `${rootName}+r${run.id}`);
  const modelsDir = opts.modelsDir ?? `${store.path}.models`;
  const candidateDir = join(modelsDir, safeDirName(name));
  let tmp: string | null = null;
  let candidate: ModelRecord | null = null;
  let promoted = false;
  let cand: LoadedModel | null = null;
  let act: LoadedModel | null = null;
  try {
    tmp = await mkdtemp(join(tmpdir(), `retina-retrain-${run.id}-`));
    const set = await writeTrainingSet(store, snapshot, tmp);
    if (cancelled()) throw new RetrainCancelledError('retrain cancelled');
    await mkdir(modelsDir, { recursive: true });
    const trainStart = Date.now();
    const trained = await trainModel({
      dataset: set.dataset,
      config: cfg,
      out: candidateDir,
      name,
      workers: opts.workers,
      evaluateTest: false,
      exportOnnx: true,
      signal: opts.signal,
      onEvent: (e) => tracker.onTrain(e),
      initialModelDir: base.dirPath,
      validationIds: set.validationIds,
      parentModel: base.name,
    });
    const trainSeconds = (Date.now() - trainStart) / 1000;
    if (cancelled()) throw new RetrainCancelledError('retrain cancelled');
    candidate = registerModel(
      store,
      {
        name,
        dirPath: trained.modelDir,
        architecture: trained.manifest.architecture,
        parentModelId: base.id,
        trainingRunId: run.id,
        trainedOn: trainedOn(snapshot),
      },
      opts.actor,
    );

    tracker.update({
      phase: 'evaluating',
      message: 'scoring both models on the held-out images',
      etaSeconds: null,
    });
    cand = await openModel(trained.modelDir, { threads });
    act = await openModel(base.dirPath, { threads });
    const kept: { imageId: number; changed: number }[] = [];
    const comparison: ModelComparison = await compareModels(
      heldOutSamples(store, snapshot),
      snapshot.heldOut.length,
      cand,
      act,
      {
        shouldStop: cancelled,
        onImage: (done, total) => tracker.update({ message: `held-out image ${done}/${total}` }),
        onMasks: async (s, c, a) => {
          let changed = 0;
          for (let i = 0; i < c.length; i++) if (s.fov.data[i] && c[i] !== a[i]) changed++;
          const imageId = Number(s.id);
          kept.push({ imageId, changed });
          kept.sort((x, y) => y.changed - x.changed);
          if (kept.findIndex((k) => k.imageId === imageId) >= OVERLAYS_KEPT) return;
          await writeFileAtomic(
            overlayPath(store, run.id, imageId),
            await encodePng(differenceOverlay(s.image, c, a)),
          );
          // The one pushed out of the top ranks loses its overlay.
          const evicted = kept[OVERLAYS_KEPT];
          if (evicted) await rm(overlayPath(store, run.id, evicted.imageId), { force: true });
        },
      },
    );
    const withOverlay = new Set(kept.slice(0, OVERLAYS_KEPT).map((k) => k.imageId));
    const images: HeldOutImageReport[] = comparison.images.map((im, i) => ({
      imageId: Number(im.id),
      fileName: getImage(store, Number(im.id)).fileName,
      maskVersionId: snapshot.heldOut[i].maskVersionId,
      candidate: im.candidate,
      active: im.active,
      deltaF1: im.deltaF1,
      changedPixels: im.changedPixels,
      overlay: withOverlay.has(Number(im.id)),
    }));

    let benchmark: RetrainOutcome['benchmark'] = null;
    if (settings.benchmark) {
      tracker.update({ message: `scoring both models on the benchmark ${settings.benchmark.path}` });
      const ds = openDataset(settings.benchmark.path);
      const rc = await evaluateModel(cand.manifest, cand.predictor, ds, settings.benchmark.split);
      if (cancelled()) throw new RetrainCancelledError('retrain cancelled');
      const ra = await evaluateModel(act.manifest, act.predictor, ds, settings.benchmark.split);
      benchmark = {
        path: ds.root,
        split: settings.benchmark.split,
        images: rc.images,
        candidate: rc.protocols.fov.pooled,
        active: ra.protocols.fov.pooled,
      };
    }
    await closeModel(cand);
    await closeModel(act);
    cand = act = null;
    if (cancelled()) throw new RetrainCancelledError('retrain cancelled');

    const decision = promotionDecision(comparison);
    updateModelMetrics(
      store,
      candidate.id,
      {
        heldOut: comparison.pooled.candidate,
        heldOutImages: images.length,
        benchmark: benchmark?.candidate ?? null,
      },
      opts.actor,
    );
    let repredicted = 0;
    let repredictError: string | null = null;
    if (decision.better && opts.promote === 'if-better') {
      promoteModel(store, candidate.id, opts.actor, {
        reason: decision.reason,
        override: false,
        runId: run.id,
      });
      promoted = true;
      tracker.update(
        { phase: 'repredicting', message: 're-predicting draft-free images with the new model' },
        decision.reason,
      );
      try {
        const done = await repredictDraftFree(store, candidate, {
          author: opts.actor,
          threads,
          hooks: {
            isCancelled: cancelled,
            progress: (d, t, file) =>
              tracker.update({ message: `re-predicting ${d}/${t}${file ? ` ${file}` : ''}` }),
          },
        });
        repredicted = done.length;
      } catch (err) {
        repredictError = (err as Error).message.split('\n')[0];
      }
    }
    const outcome: RetrainOutcome = {
      runId: run.id,
      baseModelId: base.id,
      candidateModelId: candidate.id,
      candidateName: name,
      candidateDir: trained.modelDir,
      heldOut: { pooled: comparison.pooled, images },
      benchmark,
      decision: { ...decision, promoted },
      repredicted,
      repredictError,
      validationCurve: trained.manifest.provenance.validationCurve,
      losses: tracker.losses,
      trainSeconds,
      totalSeconds: (Date.now() - started) / 1000,
    };
    finishTrainingRun(store, run.id, { status: 'succeeded', outcome }, opts.actor);
    tracker.update({ phase: 'finished', message: decision.reason, etaSeconds: 0 });
    return outcome;
  } catch (err) {
    await closeModel(cand);
    await closeModel(act);
    const wasCancel =
      err instanceof TrainingInterruptedError ||
      err instanceof RetrainCancelledError ||
      (err instanceof Error && err.name === 'AbortError');
    if (!promoted) {
      // The candidate never became active: keep its record (retired) for the trace, or its files go.
      if (candidate) retireModel(store, candidate.id, opts.actor);
      else await rm(candidateDir, { recursive: true, force: true });
    }
    await rm(`${candidateDir}.checkpoint`, { recursive: true, force: true });
    const reason = wasCancel ? 'cancelled by the user' : (err as Error).message.split('\n')[0];
    finishTrainingRun(
      store,
      run.id,
      { status: wasCancel ? 'cancelled' : 'failed', outcome: { reason } },
      opts.actor,
    );
    tracker.update({ phase: 'finished', message: reason, etaSeconds: 0 });
    if (wasCancel) throw new RetrainCancelledError(`retrain cancelled; ${base.name} stays active`);
    throw err;
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
