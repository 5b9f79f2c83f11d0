// The job list once the window is back in touch with the server (its event socket connected again): the server's
// list, read afresh, replaces what the window showed, for the events of the time between were never received. A job
// the window showed queued or running that the server no longer knows went with the server (a restart of an
// in-process job runner): it is shown failed, saying so, rather than running at its last progress for ever.
import type { JobInfo } from '../../../shared/contract.js';
import { isActive } from './jobsDigest.js';

export const LOST_IN_RESTART =
  'RetinaStudio stopped before it finished (the server restarted): start it again';

type Jobs = ReadonlyMap<string, JobInfo>;

/**
 * `asked`: the jobs as shown when the list was asked for. An event may overtake the list's answer: a job it changed
 * since (or started) is kept as the event said.
 */
export function resyncedJobs(asked: Jobs, shown: Jobs, listed: readonly JobInfo[]): Map<string, JobInfo> {
  const next = new Map(listed.map((j) => [j.jobId, j]));
  for (const j of shown.values()) {
    if (j !== asked.get(j.jobId)) next.set(j.jobId, j);
    else if (!next.has(j.jobId))
      // A finished job the server forgot stays as shown, until the user dismisses it.
      next.set(
        j.jobId,
        isActive(j) ? { ...j, state: 'failed', error: { code: 'internal', message: LOST_IN_RESTART } } : j,
      );
  }
  return next;
}

/** The jobs `resyncedJobs` turns into failures, to be said as any failure is. */
export function lostJobs(asked: Jobs, shown: Jobs, listed: readonly JobInfo[]): JobInfo[] {
  const known = new Set(listed.map((j) => j.jobId));
  return [...shown.values()].filter((j) => j === asked.get(j.jobId) && isActive(j) && !known.has(j.jobId));
}
