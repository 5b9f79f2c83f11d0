// `retina worker`: takes the team's jobs from pg-boss and runs them with the same bodies the single-user app runs
// in its worker threads (run-job.ts, retrain/run.ts), against the team store. Up to `concurrency` jobs at once.
// Every job it runs beats on a timer (see queue-policy.ts); at each beat the worker also hands back the jobs of
// workers that stopped beating (team-sweep.ts), so a machine that dies loses its jobs within about half a minute.
import { RpcError, type ErrorPayload } from '../../../shared/contract.js';
import { describeAll, runRetrainAll } from '../../retrain/retrain-all.js';
import { findAnatomyDirs } from '../anatomy-dirs.js';
import { RetrainCancelledError } from '../../retrain/errors.js';
import {
  appendJobLog,
  beatTeamJob,
  claimTeamJob,
  failQueuedTeamJob,
  findTeamJob,
  finishTeamJob,
  getTeamJob,
  getTrainingRun,
  finishTrainingRun,
  refuseTeamJob,
  setTeamJobRun,
  type JobClaim,
  type Store,
  type TeamJob,
} from '../../store/index.js';
import type { JobHooks } from '../job-types.js';
import { reportUnexpected, type DiagnosticsLog } from '../../node/diagnostics-log.js';
import { isUnexpected, jobError, runJob, type JobResult } from '../run-job.js';
import { reachableModelDir, REACH_ADVICE } from './model-reach.js';
import {
  isRetryable,
  MODEL_REFUSALS,
  REFUSAL_DELAY_SECONDS,
  staleBefore,
  TEAM_JOB_KINDS,
} from './queue-policy.js';
import type { FetchedJob, TeamQueue } from './team-queue.js';
import { Sweeper } from './team-sweep.js';
import { jobWorkOf, type TeamWork } from './team-work.js';

export interface TeamWorkerOptions {
  /** This worker's name in the queue (host and process id). */
  name: string;
  concurrency: number;
  /** ONNX Runtime threads per job. */
  threads: number;
  /** A model folder to predict with when a job's model folder is not reachable on this machine. */
  modelDir?: string;
  heartbeatSeconds: number;
  staleAfterSeconds: number;
  pollSeconds: number;
  /** How long a job this worker refused stays away (default REFUSAL_DELAY_SECONDS; tests shorten it). */
  refusalDelaySeconds?: number;
  log: (line: string) => void;
  /** Where a job's unexpected failure (a bug, not bad input) leaves its stack; `log` gets its one line. */
  supportLog?: DiagnosticsLog;
}

/**
 * A job the worker runs: its claim, why it must stop (null: it need not), and the progress its next heartbeat
 * records. 'cancelled': a user cancelled it; 'lost': it was handed to another worker (this one was taken for
 * dead); 'shutdown': this worker is stopping and hands it back.
 */
interface Running {
  claim: JobClaim;
  kind: TeamJob['kind'];
  stop: 'cancelled' | 'lost' | 'shutdown' | null;
  progress: { done: number; total: number; message: string | null } | undefined;
}

export class TeamWorker {
  private readonly running = new Map<string, Running>();
  private readonly finished: Promise<void>[] = [];
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private polling = false;
  private readonly sweeper: Sweeper;
  /** Kinds this worker fetches none of until then (ms): it refused a job of that kind, left to another worker. */
  private readonly pausedUntil = new Map<TeamJob['kind'], number>();

  constructor(
    private readonly store: Store,
    private readonly queue: TeamQueue,
    private readonly opts: TeamWorkerOptions,
  ) {
    this.sweeper = new Sweeper(store, queue, {
      staleAfterSeconds: opts.staleAfterSeconds,
      log: opts.log,
      // Its own job's beat may be late (a busy database): this worker records that job's ending itself.
      runsItself: (claim) => claim.worker === opts.name && this.running.has(claim.jobId),
    });
  }

  start(): void {
    this.timers = [
      setInterval(() => void this.poll(), this.opts.pollSeconds * 1000),
      setInterval(() => void this.beat(), this.opts.heartbeatSeconds * 1000),
    ];
    void this.poll();
  }

  /** Stops taking jobs, hands the running ones back (each stops after its current image) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    for (const r of this.running.values()) r.stop ??= 'shutdown';
    await Promise.allSettled(this.finished);
    await this.sweeper.idle();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopping) return;
    this.polling = true;
    try {
      for (const kind of TEAM_JOB_KINDS) {
        if ((this.pausedUntil.get(kind) ?? 0) > Date.now()) continue;
        while (!this.stopping && this.running.size < this.opts.concurrency) {
          const job = await this.queue.fetch(kind);
          if (!job) break;
          const done = this.run(job).catch((err: unknown) =>
            // The store or the queue went away mid-job: the job's heartbeat stops and another worker retries it.
            this.opts.log(`${kind} job ${job.jobId}: ${(err as Error).message}`),
          );
          this.finished.push(done);
          void done.then(() => this.finished.splice(this.finished.indexOf(done), 1));
        }
      }
    } catch (err) {
      this.opts.log(`cannot reach the queue: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  /** Beats for every job this worker runs, and hands back the jobs of workers that stopped beating. */
  private async beat(): Promise<void> {
    try {
      for (const r of this.running.values()) {
        if (!beatTeamJob(this.store, r.claim, r.progress) && r.stop === null) {
          r.stop = getTeamJob(this.store, r.claim.jobId).state === 'cancelled' ? 'cancelled' : 'lost';
        }
        r.progress = undefined;
      }
      await this.keepAlive();
    } catch (err) {
      this.opts.log(`heartbeat failed: ${(err as Error).message}`);
    }
    await this.sweeper.sweep();
  }

  /** Tells pg-boss that this worker's jobs are alive, so that its expiry never hands them to another worker. */
  private async keepAlive(): Promise<void> {
    for (const kind of TEAM_JOB_KINDS) {
      const ids = [...this.running.values()]
        .filter((r) => r.kind === kind && r.stop === null)
        .map((r) => r.claim.jobId);
      await this.queue.keepAlive(kind, ids);
    }
  }

  private async run(fetched: FetchedJob): Promise<void> {
    if (await this.refuseUnreachable(fetched)) return;
    const claim = claimTeamJob(
      this.store,
      fetched.jobId,
      this.opts.name,
      staleBefore(new Date(), this.opts.staleAfterSeconds),
    );
    if (!claim) {
      // Cancelled (or already ended) while it waited: nothing to do.
      await this.queue.complete(fetched.kind, fetched.jobId, { skipped: true });
      return;
    }
    if ('heldBy' in claim) {
      // pg-boss expired it (a backstop clock) though its worker beats: left to that worker, whose ending completes
      // or fails this same pg-boss job; if that worker dies, a sweep hands it back.
      this.opts.log(`${fetched.kind} job ${fetched.jobId}: still running on ${claim.heldBy}; left to it`);
      return;
    }
    const job = getTeamJob(this.store, claim.jobId);
    const running: Running = { claim, kind: job.kind, stop: null, progress: undefined };
    this.running.set(job.id, running);
    this.opts.log(`${job.kind} job ${job.id}: attempt ${claim.attempt}`);
    let lastLogged: string | null = null;
    const hooks: JobHooks = {
      isCancelled: () => running.stop !== null,
      progress: (done, total, message) => {
        running.progress = { done, total, message };
        if (message !== null && message !== lastLogged) {
          lastLogged = message;
          appendJobLog(this.store, claim, total > 0 ? `${done}/${total} ${message}` : message);
        }
      },
    };
    try {
      let result: JobResult | null = null;
      let error: ErrorPayload | null = null;
      try {
        result = await this.body(job, claim, hooks);
      } catch (err) {
        error = jobError(job.kind, err);
        const support = this.opts.supportLog;
        if (support && isUnexpected(err))
          error = { ...error, message: reportUnexpected(support, `${job.kind} job`, err, error.message) };
      }
      await this.settle(job, running, result, error);
    } finally {
      this.running.delete(job.id);
    }
  }

  /** Records how the attempt ended, and tells pg-boss whether the job is over or wants another attempt. */
  private async settle(
    job: TeamJob,
    running: Running,
    result: JobResult | null,
    error: ErrorPayload | null,
  ): Promise<void> {
    const { claim } = running;
    const log = (what: string): void => this.opts.log(`${job.kind} job ${job.id}: ${what}`);
    if (running.stop === 'lost') {
      // Another worker has it now: this one must not touch it, in the store or in pg-boss.
      log(`attempt ${claim.attempt} stopped: the job was handed to another worker`);
      return;
    }
    if (running.stop === 'cancelled') {
      log('cancelled');
      await this.queue.complete(job.kind, job.id, { state: 'cancelled' });
      return;
    }
    // A job that ended anyway while its worker was stopping keeps its outcome; one cut short goes back.
    if (running.stop === 'shutdown' && (error !== null || result?.cancelled)) {
      await this.sweeper.handBack(
        claim,
        `worker ${this.opts.name} was stopped during attempt ${claim.attempt}`,
        true,
      );
      return;
    }
    if (running.progress) beatTeamJob(this.store, claim, running.progress);
    if (error) {
      log(`attempt ${claim.attempt} failed: ${error.message}`);
      // Bad input fails the same way every time: the job fails now, with its message.
      if (isRetryable(error))
        await this.sweeper.handBack(claim, `attempt ${claim.attempt} failed: ${error.message}`);
      else if (finishTeamJob(this.store, claim, { state: 'failed', message: null, error }))
        await this.queue.complete(job.kind, job.id, { state: 'failed', error });
      return;
    }
    const r = result!;
    const state = r.cancelled ? 'cancelled' : r.error ? 'failed' : 'done';
    const ended = finishTeamJob(this.store, claim, {
      state,
      message: r.message,
      error: r.cancelled ? { code: 'cancelled', message: 'the job was cancelled' } : r.error,
      failures: r.failures,
    });
    if (ended) await this.queue.complete(job.kind, job.id, { state, message: r.message });
    log(`${state}: ${r.error?.message ?? r.message}`);
  }

  /**
   * Refuses a queued predict job whose model folder this machine cannot reach (see MODEL_REFUSALS), before claiming
   * it: no attempt is used, and another worker may reach the folder. True when refused (or failed for good).
   */
  private async refuseUnreachable(fetched: FetchedJob): Promise<boolean> {
    const job = findTeamJob(this.store, fetched.jobId);
    const work = job?.spec as TeamWork | undefined;
    if (job?.state !== 'queued' || work?.kind !== 'predict') return false;
    if (reachableModelDir(this.store, work, this.opts.modelDir) !== null) return false;
    const refusals = refuseTeamJob(
      this.store,
      job.id,
      this.opts.name,
      `cannot reach model folder ${work.modelDir}`,
    );
    if (refusals === null) return false;
    const log = (what: string): void => this.opts.log(`${job.kind} job ${job.id}: ${what}`);
    if (refusals >= MODEL_REFUSALS) {
      const error = {
        code: 'model-failed' as const,
        message: `no worker could reach model folder ${work.modelDir} (refused ${refusals} times): ${REACH_ADVICE}`,
      };
      if (failQueuedTeamJob(this.store, job.id, this.opts.name, error))
        await this.queue.complete(job.kind, job.id, { state: 'failed', error });
      log(error.message);
      return true;
    }
    const delay = this.opts.refusalDelaySeconds ?? REFUSAL_DELAY_SECONDS;
    await this.queue.deferUncounted(job.kind, job.id, delay);
    // Other jobs of the kind wait too: pg-boss cannot skip one job for one worker, and fetching the others would
    // take this one back as soon as it is due, before a worker that reaches the folder could.
    this.pausedUntil.set(job.kind, Date.now() + (delay + 2 * this.opts.pollSeconds) * 1000);
    log(`cannot reach model folder ${work.modelDir}; left to another worker (refusal ${refusals})`);
    return true;
  }

  /** Runs the job's work (protected: a test puts a job of the length it needs in its place). */
  protected async body(job: TeamJob, claim: JobClaim, hooks: JobHooks): Promise<JobResult> {
    const work = job.spec as TeamWork;
    if (work.kind === 'retrain') return this.retrain(work, job, claim, hooks);
    const modelDir = work.kind === 'predict' ? this.modelDirFor(work) : '';
    const local = await jobWorkOf(this.store, work, { threads: this.opts.threads, modelDir });
    return runJob(this.store, local, hooks, job.id);
  }

  /** The model folder to predict with (checked before the claim; one that went away since fails the attempt). */
  private modelDirFor(work: Extract<TeamWork, { kind: 'predict' }>): string {
    const dir = reachableModelDir(this.store, work, this.opts.modelDir);
    if (dir !== null) return dir;
    throw new RpcError(
      'model-failed',
      `model folder ${work.modelDir} is not reachable from worker ${this.opts.name}: ${REACH_ADVICE}`,
    );
  }

  private async retrain(
    work: Extract<TeamWork, { kind: 'retrain' }>,
    job: TeamJob,
    claim: JobClaim,
    hooks: JobHooks,
  ): Promise<JobResult> {
    // An earlier attempt's run, left 'running' by a worker that died, is closed first: the active model never
    // changed (it changes only at promotion, after the run's last step that can fail).
    if (job.runId !== null && getTrainingRun(this.store, job.runId).status === 'running') {
      finishTrainingRun(
        this.store,
        job.runId,
        { status: 'failed', outcome: { reason: `its worker stopped (attempt ${claim.attempt - 1})` } },
        'system',
      );
    }
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (hooks.isCancelled()) controller.abort();
    }, 500);
    try {
      const outcome = await runRetrainAll(this.store, {
        anatomyDirs: findAnatomyDirs(),
        actor: work.actor,
        trigger: work.trigger,
        promote: work.promote,
        settings: work.settings,
        threads: this.opts.threads,
        signal: controller.signal,
        onStarted: (runId) => setTeamJobRun(this.store, claim, runId),
        // The phase alone: it is what the queue shows and logs (the step count changes every step).
        onProgress: (p) => hooks.progress(p.step, p.totalSteps, p.phase, null),
      });
      return { imageIds: [], message: describeAll(outcome), error: null, cancelled: false };
    } catch (err) {
      if (err instanceof RetrainCancelledError)
        return { imageIds: [], message: 'cancelled', error: null, cancelled: true };
      throw err;
    } finally {
      clearInterval(poll);
    }
  }
}
