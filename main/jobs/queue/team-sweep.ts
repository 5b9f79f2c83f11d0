// Handing back the jobs of workers that stopped: stale ones (their worker stopped beating) and unclaimed ones (taken
// from pg-boss by a worker that died before claiming them). Every worker sweeps at each beat, and so does the server,
// which is always up: with every worker dead a job would otherwise show 'running' until a worker started again.
//
// Any number of processes may sweep at once; each job is handed back once:
// - a stale attempt: the store releases it only while that attempt still holds it (releaseTeamJob), so one sweeper
//   wins and only it tells pg-boss. It first restarts pg-boss's clock of the job (keepAlive), so that a sweeper
//   looking for unclaimed jobs cannot take the row it just made 'queued' for an unclaimed one and fail it twice.
// - an unclaimed job: pg-boss's job is taken with a conditional update before it is failed (TeamQueue.takeUnkept).
import {
  findTeamJob,
  getTeamJob,
  releaseTeamJob,
  staleTeamJobs,
  type JobClaim,
  type Store,
} from '../../store/index.js';
import { staleBefore } from './queue-policy.js';
import type { TeamQueue } from './team-queue.js';

export interface SweepOptions {
  staleAfterSeconds: number;
  log: (line: string) => void;
  /** A job the sweeping worker still runs itself (its ending is recorded by it): left alone. */
  runsItself?: (claim: JobClaim) => boolean;
}

export class Sweeper {
  /** The sweep under way: beats overlap when a queue call is slow, sweeps must not. */
  private current: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly queue: TeamQueue,
    private readonly opts: SweepOptions,
  ) {}

  /** One sweep at a time; a failed one is tried again at the next call. */
  sweep(): Promise<void> {
    this.current ??= this.sweepOnce().finally(() => (this.current = null));
    return this.current;
  }

  /** Waits for the sweep under way, if any (before the queue closes). */
  async idle(): Promise<void> {
    await this.current;
  }

  private async sweepOnce(): Promise<void> {
    try {
      const before = staleBefore(new Date(), this.opts.staleAfterSeconds);
      for (const claim of staleTeamJobs(this.store, before)) {
        if (this.opts.runsItself?.(claim)) continue;
        await this.handBack(
          claim,
          `worker ${claim.worker} stopped answering during attempt ${claim.attempt}`,
        );
      }
      await this.retryUnclaimed();
    } catch (err) {
      this.opts.log(`handing back stalled jobs failed: ${(err as Error).message}`);
    }
  }

  /**
   * A claim follows its fetch at once, so a job taken from pg-boss but not claimed within the stale limit never
   * will be: no heartbeat tells of it, and pg-boss's own expiry takes hours.
   */
  private async retryUnclaimed(): Promise<void> {
    const seconds = this.opts.staleAfterSeconds;
    for (const { kind, jobId } of await this.queue.unkept(seconds)) {
      if (findTeamJob(this.store, jobId)?.state !== 'queued') continue;
      const reason = 'the worker that took it stopped before starting it';
      if (!(await this.queue.takeUnkept(kind, jobId, seconds))) continue;
      this.opts.log(`${kind} job ${jobId}: ${reason}; retrying`);
      await this.queue.fail(kind, jobId, reason);
    }
  }

  /**
   * Puts a job back in the queue for another attempt, or fails it when it has none left. `onPurpose`: its worker
   * was stopped by a person (Ctrl+C, a restart), which is no failure of the job's: it never uses up its retries
   * (four restarts during a long batch used to fail it for good).
   */
  async handBack(claim: JobClaim, reason: string, onPurpose = false): Promise<void> {
    const job = getTeamJob(this.store, claim.jobId);
    const attempts = onPurpose ? null : await this.queue.attempts(job.kind, job.id);
    const final = attempts !== null && attempts.retryCount >= attempts.retryLimit;
    await this.queue.keepAlive(job.kind, [job.id]);
    // The store decides who hands it back (the attempt must still be the one named), so pg-boss hears it once.
    if (!releaseTeamJob(this.store, claim, reason, final)) return;
    this.opts.log(`${job.kind} job ${job.id}: ${reason}; ${final ? 'no retries left' : 'retrying'}`);
    if (onPurpose) await this.queue.handBackUncounted(job.kind, job.id, reason);
    else await this.queue.fail(job.kind, job.id, reason);
  }
}
