// A retrain that fails or is cancelled: undo what it made (unless the candidate already became active), close
// its run row with the reason, and say what to throw.
import { rm } from 'node:fs/promises';
import { TrainingInterruptedError } from '../ml/train/training-run.js';
import { finishTrainingRun, retireModel, type ModelRecord, type Store } from '../store/index.js';
import { RetrainCancelledError } from './errors.js';
import type { ProgressTracker } from './progress.js';

/** What the run has made so far: what a failure must clean up. */
export interface RunLeftovers {
  candidateDir: string;
  /** Registered once trained. */
  candidate: ModelRecord | null;
  /** Set the moment it becomes active: from then on it stays, whatever fails after. */
  promoted: boolean;
}

function isCancellation(err: unknown): boolean {
  return (
    err instanceof TrainingInterruptedError ||
    err instanceof RetrainCancelledError ||
    (err instanceof Error && err.name === 'AbortError')
  );
}

/** Returns the error the run ends with: a RetrainCancelledError for a cancel, else `err` itself. */
export async function abandonRun(
  store: Store,
  runId: number,
  err: unknown,
  made: RunLeftovers,
  opts: { actor: string; baseName: string; tracker: ProgressTracker },
): Promise<unknown> {
  const wasCancel = isCancellation(err);
  if (!made.promoted) {
    // The candidate never became active: keep its record (retired) for the trace, or its files go.
    if (made.candidate) retireModel(store, made.candidate.id, opts.actor);
    else await rm(made.candidateDir, { recursive: true, force: true });
  }
  await rm(`${made.candidateDir}.checkpoint`, { recursive: true, force: true });
  const reason = wasCancel ? 'cancelled by the user' : (err as Error).message.split('\n')[0];
  finishTrainingRun(
    store,
    runId,
    { status: wasCancel ? 'cancelled' : 'failed', outcome: { reason } },
    opts.actor,
  );
  opts.tracker.update({ phase: 'finished', message: reason, etaSeconds: 0 });
  return wasCancel ? new RetrainCancelledError(`retrain cancelled; ${opts.baseName} stays active`) : err;
}
