// The team queue as the contract shows it: a `jobs` row and its log as a QueueJob, a QueueJob as the job list's
// JobInfo (the single-user tray's shape), a retrain job as the retrain panel's status, and which jobs changed
// between two looks.
import type { JobInfo, JobLogEntry, JobState, QueueJob, RetrainStatus } from '../../../shared/contract.js';
import type { JobLogLine, TeamJob } from '../../store/index.js';
import { initialStatus } from '../../retrain/service.js';

export function queueJobOf(job: TeamJob, log: JobLogLine[]): QueueJob {
  return {
    jobId: job.id,
    kind: job.kind,
    state: job.state satisfies JobState,
    done: job.done,
    total: job.total,
    message: job.message,
    error: job.error as JobInfo['error'],
    startedAt: job.startedAt ?? job.createdAt,
    ...(job.failures ? { failures: job.failures } : {}),
    actor: job.actor,
    worker: job.worker,
    attempt: job.attempt,
    heartbeatAt: job.heartbeatAt,
    log: log.map((l): JobLogEntry => ({ at: l.at, attempt: l.attempt, worker: l.worker, line: l.line })),
  };
}

/** The job list's view of a queued job; retraining has its own panel, so it is not one of them. */
export function jobInfoOf(job: QueueJob): JobInfo | null {
  if (job.kind === 'retrain') return null;
  const { actor: _actor, worker: _worker, attempt: _attempt, log: _log, heartbeatAt: _beat, ...info } = job;
  return { ...info, kind: job.kind };
}

/**
 * Jobs that differ from the last look (`seen`: job id to its last seen form, updated in place), and whether any
 * job left the list (dismissed, or pushed out by newer ones).
 */
export function changedJobs(
  seen: Map<string, string>,
  jobs: QueueJob[],
): { changed: QueueJob[]; removed: boolean } {
  const changed: QueueJob[] = [];
  const present = new Set<string>();
  for (const job of jobs) {
    present.add(job.jobId);
    const form = JSON.stringify(job);
    if (seen.get(job.jobId) !== form) {
      seen.set(job.jobId, form);
      changed.push(job);
    }
  }
  let removed = false;
  for (const id of [...seen.keys()]) {
    if (!present.has(id)) {
      seen.delete(id);
      removed = true;
    }
  }
  return { changed, removed };
}

/** The retrain job's row as the retrain panel's status. */
export function retrainStatusOf(job: TeamJob): RetrainStatus {
  const state: RetrainStatus['state'] =
    job.state === 'done'
      ? 'succeeded'
      : job.state === 'queued'
        ? 'running'
        : job.state === 'running'
          ? 'running'
          : job.state;
  const phase = (
    job.state === 'done' || job.state === 'failed' || job.state === 'cancelled'
      ? 'finished'
      : (job.message ?? 'preparing')
  ) as RetrainStatus['phase'];
  return {
    ...initialStatus(),
    runId: job.runId === null ? null : String(job.runId),
    state,
    phase,
    message: job.state === 'queued' ? 'waiting for a worker' : (job.error?.message ?? job.message ?? ''),
    step: job.done,
    totalSteps: job.total,
    error: job.state === 'failed' ? (job.error as RetrainStatus['error']) : null,
  };
}
