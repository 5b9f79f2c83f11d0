// How the team queue treats each kind of job: pure numbers and rules, kept apart from pg-boss so they can be
// read and tested on their own.
//
// Two clocks decide when a job is taken from a worker:
// - the heartbeat: a worker beats every HEARTBEAT_SECONDS for each job it runs (on a timer, not only on
//   progress, since one image or one training epoch can take minutes). A job whose last beat is older than
//   STALE_AFTER_SECONDS is handed back to the queue by any other worker or the server. Short means a killed
//   worker's job moves on within about half a minute; too short would take a job from a worker that is only
//   stalled (a long garbage collection, a busy database), which would then run twice. Jobs are idempotent
//   (a prediction is saved once per job and image, an import skips files already imported), so a false alarm
//   costs time, never a duplicate; and the stalled worker stops at its next beat when it finds the job gone.
// - pg-boss's own expiry, a backstop for when nothing is left alive to notice a dead worker's heartbeat: long.
//   A worker restarts it at each beat (TeamQueue.keepAlive), and a worker handed a job that pg-boss expired anyway
//   leaves it to the worker that still beats for it, so a live worker's job never runs twice.
import type { ErrorCode, ErrorPayload } from '../../../shared/contract.js';
import type { TeamJobKind } from '../../store/index.js';

export interface QueuePolicy {
  /** The pg-boss queue. */
  queue: string;
  /** pg-boss expiry of an active job, seconds. */
  expireInSeconds: number;
  /** Attempts after the first (a crash or a lost worker each use one). */
  retryLimit: number;
  /** Seconds before the first retry; doubled (with jitter) on each further one. */
  retryDelay: number;
}

import { STALE_AFTER_SECONDS } from '../../../shared/queue-timing.js';

export { HEARTBEAT_SECONDS, STALE_AFTER_SECONDS } from '../../../shared/queue-timing.js';

const POLICIES: Record<TeamJobKind, QueuePolicy> = {
  // A batch of up to a few hundred images at a few seconds each on a CPU.
  predict: { queue: 'retina-predict', expireInSeconds: 2 * 3600, retryLimit: 3, retryDelay: 5 },
  import: { queue: 'retina-import', expireInSeconds: 2 * 3600, retryLimit: 3, retryDelay: 5 },
  // Training takes hours on a CPU; a retry starts the run again from scratch, so one is enough.
  retrain: { queue: 'retina-retrain', expireInSeconds: 12 * 3600, retryLimit: 1, retryDelay: 30 },
};

export const TEAM_JOB_KINDS = Object.keys(POLICIES) as TeamJobKind[];

export function queuePolicy(kind: TeamJobKind): QueuePolicy {
  return POLICIES[kind];
}

/** The kind a pg-boss queue carries, or null for a queue not ours. */
export function kindOfQueue(queue: string): TeamJobKind | null {
  return TEAM_JOB_KINDS.find((k) => POLICIES[k].queue === queue) ?? null;
}

/**
 * Whether another attempt could succeed. Bad input (an unreadable file, a missing image or model, a refused
 * request) fails the same way every time, so the job fails at once with its message; anything else (a lost
 * database connection, a full disk being cleared, a crash) is worth a retry.
 */
export function isRetryable(error: ErrorPayload): boolean {
  return !FINAL_ERRORS.includes(error.code);
}

const FINAL_ERRORS: readonly ErrorCode[] = [
  'invalid-request',
  'not-found',
  'conflict',
  'unreadable-file',
  'mask-size',
  'model-failed',
  'cancelled',
  'unsupported',
  'forbidden',
];

/** When a running job's worker counts as gone: its last heartbeat before this time. */
export function staleBefore(now: Date, staleAfterSeconds = STALE_AFTER_SECONDS): string {
  return new Date(now.getTime() - staleAfterSeconds * 1000).toISOString();
}

/**
 * A clock tuned by an environment variable (tests shorten them; a team with slow machines may lengthen the stale
 * limit), else `fallback`. Read by workers and the server alike: both hand back stale jobs by the same limit.
 */
export function tunedSeconds(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** The environment variable that tunes the stale limit (see STALE_AFTER_SECONDS). */
export const STALE_SECONDS_ENV = 'RETINA_WORKER_STALE_SECONDS';

/**
 * A predict job whose model folder a worker cannot reach is refused there, not failed: another worker may reach it
 * (a folder mounted on some machines only). The refusing worker puts it back for REFUSAL_DELAY_SECONDS and fetches
 * no job of that kind meanwhile, so that another worker takes it rather than it coming straight back; after
 * MODEL_REFUSALS refusals (minutes, counted across workers) no worker is taken to reach it and it fails, naming the
 * folder. Why not a list of the workers that could not: workers come and go unregistered, so no list is complete.
 */
export const REFUSAL_DELAY_SECONDS = 30;
export const MODEL_REFUSALS = 5;
