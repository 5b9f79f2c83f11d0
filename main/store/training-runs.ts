// Training runs: created 'running' by the process that trains, finished by it. A run whose process was killed
// stays 'running' until failInterruptedRuns notices that its process is gone.
import { processAlive } from '../node/process-alive.js';
import { STALE_AFTER_SECONDS } from '../../shared/queue-timing.js';
import { nowIso, type Store } from './database.js';
import { recordAudit } from './audit.js';
import { ConstraintError, NotFoundError } from './errors.js';
import { fromJson, toJson } from './json.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TrainingRun {
  id: number;
  baseModelId: number | null;
  config: unknown;
  seed: number;
  status: RunStatus;
  progress: number;
  log: string;
  /** JSON outcome on success; on failure or cancel, { reason }. */
  outcome: unknown;
  startedAt: string;
  finishedAt: string | null;
  pid: number | null;
  heartbeatAt: string | null;
}

interface RunRow {
  id: number;
  base_model_id: number | null;
  config: string;
  seed: number;
  status: RunStatus;
  progress: number;
  log: string;
  outcome: string | null;
  started_at: string;
  finished_at: string | null;
  pid: number | null;
  heartbeat_at: string | null;
}

const toRun = (r: RunRow): TrainingRun => ({
  id: r.id,
  baseModelId: r.base_model_id,
  config: fromJson(r.config),
  seed: r.seed,
  status: r.status,
  progress: r.progress,
  log: r.log,
  outcome: fromJson(r.outcome),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  pid: r.pid,
  heartbeatAt: r.heartbeat_at,
});

export function getTrainingRun(store: Store, id: number): TrainingRun {
  const row = store.db.prepare('SELECT * FROM training_runs WHERE id = ?').get(id) as RunRow | undefined;
  if (!row) throw new NotFoundError(`training run ${id} does not exist`);
  return toRun(row);
}

export function listTrainingRuns(
  store: Store,
  filter: { status?: RunStatus; limit?: number } = {},
): TrainingRun[] {
  const rows = (
    filter.status
      ? store.db
          .prepare('SELECT * FROM training_runs WHERE status = ? ORDER BY id DESC LIMIT ?')
          .all(filter.status, filter.limit ?? 100)
      : store.db.prepare('SELECT * FROM training_runs ORDER BY id DESC LIMIT ?').all(filter.limit ?? 100)
  ) as RunRow[];
  return rows.map(toRun);
}

/** A run's heartbeat this recent counts as alive where its process cannot be asked (a team worker elsewhere). */
const LIVE_HEARTBEAT_MS = 5 * 60_000;

/**
 * Whether a team database's run may still be going on, on whichever machine: its own heartbeat is recent, or the
 * team job that runs it is still beating (a retrain's phases between progress events can outlast the run's
 * heartbeat; the job's worker beats every few seconds). Its recorded pid is another machine's, so it says nothing.
 */
function liveOnTeam(store: Store, run: TrainingRun, now: number): boolean {
  if (run.heartbeatAt !== null && now - Date.parse(run.heartbeatAt) < LIVE_HEARTBEAT_MS) return true;
  const since = new Date(now - STALE_AFTER_SECONDS * 1000).toISOString();
  return (
    store.db
      .prepare(`SELECT 1 FROM jobs WHERE run_id = ? AND state = 'running' AND heartbeat_at >= ?`)
      .get(run.id, since) !== undefined
  );
}

/**
 * A training run of one of `kinds` (its config's `kind`) that another process is running now, or null: on a SQLite
 * study its process is alive on this machine; on a team database its heartbeat is recent (its worker may be
 * another machine). Runs of this process are its own to order.
 */
export function otherLiveRun(store: Store, kinds: readonly string[], now = Date.now()): TrainingRun | null {
  for (const run of listTrainingRuns(store, { status: 'running', limit: 1000 })) {
    const kind = (run.config as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !kinds.includes(kind) || run.pid === process.pid) continue;
    const alive =
      store.kind === 'sqlite' ? run.pid !== null && processAlive(run.pid) : liveOnTeam(store, run, now);
    if (alive) return run;
  }
  return null;
}

/** Why `run` blocks what was asked, in words. */
export function liveRunMessage(run: TrainingRun, what: string): string {
  return (
    `a retrain is running in another process (training run ${run.id}, started ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC): ` +
    `${what} once it has finished, or cancel it there`
  );
}

export function startTrainingRun(
  store: Store,
  input: { config: unknown; seed: number; baseModelId?: number | null; pid?: number },
  actor: string,
  opts: { exclusiveOf?: readonly string[] } = {},
): TrainingRun {
  return store.write('start a training run', () => {
    // Checked inside the write: two processes starting at once are serialised, the second sees the first's row.
    const other = opts.exclusiveOf ? otherLiveRun(store, opts.exclusiveOf) : null;
    if (other) throw new ConstraintError(liveRunMessage(other, 'start another'));
    const now = nowIso();
    const inserted = store.db
      .prepare(
        `INSERT INTO training_runs (base_model_id, config, seed, status, progress, log, started_at, pid, heartbeat_at)
         VALUES (?, ?, ?, 'running', 0, '', ?, ?, ?) RETURNING id`,
      )
      .pluck()
      .get(
        input.baseModelId ?? null,
        JSON.stringify(input.config ?? null),
        input.seed,
        now,
        input.pid ?? process.pid,
        now,
      );
    const id = Number(inserted);
    recordAudit(store, actor, 'run.start', 'training_run', id, {
      seed: input.seed,
      baseModelId: input.baseModelId,
    });
    return getTrainingRun(store, id);
  });
}

function requireRunning(store: Store, id: number): TrainingRun {
  const run = getTrainingRun(store, id);
  if (run.status !== 'running') throw new ConstraintError(`training run ${id} is already ${run.status}`);
  return run;
}

/** Progress in [0,1] and log lines; frequent, so it is not audited (start and finish are). */
export function updateTrainingProgress(
  store: Store,
  id: number,
  progress: number,
  logLines?: string,
): TrainingRun {
  return store.write('update training progress', () => {
    requireRunning(store, id);
    store.db
      .prepare('UPDATE training_runs SET progress = ?, log = log || ?, heartbeat_at = ? WHERE id = ?')
      .run(
        Math.min(1, Math.max(0, progress)),
        logLines ? (logLines.endsWith('\n') ? logLines : logLines + '\n') : '',
        nowIso(),
        id,
      );
    return getTrainingRun(store, id);
  });
}

export function finishTrainingRun(
  store: Store,
  id: number,
  result: { status: Exclude<RunStatus, 'running'>; outcome?: unknown },
  actor: string,
): TrainingRun {
  return store.write('finish a training run', () => {
    requireRunning(store, id);
    store.db
      .prepare(
        `UPDATE training_runs SET status = ?, outcome = ?, finished_at = ?,
           progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END WHERE id = ?`,
      )
      .run(result.status, toJson(result.outcome), nowIso(), result.status, id);
    recordAudit(store, actor, `run.${result.status}`, 'training_run', id);
    return getTrainingRun(store, id);
  });
}

/**
 * Adds fields to a finished run's outcome without touching the rest: a retrain records on its first run what its
 * later parts did (the anatomy tasks run after the vessel run has finished).
 */
export function amendTrainingRunOutcome(
  store: Store,
  id: number,
  extra: Record<string, unknown>,
): TrainingRun {
  return store.write('amend a training run', () => {
    const run = getTrainingRun(store, id);
    if (run.status === 'running') throw new ConstraintError(`training run ${id} has not finished`);
    const outcome = { ...((run.outcome ?? {}) as Record<string, unknown>), ...extra };
    store.db.prepare('UPDATE training_runs SET outcome = ? WHERE id = ?').run(toJson(outcome), id);
    return getTrainingRun(store, id);
  });
}

/**
 * Marks runs left 'running' by a process that no longer exists as failed, with `reason`. Run it when the app
 * opens the store. Returns the ids it failed. On a team database a run's process may be a worker on another
 * machine (its pid is no process of this one): only a run that nothing beats for any more counts as ended.
 */
export function failInterruptedRuns(
  store: Store,
  reason = 'interrupted: the training process ended without finishing the run',
  actor = 'system',
  now = Date.now(),
): number[] {
  const running = listTrainingRuns(store, { status: 'running', limit: 1_000_000 });
  const dead = running.filter((r) =>
    store.kind === 'sqlite'
      ? r.pid === null || (r.pid !== process.pid && !processAlive(r.pid))
      : !liveOnTeam(store, r, now),
  );
  if (dead.length === 0) return [];
  return store.write('fail interrupted runs', () => {
    const stmt = store.db.prepare(
      "UPDATE training_runs SET status = 'failed', outcome = ?, finished_at = ? WHERE id = ? AND status = 'running'",
    );
    for (const r of dead) {
      stmt.run(JSON.stringify({ reason }), nowIso(), r.id);
      recordAudit(store, actor, 'run.failed', 'training_run', r.id, { reason, pid: r.pid });
    }
    return dead.map((r) => r.id);
  });
}
