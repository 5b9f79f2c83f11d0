// The anatomy side of the retrain comparison: each artery/vein and optic-disc task's part of a retrain (skipped or
// failed with why, or its candidate with the gate's verdict and the held-out scores), read from the runs the
// retrain recorded; and the report of a retrain whose vessel part had nothing to do, known by its first anatomy run.
import type { AnatomyRetrainPart, ModelSummary, RetrainRunReport } from '../../shared/contract.js';
import type { AnatomyRetrainOutcome } from '../retrain/anatomy-run.js';
import type { AnatomySnapshot } from '../retrain/anatomy-snapshot.js';
import type { RecordedAnatomyPart, RetrainParts } from '../retrain/retrain-all.js';
import { getTrainingRun, type Store, type TrainingRun } from '../store/index.js';
import { toId } from './ids.js';
import { anatomyHeldOut } from './model-lineage.js';
import { verdictOf } from './verdict.js';

type Summarise = (modelId: number) => Promise<ModelSummary>;

interface AnatomyRunConfig {
  task: AnatomyRetrainPart['task'];
  trigger?: string;
  parent: { id: number; name: string };
  snapshot: Pick<AnatomySnapshot, 'train' | 'heldOut' | 'replay'>;
}

const notJudged = (
  task: AnatomyRetrainPart['task'],
  outcome: 'skipped' | 'failed',
  reason: string,
): AnatomyRetrainPart => ({
  task,
  outcome,
  reason,
  runId: null,
  parent: null,
  candidate: null,
  heldOut: null,
  decision: null,
});

/** One anatomy run as a part: its candidate as it stands now, or why the run did not finish. */
async function runPart(run: TrainingRun, summarise: Summarise): Promise<AnatomyRetrainPart> {
  const cfg = run.config as AnatomyRunConfig;
  const parent = { id: toId(cfg.parent.id), name: cfg.parent.name };
  if (run.status !== 'succeeded') {
    const why = (run.outcome as { reason?: string } | null)?.reason ?? run.status;
    return { ...notJudged(cfg.task, 'failed', why), runId: toId(run.id), parent };
  }
  const o = run.outcome as AnatomyRetrainOutcome;
  return {
    task: cfg.task,
    outcome: 'judged',
    reason: null,
    runId: toId(run.id),
    parent,
    candidate: await summarise(o.candidateModelId),
    heldOut: anatomyHeldOut(o),
    decision: verdictOf(o.decision, o.heldOut.images.length),
  };
}

function recordedParts(run: TrainingRun): Partial<RetrainParts> {
  return (run.outcome ?? {}) as Partial<RetrainParts>;
}

/** The anatomy parts a retrain recorded on its first run (`fallback` for a run that recorded none). */
export async function anatomyParts(
  store: Store,
  run: TrainingRun,
  summarise: Summarise,
  fallback: AnatomyRetrainPart[] = [],
): Promise<AnatomyRetrainPart[]> {
  const recorded = recordedParts(run).anatomyParts;
  if (!recorded) return fallback;
  return Promise.all(
    recorded.map((p: RecordedAnatomyPart) =>
      'runId' in p
        ? runPart(p.runId === run.id ? run : getTrainingRun(store, p.runId), summarise)
        : 'skipped' in p
          ? notJudged(p.task, 'skipped', p.skipped)
          : notJudged(p.task, 'failed', p.failed),
    ),
  );
}

/** An anatomy run's report: no vessel candidate or scores; its own part, or every part of the retrain it began. */
export async function anatomyRunReport(
  store: Store,
  run: TrainingRun,
  summarise: Summarise,
): Promise<RetrainRunReport> {
  const cfg = run.config as AnatomyRunConfig;
  const own = await runPart(run, summarise);
  return {
    runId: toId(run.id),
    status: run.status,
    trigger: cfg.trigger ?? 'unknown',
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    reason: own.outcome === 'failed' ? own.reason : null,
    parent: { id: toId(cfg.parent.id), name: cfg.parent.name },
    candidate: null,
    data: {
      train: cfg.snapshot.train.length,
      validation: 0,
      heldOut: cfg.snapshot.heldOut.length,
      replay: cfg.snapshot.replay.length,
    },
    seed: run.seed,
    heldOut: null,
    benchmark: null,
    decision: null,
    losses: [],
    validation: [],
    trainSeconds: null,
    vesselSkipped: recordedParts(run).vesselSkipped ?? null,
    anatomy: await anatomyParts(store, run, summarise, [own]),
  };
}
