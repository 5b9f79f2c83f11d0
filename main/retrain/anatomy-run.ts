// One anatomy task's retrain (artery/vein or optic disc), run by the same click as the vessel retrain and built from
// its pieces: the settings, a training run row, the candidate's place and registration with the exact corrections
// it learnt from, the gate, promotion of a better candidate only, and the clean-up of a failed or cancelled run
// (abandon.ts). Its steps: plan (the task's model, the snapshot of corrections; anatomy-plan.ts) → run row →
// fine-tune the candidate from the task's active model on the corrections new to it plus replay of its own training
// images when they are here, in the active vessel model's frame → register it → score both models on the held-out
// corrections (anatomy-scoring.ts) → the gate (anatomy-gate.ts) → promote only a better one → run finished.
import { join } from 'node:path';
import type { PromotionVerdict } from '../../shared/contract.js';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import { trainAnatomyModel } from '../ml/anatomy/anatomy-training.js';
import { TFJS_SUBDIR } from '../ml/model/model-dir.js';
import { recordFingerprints } from '../ml/image/thumbnail-fingerprint.js';
import { openModel, type LoadedModel } from '../ml/model/model-loader.js';
import {
  activeModel,
  finishTrainingRun,
  imageFilePath,
  promoteModel,
  registerModel,
  startTrainingRun,
  updateModelMetrics,
  type Store,
} from '../store/index.js';
import { abandonRun, type RunLeftovers } from './abandon.js';
import {
  judgeAnatomy,
  judgedMeans,
  markJudged,
  ANATOMY_MEASURES,
  type AnatomyImageScore,
} from './anatomy-gate.js';
import { planAnatomyTask, type AnatomyPlan } from './anatomy-plan.js';
import { prepareAnatomySamples, scoreAnatomyHeldOut } from './anatomy-scoring.js';
import {
  ANATOMY_RUN_KIND,
  anatomyTrainingRefs,
  taskCorrections,
  TASK_LABEL,
  tooFewCorrections,
} from './anatomy-snapshot.js';
import { RETRAIN_RUN_KINDS } from './run-kinds.js';
import { anatomyFineTuneConfig } from './anatomy-tasks.js';
import { candidatePlace, storeSampleName } from './candidate.js';
import { RetrainCancelledError, throwIfCancelled } from './errors.js';
import { ProgressTracker, type RetrainProgress } from './progress.js';
import type { RetrainSettings } from './settings.js';

export interface AnatomyRetrainOutcome {
  task: AnatomyTask;
  runId: number;
  baseModelId: number;
  candidateModelId: number;
  candidateName: string;
  candidateDir: string;
  /** The approved mask versions whose corrections the candidate was fitted on. */
  trainedOn: number[];
  /** The base model's own training images mixed in. */
  replay: string[];
  heldOut: { measure: string; images: AnatomyImageScore[] };
  decision: PromotionVerdict;
  trainSeconds: number;
  totalSeconds: number;
}

export type AnatomyTaskResult =
  | { task: AnatomyTask; skipped: string; corrections: number }
  /** Its run failed (closed as failed, its leftovers removed); the other parts of the retrain still stand. */
  | { task: AnatomyTask; failed: string }
  | { task: AnatomyTask; outcome: AnatomyRetrainOutcome };

export interface AnatomyRetrainOptions {
  actor: string;
  trigger: string;
  settings: RetrainSettings;
  /** 'if-better': promote a candidate the gate finds better; 'never': only compare. */
  promote: 'if-better' | 'never';
  /** The task's model predictions use when the store has none registered (the bundled or configured one). */
  fallbackDir: string | null;
  signal?: AbortSignal;
  onProgress?: (p: RetrainProgress) => void;
  onStarted?: (runId: number) => void;
  threads: number;
  modelsDir?: string;
}

async function runPlanned(
  store: Store,
  plan: AnatomyPlan,
  vessel: LoadedModel,
  opts: AnatomyRetrainOptions,
): Promise<AnatomyRetrainOutcome> {
  const { base, snapshot, task, kit } = plan;
  const { actor, signal, settings } = opts;
  const config = anatomyFineTuneConfig(kit, plan.manifest, settings);
  const run = startTrainingRun(
    store,
    {
      config: {
        kind: ANATOMY_RUN_KIND,
        task,
        trigger: opts.trigger,
        parent: { id: base.id, name: base.name, dir: base.dirPath },
        settings,
        train: config,
        snapshot,
      },
      seed: settings.seed,
      baseModelId: base.id,
    },
    actor,
    { exclusiveOf: RETRAIN_RUN_KINDS },
  );
  opts.onStarted?.(run.id);
  const started = Date.now();
  const tracker = new ProgressTracker(
    store,
    run.id,
    config.epochs,
    config.epochs * config.stepsPerEpoch,
    opts.onProgress ?? (() => undefined),
    TASK_LABEL[task],
  );
  const label = TASK_LABEL[task];
  tracker.update(
    { message: `retraining the ${label} model` },
    `retraining ${base.name}: ${snapshot.train.length} corrected + ${snapshot.replay.length} replay images, ` +
      `${snapshot.heldOut.length} held out`,
  );
  const place = candidatePlace(store, base, run.id, opts.modelsDir);
  const made: RunLeftovers = { candidateDir: place.dir, candidate: null, promoted: false };
  try {
    const fit = await prepareAnatomySamples(store, plan, vessel, snapshot.train, snapshot.replay);
    const corrected = fit.slice(0, snapshot.train.length);
    throwIfCancelled(signal);
    const trainStart = Date.now();
    tracker.update({ phase: 'training', message: `training the ${label} candidate` });
    const manifest = await trainAnatomyModel({
      config,
      anatomy: { task, input: 'rgb-clahe', downsample: kit.downsample },
      fit,
      // The epoch that fits the new corrections best; the held-out ones judge it.
      val: corrected,
      frame: plan.manifest.frame ?? vessel.manifest.frame!,
      datasetLabel: `corrections in the store${snapshot.replay.length ? ` + ${plan.manifest.provenance.dataset}` : ''}`,
      // The corrected photographs and the replayed ones, after what the base model's lineage learnt.
      sampleFingerprints: await recordFingerprints(
        [
          ...snapshot.train.map(
            (e) => [storeSampleName(store, e.imageId), imageFilePath(store, e.imageId)] as const,
          ),
          ...anatomyTrainingRefs(task, plan.manifest)
            .filter((r) => snapshot.replay.includes(r.id))
            .map((r) => [r.id, r.imagePath] as const),
        ],
        plan.manifest.sampleFingerprints,
      ),
      out: place.dir,
      name: place.name,
      validate: kit.validate,
      // Cancel is honoured before each training step.
      signal,
      initialTfjsDir: join(base.dirPath, TFJS_SUBDIR),
      threshold: plan.manifest.threshold,
      onLog: (line) => tracker.update({ message: `${label}: ${line}` }, line),
      // The bar, step count and ETA move as the vessel model's do (they stayed at step 0 of N).
      onStep: (e) => tracker.onTrain(e, label),
    });
    const trainSeconds = (Date.now() - trainStart) / 1000;
    throwIfCancelled(signal);
    const candidate = registerModel(
      store,
      {
        name: place.name,
        dirPath: place.dir,
        architecture: manifest.architecture,
        parentModelId: base.id,
        trainingRunId: run.id,
        task,
        trainedOn: snapshot.train.map((e) => ({ maskVersionId: e.maskVersionId, role: 'train' as const })),
      },
      actor,
    );
    made.candidate = candidate;

    tracker.update({ phase: 'evaluating', message: `scoring both ${label} models on the held-out images` });
    const heldOut = await prepareAnatomySamples(store, plan, vessel, snapshot.heldOut, []);
    const images = markJudged(await scoreAnatomyHeldOut(plan, heldOut, place.dir, opts.threads), snapshot);
    throwIfCancelled(signal);
    const verdict = judgeAnatomy(
      task,
      images,
      {
        minImages: settings.minHeldOut,
        margin: settings.promotionMargin,
        seed: settings.seed,
      },
      snapshot,
    );
    // The scores the gate decided on: an image the lineage learnt is scored and shown, not counted.
    const means = judgedMeans(images);
    updateModelMetrics(
      store,
      candidate.id,
      {
        heldOut: {
          measure: ANATOMY_MEASURES[task].gain,
          candidate: means.candidate,
          active: means.active,
          images: means.images,
        },
      },
      actor,
    );
    if (verdict.better && opts.promote === 'if-better') {
      promoteModel(store, candidate.id, actor, { reason: verdict.reason, override: false, runId: run.id });
      made.promoted = true;
    }
    const outcome: AnatomyRetrainOutcome = {
      task,
      runId: run.id,
      baseModelId: base.id,
      candidateModelId: candidate.id,
      candidateName: place.name,
      candidateDir: place.dir,
      trainedOn: snapshot.train.map((e) => e.maskVersionId),
      replay: snapshot.replay,
      heldOut: { measure: ANATOMY_MEASURES[task].gain, images },
      decision: { ...verdict, promoted: made.promoted },
      trainSeconds,
      totalSeconds: (Date.now() - started) / 1000,
    };
    finishTrainingRun(store, run.id, { status: 'succeeded', outcome }, actor);
    tracker.update({ phase: 'finished', message: `${label}: ${verdict.reason}`, etaSeconds: 0 });
    return outcome;
  } catch (err) {
    throw await abandonRun(store, run.id, err, made, { actor, baseName: base.name, tracker });
  }
}

/** Opens the active vessel model (or the bundled one): the frame every anatomy sample is placed in. */
async function openFramingModel(store: Store, threads: number): Promise<LoadedModel> {
  return openModel(activeModel(store)?.dirPath, { threads });
}

/** A task the user's cancel stopped (its run, if it had one, is closed as cancelled). */
export const CANCELLED_PART = 'cancelled by the user';

/**
 * Retrains each anatomy task that has enough corrections; a task without them is skipped with the reason, and one
 * whose run fails is reported as failed without losing the others. A cancel stops them all: the task it stopped
 * and those after it are skipped as cancelled (the caller decides whether anything of the retrain stands).
 */
export async function retrainAnatomy(
  store: Store,
  tasks: { task: AnatomyTask; fallbackDir: string | null }[],
  opts: Omit<AnatomyRetrainOptions, 'fallbackDir'>,
): Promise<AnatomyTaskResult[]> {
  const results: AnatomyTaskResult[] = [];
  let vessel: LoadedModel | null = null;
  const cancelled = (task: AnatomyTask): AnatomyTaskResult => ({
    task,
    skipped: `${TASK_LABEL[task]}: ${CANCELLED_PART}`,
    corrections: taskCorrections(store, task).length,
  });
  try {
    for (const { task, fallbackDir } of tasks) {
      if (opts.signal?.aborted) {
        results.push(cancelled(task));
        continue;
      }
      const o = { ...opts, fallbackDir };
      // A task nobody corrected enough is skipped before anything is opened or registered.
      const n = taskCorrections(store, task).length;
      const few = tooFewCorrections(task, n, opts.settings);
      if (few) {
        results.push({ task, skipped: few, corrections: n });
        continue;
      }
      vessel ??= await openFramingModel(store, opts.threads);
      const step = await planAnatomyTask(store, task, vessel, o);
      if ('skipped' in step) results.push({ task, skipped: step.skipped, corrections: step.corrections });
      else {
        try {
          results.push({ task, outcome: await runPlanned(store, step.plan, vessel, o) });
        } catch (err) {
          if (err instanceof RetrainCancelledError) results.push(cancelled(task));
          else
            results.push({ task, failed: `${TASK_LABEL[task]}: ${(err as Error).message.split('\n')[0]}` });
        }
      }
    }
  } finally {
    if (vessel) await vessel.predictor.dispose();
  }
  return results;
}
