// The one click: the vessel retrain (run.ts), then each anatomy task's (anatomy-run.ts), in one worker, with the
// same settings, progress events and cancel. A part with nothing to do is skipped with its reason; only when no
// part can run at all does the whole refuse, with the vessel's reason (and the anatomy ones where a task had
// corrections, so the user sees what each needs).
import { availableParallelism } from 'node:os';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import { activeModel, amendTrainingRunOutcome, type Store } from '../store/index.js';
import { repredictDraftFree } from './repredict.js';
import { skippedSummary } from '../jobs/index.js';
import { retrainAnatomy, type AnatomyTaskResult } from './anatomy-run.js';
import { RetrainCancelledError, RetrainError } from './errors.js';
import { effectiveSettings, runRetrain, type RetrainOptions, type RetrainOutcome } from './run.js';

export interface RetrainAllOutcome {
  /** The vessel retrain's outcome, or null when it had nothing to do (`vesselSkipped` says why). */
  vessel: RetrainOutcome | null;
  vesselSkipped: string | null;
  anatomy: AnatomyTaskResult[];
  /** Draft-free images predicted again because an anatomy candidate became active (0 when none did). */
  anatomyRepredicted: number;
  /** Why that re-prediction failed (the promotions stand), or null. */
  anatomyRepredictError: string | null;
}

export interface RetrainAllOptions extends RetrainOptions {
  /** The anatomy models predictions use when the store has none of a task registered (null: none here). */
  anatomyDirs: { arteryVein: string; opticDisc: string } | null;
  /** Default: `promote`. */
  anatomyPromote?: 'if-better' | 'never';
}

/** What each anatomy task did in a retrain, as its first run records it (`anatomyParts` in its outcome). */
export type RecordedAnatomyPart =
  | { task: AnatomyTask; skipped: string; corrections: number }
  | { task: AnatomyTask; failed: string }
  | { task: AnatomyTask; runId: number };

/** The fields a retrain adds to its first run's outcome once every part has run. */
export interface RetrainParts {
  anatomyParts: RecordedAnatomyPart[];
  /** Why the vessel part did nothing (the first run is then an anatomy run), or null. */
  vesselSkipped: string | null;
}

/** What the run ended with, in one line per part (the status message and the CLI's summary). */
export function describeAll(o: RetrainAllOutcome): string {
  const parts = [o.vessel ? o.vessel.decision.reason : `vessel: ${o.vesselSkipped}`];
  for (const a of o.anatomy) {
    if ('skipped' in a) {
      if (a.corrections > 0) parts.push(a.skipped);
    } else if ('failed' in a) {
      parts.push(`${a.failed} (failed)`);
    } else {
      const d = a.outcome.decision;
      parts.push(`${a.task}: ${d.reason}${d.promoted ? ' (promoted)' : ''}`);
    }
  }
  return parts.join('; ');
}

export async function runRetrainAll(store: Store, opts: RetrainAllOptions): Promise<RetrainAllOutcome> {
  let vessel: RetrainOutcome | null = null;
  let refusal: RetrainError | null = null;
  // The retrain is known by its first run (the one the UI is told of): later parts' runs are recorded on it.
  let firstRun: number | null = null;
  const onStarted = (runId: number): void => {
    if (firstRun !== null) return;
    firstRun = runId;
    opts.onStarted?.(runId);
  };
  try {
    vessel = await runRetrain(store, { ...opts, onStarted });
  } catch (err) {
    // A RetrainError comes before the vessel run exists: nothing to do there, which need not stop the anatomy.
    if (!(err instanceof RetrainError)) throw err;
    refusal = err;
  }
  const tasks: { task: AnatomyTask; fallbackDir: string | null }[] = [
    { task: 'artery-vein', fallbackDir: opts.anatomyDirs?.arteryVein ?? null },
    { task: 'optic-disc', fallbackDir: opts.anatomyDirs?.opticDisc ?? null },
  ];
  const anatomy = await retrainAnatomy(store, tasks, {
    actor: opts.actor,
    trigger: opts.trigger,
    settings: effectiveSettings(store, opts.settings),
    promote: opts.anatomyPromote ?? opts.promote,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onStarted,
    threads: opts.threads ?? availableParallelism(),
    modelsDir: opts.modelsDir,
  });
  // A cancel stops the parts still to run; only when no part has finished is the whole retrain cancelled. One that
  // finished stands (its candidate registered, perhaps already active) and is reported as such.
  if (opts.signal?.aborted && !vessel && !anatomy.some((a) => 'outcome' in a))
    throw new RetrainCancelledError('retrain cancelled; the active models stay as they were');
  if (refusal && anatomy.every((a) => 'skipped' in a)) {
    const corrected = anatomy.filter((a) => 'skipped' in a && a.corrections > 0);
    if (corrected.length === 0) throw refusal;
    throw new RetrainError(
      // One sentence per part: they ran together ("...training data) artery/vein: only 1...").
      [refusal.message, ...corrected.map((a) => ('skipped' in a ? a.skipped : ''))].join('; '),
    );
  }
  if (firstRun !== null) recordParts(store, firstRun, anatomy, refusal?.message ?? null);
  const after = await repredictForAnatomy(store, anatomy, opts);
  return { vessel, vesselSkipped: refusal?.message ?? null, anatomy, ...after };
}

function recordParts(
  store: Store,
  runId: number,
  anatomy: AnatomyTaskResult[],
  vesselSkipped: string | null,
): void {
  const parts: RetrainParts = {
    anatomyParts: anatomy.map((a) => ('outcome' in a ? { task: a.task, runId: a.outcome.runId } : a)),
    vesselSkipped,
  };
  amendTrainingRunOutcome(store, runId, { ...parts });
}

/**
 * Once an anatomy candidate is active, the images nobody has worked on are predicted again, as after a vessel
 * promotion, so their labels and disc come from it. A failure here does not undo the promotion.
 */
async function repredictForAnatomy(
  store: Store,
  anatomy: AnatomyTaskResult[],
  opts: RetrainAllOptions,
): Promise<Pick<RetrainAllOutcome, 'anatomyRepredicted' | 'anatomyRepredictError'>> {
  const promoted = anatomy.some((a) => 'outcome' in a && a.outcome.decision.promoted);
  const vessel = activeModel(store);
  if (!promoted || !vessel) return { anatomyRepredicted: 0, anatomyRepredictError: null };
  try {
    const done = await repredictDraftFree(store, vessel, {
      author: opts.actor,
      threads: opts.threads ?? availableParallelism(),
      hooks: { isCancelled: () => opts.signal?.aborted === true, progress: () => undefined },
    });
    return { anatomyRepredicted: done.predicted.length, anatomyRepredictError: skippedSummary(done.skipped) };
  } catch (err) {
    return { anatomyRepredicted: 0, anatomyRepredictError: (err as Error).message.split('\n')[0] };
  }
}
