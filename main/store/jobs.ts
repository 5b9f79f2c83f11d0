// The team's job queue as the app sees it (migration v7): one row per queued job with its state, the worker
// running it, progress, a heartbeat and the outcome, and the log lines of every attempt. pg-boss decides who runs
// a job and when it is retried; these rows say what happened. A worker's writes name its attempt, so a worker
// that lost its job (declared dead, the job handed to another) can no longer change it.
import { nowIso, type Store } from './database.js';
import { NotFoundError } from './errors.js';

export type TeamJobKind = 'predict' | 'import' | 'retrain';
export type TeamJobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TeamJob {
  id: string;
  kind: TeamJobKind;
  state: TeamJobState;
  actor: string;
  spec: unknown;
  done: number;
  total: number;
  message: string | null;
  error: { code: string; message: string } | null;
  failures: { file: string; reason: string; warning?: true }[] | null;
  worker: string | null;
  attempt: number;
  runId: number | null;
  dismissed: boolean;
  createdAt: string;
  startedAt: string | null;
  heartbeatAt: string | null;
  finishedAt: string | null;
}

export interface JobLogLine {
  attempt: number;
  worker: string | null;
  at: string;
  line: string;
}

/** Who holds a job: the attempt a worker claimed. */
export interface JobClaim {
  jobId: string;
  attempt: number;
  worker: string;
}

interface JobRow {
  id: string;
  kind: TeamJobKind;
  state: TeamJobState;
  actor: string;
  spec: string;
  done: number;
  total: number;
  message: string | null;
  error: string | null;
  failures: string | null;
  worker: string | null;
  attempt: number;
  run_id: number | null;
  dismissed: number;
  created_at: string;
  started_at: string | null;
  heartbeat_at: string | null;
  finished_at: string | null;
}

const FINAL: readonly TeamJobState[] = ['done', 'failed', 'cancelled'];
/** Longest log line kept: a line is for a person reading the queue, not a dump. */
const MAX_LINE = 500;

function fromRow(r: JobRow): TeamJob {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    actor: r.actor,
    spec: JSON.parse(r.spec) as unknown,
    done: r.done,
    total: r.total,
    message: r.message,
    error: r.error ? (JSON.parse(r.error) as TeamJob['error']) : null,
    failures: r.failures ? (JSON.parse(r.failures) as TeamJob['failures']) : null,
    worker: r.worker,
    attempt: r.attempt,
    runId: r.run_id,
    dismissed: r.dismissed === 1,
    createdAt: r.created_at,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    finishedAt: r.finished_at,
  };
}

export function createTeamJob(
  store: Store,
  job: { id: string; kind: TeamJobKind; actor: string; spec: unknown; total: number },
): TeamJob {
  store.write('queue a job', () => {
    store.db
      .prepare(
        `INSERT INTO jobs (id, kind, state, actor, spec, total, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
      )
      .run(job.id, job.kind, job.actor, JSON.stringify(job.spec), job.total, nowIso());
  });
  return getTeamJob(store, job.id);
}

export function getTeamJob(store: Store, id: string): TeamJob {
  const job = findTeamJob(store, id);
  if (!job) throw new NotFoundError(`no job ${id}`);
  return job;
}

/** The job, or null when there is no row for it (a pg-boss job not sent by a server of this database). */
export function findTeamJob(store: Store, id: string): TeamJob | null {
  const row = store.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return row ? fromRow(row) : null;
}

/** Jobs newest first (dismissed ones left out unless asked). */
export function listTeamJobs(store: Store, opts: { limit?: number; dismissed?: boolean } = {}): TeamJob[] {
  const rows = store.db
    .prepare(
      `SELECT * FROM jobs ${opts.dismissed ? '' : 'WHERE dismissed = 0'} ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .all(opts.limit ?? 100) as JobRow[];
  return rows.map(fromRow);
}

/** A job another worker still runs: its heartbeat is recent. */
export interface HeldJob {
  heldBy: string;
  attempt: number;
}

/**
 * A worker takes the job: a new attempt, owned by `worker`. Null when the job was cancelled or already ended
 * (pg-boss delivered a job whose outcome is already recorded). `liveSince`: a running job beaten at or after
 * this time is left to its worker (pg-boss delivered it again on its expiry, though that worker is alive).
 */
export function claimTeamJob(store: Store, id: string, worker: string): JobClaim | null;
export function claimTeamJob(
  store: Store,
  id: string,
  worker: string,
  liveSince: string,
): JobClaim | HeldJob | null;
export function claimTeamJob(
  store: Store,
  id: string,
  worker: string,
  liveSince?: string,
): JobClaim | HeldJob | null {
  return store.write('start a job', () => {
    const job = getTeamJob(store, id);
    if (FINAL.includes(job.state)) return null;
    if (
      liveSince !== undefined &&
      job.state === 'running' &&
      job.worker !== null &&
      job.heartbeatAt !== null &&
      job.heartbeatAt >= liveSince
    )
      return { heldBy: job.worker, attempt: job.attempt };
    const attempt = job.attempt + 1;
    const now = nowIso();
    store.db
      .prepare(
        `UPDATE jobs SET state = 'running', worker = ?, attempt = ?, started_at = COALESCE(started_at, ?),
           heartbeat_at = ?, error = NULL WHERE id = ?`,
      )
      .run(worker, attempt, now, now, id);
    appendLogTx(store, { jobId: id, attempt, worker }, `attempt ${attempt} started on ${worker}`);
    return { jobId: id, attempt, worker };
  });
}

const OWNED = `id = ? AND attempt = ? AND worker = ? AND state = 'running'`;

/** Heartbeat, with progress when given; false when the claim is no longer the job's (cancelled or handed on). */
export function beatTeamJob(
  store: Store,
  claim: JobClaim,
  progress?: { done: number; total: number; message: string | null },
): boolean {
  return store.write('record job progress', () => {
    const now = nowIso();
    const changes = progress
      ? store.db
          .prepare(`UPDATE jobs SET heartbeat_at = ?, done = ?, total = ?, message = ? WHERE ${OWNED}`)
          .run(now, progress.done, progress.total, progress.message, claim.jobId, claim.attempt, claim.worker)
          .changes
      : store.db
          .prepare(`UPDATE jobs SET heartbeat_at = ? WHERE ${OWNED}`)
          .run(now, claim.jobId, claim.attempt, claim.worker).changes;
    return changes === 1;
  });
}

function appendLogTx(store: Store, claim: JobClaim, line: string): void {
  const text = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
  store.db
    .prepare('INSERT INTO job_log (job_id, attempt, worker, at, line) VALUES (?, ?, ?, ?, ?)')
    .run(claim.jobId, claim.attempt, claim.worker, nowIso(), text);
}

export function appendJobLog(store: Store, claim: JobClaim, line: string): void {
  store.write('log a job line', () => appendLogTx(store, claim, line));
}

/** The last `limit` lines of a job's log, oldest first. */
export function jobLog(store: Store, jobId: string, limit = 20): JobLogLine[] {
  const rows = store.db
    .prepare('SELECT attempt, worker, at, line FROM job_log WHERE job_id = ? ORDER BY id DESC LIMIT ?')
    .all(jobId, limit) as JobLogLine[];
  return rows.reverse();
}

/** The last `limit` log lines of each of `jobIds` (oldest first), in one query: the queue view asks every second. */
export function recentJobLogs(store: Store, jobIds: string[], limit: number): Map<string, JobLogLine[]> {
  const logs = new Map<string, JobLogLine[]>(jobIds.map((id) => [id, []]));
  if (jobIds.length === 0) return logs;
  const rows = store.db
    .prepare(
      `SELECT job_id, attempt, worker, at, line FROM (
         SELECT job_id, attempt, worker, at, line, id,
           ROW_NUMBER() OVER (PARTITION BY job_id ORDER BY id DESC) AS n
         FROM job_log WHERE job_id IN (${jobIds.map(() => '?').join(', ')})
       ) recent WHERE n <= ? ORDER BY job_id, id`,
    )
    .all(...jobIds, limit) as (JobLogLine & { job_id: string })[];
  for (const { job_id, ...line } of rows) logs.get(job_id)?.push(line);
  return logs;
}

export function setTeamJobRun(store: Store, claim: JobClaim, runId: number): void {
  store.write('record a job run', () => {
    store.db
      .prepare(`UPDATE jobs SET run_id = ? WHERE ${OWNED}`)
      .run(runId, claim.jobId, claim.attempt, claim.worker);
  });
}

/** Records the outcome; false (nothing written) when the claim is no longer the job's. */
export function finishTeamJob(
  store: Store,
  claim: JobClaim,
  outcome: {
    state: 'done' | 'failed' | 'cancelled';
    message: string | null;
    error: { code: string; message: string } | null;
    failures?: { file: string; reason: string }[];
  },
): boolean {
  return store.write('finish a job', () => {
    const changes = store.db
      .prepare(
        `UPDATE jobs SET state = ?, message = COALESCE(?, message), error = ?, failures = ?, finished_at = ?,
           heartbeat_at = NULL WHERE ${OWNED}`,
      )
      .run(
        outcome.state,
        outcome.message,
        outcome.error ? JSON.stringify(outcome.error) : null,
        outcome.failures ? JSON.stringify(outcome.failures) : null,
        nowIso(),
        claim.jobId,
        claim.attempt,
        claim.worker,
      ).changes;
    if (changes !== 1) return false;
    const summary = outcome.error ? `failed: ${outcome.error.message}` : (outcome.message ?? outcome.state);
    appendLogTx(store, claim, `${outcome.state === 'done' ? 'done' : outcome.state}: ${summary}`);
    return true;
  });
}

/** Running jobs whose worker has not beaten since `before` (an ISO time): their worker is taken for dead. */
export function staleTeamJobs(store: Store, before: string): JobClaim[] {
  return (
    store.db
      .prepare(
        `SELECT id, attempt, worker FROM jobs WHERE state = 'running' AND heartbeat_at < ? ORDER BY id`,
      )
      .all(before) as { id: string; attempt: number; worker: string }[]
  ).map((r) => ({ jobId: r.id, attempt: r.attempt, worker: r.worker }));
}

/**
 * A dead worker's job goes back to the queue (its attempt's log kept); false when someone else already did it or
 * the worker came back in time. `final`: no retries left, so the job fails instead.
 */
export function releaseTeamJob(store: Store, claim: JobClaim, reason: string, final: boolean): boolean {
  return store.write('requeue a job', () => {
    const changes = store.db
      .prepare(
        `UPDATE jobs SET state = ?, heartbeat_at = NULL, message = ?, error = ?, finished_at = ? WHERE ${OWNED}`,
      )
      .run(
        final ? 'failed' : 'queued',
        reason,
        final ? JSON.stringify({ code: 'internal', message: reason }) : null,
        final ? nowIso() : null,
        claim.jobId,
        claim.attempt,
        claim.worker,
      ).changes;
    if (changes === 1) appendLogTx(store, claim, final ? `failed: ${reason}` : `requeued: ${reason}`);
    return changes === 1;
  });
}

/** Marks a queued or running job cancelled (a running one's worker notices at its next heartbeat). */
export function cancelTeamJob(store: Store, id: string, actor: string): boolean {
  return store.write('cancel a job', () => {
    const job = getTeamJob(store, id);
    if (FINAL.includes(job.state)) return false;
    store.db
      .prepare(
        `UPDATE jobs SET state = 'cancelled', error = ?, finished_at = ?, heartbeat_at = NULL WHERE id = ?`,
      )
      .run(JSON.stringify({ code: 'cancelled', message: `cancelled by ${actor}` }), nowIso(), id);
    appendLogTx(
      store,
      { jobId: id, attempt: job.attempt, worker: job.worker ?? actor },
      `cancelled by ${actor}`,
    );
    return true;
  });
}

const REFUSED = 'refused by ';

/**
 * A worker that cannot run a queued job here (a model folder it cannot reach) leaves it queued for another, with a
 * log line saying why: no attempt is used. Returns how many times the job has been refused so far, or null when it
 * is no longer queued (cancelled meanwhile).
 */
export function refuseTeamJob(store: Store, id: string, worker: string, reason: string): number | null {
  return store.write('refuse a job', () => {
    const job = getTeamJob(store, id);
    if (job.state !== 'queued') return null;
    appendLogTx(store, { jobId: id, attempt: job.attempt, worker }, `${REFUSED}${worker}: ${reason}`);
    return Number(
      store.db
        .prepare('SELECT COUNT(*) FROM job_log WHERE job_id = ? AND line LIKE ?')
        .pluck()
        .get(id, `${REFUSED}%`),
    );
  });
}

/** Fails a queued job no worker took up (see refuseTeamJob); false when it is no longer queued. */
export function failQueuedTeamJob(
  store: Store,
  id: string,
  worker: string,
  error: { code: string; message: string },
): boolean {
  return store.write('fail a job', () => {
    const job = getTeamJob(store, id);
    const changes = store.db
      .prepare(
        `UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ? AND state = 'queued'`,
      )
      .run(JSON.stringify(error), nowIso(), id).changes;
    if (changes === 1)
      appendLogTx(store, { jobId: id, attempt: job.attempt, worker }, `failed: ${error.message}`);
    return changes === 1;
  });
}

/** A queued job that never reached the queue (its files could not be stored, or pg-boss refused it). */
export function failUnsentTeamJob(store: Store, id: string, message: string): void {
  store.write('fail a job', () => {
    store.db
      .prepare(
        `UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ? AND state = 'queued'`,
      )
      .run(JSON.stringify({ code: 'storage', message }), nowIso(), id);
  });
}

/** Hides an ended job from the queue list. */
export function dismissTeamJob(store: Store, id: string): boolean {
  return store.write('dismiss a job', () => {
    const changes = store.db
      .prepare(`UPDATE jobs SET dismissed = 1 WHERE id = ? AND state IN ('done', 'failed', 'cancelled')`)
      .run(id).changes;
    return changes === 1;
  });
}

/** Images a job already saved a prediction for (a retried job skips them). */
export function imagesPredictedByJob(store: Store, jobId: string): number[] {
  return store.db
    .prepare('SELECT image_id FROM mask_versions WHERE job_id = ? ORDER BY image_id')
    .pluck()
    .all(jobId) as number[];
}
