// One retrain, start to end: the code path behind the workstation's Retrain button and `retina retrain` alike.
// Each step lives in its own module:
//   plan (active model, snapshot of new approvals/held-out/validation/replay, fine-tune config; plan.ts) →
//   training run row → train the candidate on a temporary training set (progress, ETA, loss curve, cancel) and
//   register it with its lineage and exact mask versions (candidate.ts) → score candidate and active model on the
//   same held-out images and a configured benchmark (scoring.ts) → decide by the promotion gate (gate.ts: a paired
//   bootstrap on the held-out images a person corrected); promote only a clearly better candidate, or never,
//   leaving the choice to the user; re-predict draft-free images (promotion.ts) → run finished with its
//   whole outcome, or cleaned up and closed as failed or cancelled (abandon.ts).
// The active model changes only in the promotion step, so a cancel, a failure or a killed process before it
// leaves it as it was.
import { availableParallelism } from 'node:os';
import { finishTrainingRun, startTrainingRun, type Store, type TrainingRun } from '../store/index.js';
import { abandonRun, type RunLeftovers } from './abandon.js';
import { candidatePlace, registerCandidate, trainCandidate } from './candidate.js';
import type { RetrainOutcome } from './outcome.js';
import { describePlan, planRetrain, type RetrainPlan } from './plan.js';
import { ProgressTracker, type RetrainProgress } from './progress.js';
import {
  judgeCandidate,
  promoteCandidate,
  repredictWithCandidate,
  type RepredictResult,
} from './promotion.js';
import { scoreModels } from './scoring.js';
import type { RetrainSettings } from './settings.js';
import { RETRAIN_RUN_KINDS, VESSEL_RUN_KIND } from './run-kinds.js';

export { overlayPath, runArtifactsDir } from './artifacts.js';
export type { BenchmarkScores, HeldOutImageReport, RetrainOutcome } from './outcome.js';
export { effectiveSettings } from './plan.js';
export type { RetrainPhase, RetrainProgress } from './progress.js';

export interface RetrainOptions {
  actor: string;
  trigger: 'button' | 'cli' | 'auto';
  /** Overrides of the stored settings for this run only. */
  settings?: Partial<RetrainSettings>;
  /** 'if-better': promote when the gate finds it better; 'never': leave the choice to the user. */
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

/** The training run row, with the whole plan as its config (what `retina runs` and the UI show). */
function startRun(store: Store, plan: RetrainPlan, opts: RetrainOptions): TrainingRun {
  const { base, settings, config, snapshot } = plan;
  return startTrainingRun(
    store,
    {
      config: {
        kind: VESSEL_RUN_KIND,
        trigger: opts.trigger,
        parent: { id: base.id, name: base.name, dir: base.dirPath },
        settings,
        train: config,
        snapshot,
      },
      seed: config.seed,
      baseModelId: base.id,
    },
    opts.actor,
    { exclusiveOf: RETRAIN_RUN_KINDS },
  );
}

/** Runs one retrain (see the header). Throws RetrainError before a run row exists when nothing can be done. */
export async function runRetrain(store: Store, opts: RetrainOptions): Promise<RetrainOutcome> {
  const { actor, signal } = opts;
  const threads = opts.threads ?? availableParallelism();
  const plan = await planRetrain(store, opts.settings);
  const { base, config } = plan;
  const run = startRun(store, plan, opts);
  opts.onStarted?.(run.id);
  const started = Date.now();
  const emit = opts.onProgress ?? (() => undefined);
  const tracker = new ProgressTracker(
    store,
    run.id,
    config.epochs,
    config.epochs * config.stepsPerEpoch,
    emit,
  );
  tracker.update({}, describePlan(plan));
  const place = candidatePlace(store, base, run.id, opts.modelsDir);
  const made: RunLeftovers = { candidateDir: place.dir, candidate: null, promoted: false };
  try {
    const trained = await trainCandidate(store, plan, place, {
      runId: run.id,
      workers: opts.workers,
      signal,
      tracker,
    });
    const candidate = registerCandidate(store, plan, place, trained, run.id, actor);
    made.candidate = candidate;

    const scores = await scoreModels(store, plan, trained.modelDir, {
      runId: run.id,
      threads,
      signal,
      tracker,
    });

    const decision = judgeCandidate(store, candidate, plan, scores, actor);
    let after: RepredictResult = { repredicted: 0, repredictError: null };
    if (decision.better && opts.promote === 'if-better') {
      promoteCandidate(store, candidate, decision, run.id, actor);
      made.promoted = true;
      after = await repredictWithCandidate(store, candidate, decision, { actor, threads, signal, tracker });
    }

    const outcome: RetrainOutcome = {
      runId: run.id,
      baseModelId: base.id,
      candidateModelId: candidate.id,
      candidateName: place.name,
      candidateDir: trained.modelDir,
      heldOut: { pooled: scores.comparison.pooled, images: scores.images },
      benchmark: scores.benchmark,
      decision: { ...decision, promoted: made.promoted },
      repredicted: after.repredicted,
      repredictError: after.repredictError,
      validationCurve: trained.manifest.provenance.validationCurve,
      losses: tracker.losses,
      trainSeconds: trained.trainSeconds,
      totalSeconds: (Date.now() - started) / 1000,
    };
    finishTrainingRun(store, run.id, { status: 'succeeded', outcome }, actor);
    tracker.update({ phase: 'finished', message: decision.reason, etaSeconds: 0 });
    return outcome;
  } catch (err) {
    throw await abandonRun(store, run.id, err, made, { actor, baseName: base.name, tracker });
  }
}
