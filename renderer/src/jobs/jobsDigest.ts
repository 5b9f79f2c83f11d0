// What the jobs tray says when collapsed ("2 running, 1 failed") and which jobs need the user: a failed job, or
// an import that finished with files it could not import, stays until the user dismisses it.
import type { JobInfo } from '../../../shared/contract.js';

export const isActive = (j: JobInfo): boolean => j.state === 'queued' || j.state === 'running';

/** Failed, or done with files not imported (images not predicted): shown until dismissed, never collapsed away. */
export const needsAttention = (j: JobInfo): boolean =>
  j.state === 'failed' || (j.state === 'done' && (j.failures?.length ?? 0) > 0);

/** Done, and all it lists imported fine with something to read: no file failed. */
export const onlyWarnings = (j: JobInfo): boolean => (j.failures ?? []).every((f) => f.warning);

export interface JobsDigest {
  /** e.g. "2 running, 1 failed"; "" when there are no jobs. */
  text: string;
  active: number;
  attention: number;
  /** Finished jobs that "Dismiss finished" clears: done or cancelled, with nothing left to read. */
  clearable: string[];
}

export function digestJobs(jobs: Iterable<JobInfo>): JobsDigest {
  const counts = {
    running: 0,
    queued: 0,
    failed: 0,
    'with errors': 0,
    'with warnings': 0,
    done: 0,
    cancelled: 0,
  };
  const clearable: string[] = [];
  let attention = 0;
  for (const j of jobs) {
    if (needsAttention(j)) attention++;
    if (j.state === 'done' && needsAttention(j)) counts[onlyWarnings(j) ? 'with warnings' : 'with errors']++;
    else counts[j.state]++;
    if ((j.state === 'done' || j.state === 'cancelled') && !needsAttention(j)) clearable.push(j.jobId);
  }
  const text = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`)
    .join(', ');
  return { text, active: counts.running + counts.queued, attention, clearable };
}

/** Newest first, so what the user just started is at the top. */
export const newestFirst = (jobs: Iterable<JobInfo>): JobInfo[] =>
  [...jobs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
