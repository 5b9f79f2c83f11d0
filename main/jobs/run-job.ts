// A predict or import job's body with its outcome as the job list reports it: the one code path behind the
// single-user job worker thread (job-worker.ts) and a team's `retina worker` (queue/team-worker.ts).
import { toErrorPayload, type ErrorPayload, type JobInfo } from '../../shared/contract.js';
import type { Store } from '../store/index.js';
import type { JobHooks, JobSpec } from './job-types.js';
import { runImportJob } from './import.js';
import { importError, importMessage } from './import-outcome.js';
import { runPredictJob } from './predict.js';
import { predictError, predictMessage } from './predict-outcome.js';

type WithoutDb<T> = T extends unknown ? Omit<T, 'dbPath'> : never;
/** What a job does, whichever database it runs against. */
export type JobWork = WithoutDb<JobSpec>;

export interface JobResult {
  /** Images created or changed. */
  imageIds: number[];
  message: string;
  /** Set when nothing useful was done because of bad input (e.g. every file unreadable). */
  error: ErrorPayload | null;
  cancelled: boolean;
  failures?: JobInfo['failures'];
}

/** A throw no part of main made for the user (a bug): its stack goes to the support log. */
export function isUnexpected(err: unknown): boolean {
  return toErrorPayload(err).code === 'internal';
}

/** A job body's throw as the job's error: a model that cannot be opened or run is the model's fault. */
export function jobError(kind: JobWork['kind'] | 'retrain', err: unknown): ErrorPayload {
  const e = toErrorPayload(err);
  if (kind !== 'predict') return e;
  return e.code === 'internal' && /onnx|model/i.test(`${(err as Error)?.name} ${e.message}`)
    ? { code: 'model-failed', message: e.message }
    : e;
}

/** Runs one job on `store`; `jobId` names a team job, whose predictions are saved once per image. */
export async function runJob(
  store: Store,
  work: JobWork,
  hooks: JobHooks,
  jobId: string | null = null,
): Promise<JobResult> {
  if (work.kind === 'predict') {
    const outcome = await runPredictJob(store, { ...work, jobId }, hooks);
    const reached = outcome.predicted.length + outcome.skipped.length;
    return {
      imageIds: outcome.predicted,
      message: predictMessage(outcome),
      error: predictError(outcome),
      cancelled: hooks.isCancelled() && reached < work.imageIds.length,
      ...(outcome.skipped.length > 0
        ? { failures: outcome.skipped.map(({ file, reason }) => ({ file, reason })) }
        : {}),
    };
  }
  const outcome = await runImportJob(store, work.source, work.actor, hooks);
  return {
    imageIds: outcome.report.imported.map((i) => i.imageId),
    message: importMessage(outcome),
    error: importError(outcome),
    cancelled: hooks.isCancelled(),
    // Warnings share the failures' list, marked: the tray keeps the job until the user has read them, under their own label.
    failures: [...outcome.failures, ...outcome.warnings.map((w) => ({ ...w, warning: true as const }))],
  };
}
