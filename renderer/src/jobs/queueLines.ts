// What the jobs tray adds for a team queue's job: where it runs ("on scanner-pc · attempt 2", "waiting for a
// worker") and its log's last lines, retries marked, so a job that moved after its worker died says so.
import type { QueueJob } from '../../../shared/contract.js';
import { STALE_AFTER_SECONDS } from '../../../shared/queue-timing.js';

/**
 * One line: who has the job, and which attempt when it is not the first; for a running job whose worker has not
 * beaten for longer than the queue waits, that it has gone quiet (killed, asleep, cut off) and what happens next.
 */
export function whereLine(job: QueueJob, now = Date.now()): string {
  const retry = job.attempt > 1 ? ` · attempt ${job.attempt}` : '';
  if (job.state === 'queued')
    return job.attempt > 0 ? `waiting for a worker to retry it${retry}` : 'waiting for a worker';
  if (!job.worker) return '';
  const quiet = job.state === 'running' && job.heartbeatAt ? (now - Date.parse(job.heartbeatAt)) / 1000 : 0;
  if (quiet > STALE_AFTER_SECONDS)
    return (
      // The server hands it back within seconds (team-sweep.ts), even with no worker left.
      `on ${job.worker}${retry} · not answering for ${Math.round(quiet)} s: the job goes back to the queue`
    );
  return `${job.state === 'running' ? 'on' : 'ran on'} ${job.worker}${retry}`;
}

/** The last `n` log lines, each prefixed with its attempt when the job had more than one. */
export function lastLogLines(job: QueueJob, n = 4): string[] {
  const many = job.log.some((l) => l.attempt !== job.log[0]?.attempt);
  return job.log.slice(-n).map((l) => (many ? `#${l.attempt} ${l.line}` : l.line));
}
