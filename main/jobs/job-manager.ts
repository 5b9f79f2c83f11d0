// Long work (predict, import) runs in worker threads, one job at a time (SQLite has one writer, and the machine's
// cores are better spent on one ONNX session than on two). Progress is forwarded as jobProgress events at most
// ~10 times a second, state changes always. Cancel is cooperative: the worker stops after the current image, so
// nothing is ever half-saved.
import type { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import type { ErrorPayload, EventChannel, EventOf, Id, JobInfo, JobKind } from '../../shared/contract.js';
import { reportUnexpected, revived, type DiagnosticsLog } from '../node/diagnostics-log.js';
import { startWorker } from '../node/worker-start.js';
import type { JobSpec, JobWorkerData, WorkerMessage } from './job-types.js';

const PROGRESS_INTERVAL_MS = 100;
/** Finished jobs kept for listJobs. */
const KEEP_FINISHED = 50;

interface Job {
  info: JobInfo;
  spec: JobSpec;
  cancelFlag: SharedArrayBuffer;
  worker: Worker | null;
  lastSent: number;
  /** Hidden from `list` (the user closed its card); only finished jobs can be. */
  dismissed: boolean;
  /** Resolves when the job has reached a final state. */
  settled: Promise<void>;
  settle: () => void;
}

/** Where the manager's events go: the workstation's event hub, or anything else with the same emit. */
export interface JobEvents {
  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void;
}

/**
 * What the handlers need of a job runner: this in-process manager for one user, or a team's queue
 * (queue/team-jobs.ts), whose workers run on other machines.
 */
export interface Jobs {
  start(kind: JobKind, total: number, spec: JobSpec): JobInfo;
  /** `actor`: who cancels (a team job's log names them). */
  cancel(jobId: Id, actor?: string): boolean;
  list(): JobInfo[];
  dismiss(jobId: Id): boolean;
  wait(jobId: Id): Promise<JobInfo>;
  close(): Promise<void>;
}

/** Job workers report store row ids; the contract's ids are their decimal strings. */
const toId = (row: number): Id => String(row);

export class JobManager implements Jobs {
  private readonly jobs = new Map<Id, Job>();
  private readonly queue: Job[] = [];
  private running: Job | null = null;
  private closed = false;

  /** `log`: where a job's unexpected failure leaves its stack (none: the job's error alone tells of it). */
  constructor(
    private readonly events: JobEvents,
    private readonly log: DiagnosticsLog | null = null,
  ) {}

  start(kind: JobKind, total: number, spec: JobSpec): JobInfo {
    if (this.closed) throw new Error('the job manager is shut down');
    let settle = (): void => {};
    const settled = new Promise<void>((r) => (settle = r));
    const job: Job = {
      info: {
        jobId: randomUUID(),
        kind,
        state: 'queued',
        done: 0,
        total,
        message: null,
        error: null,
        startedAt: new Date().toISOString(),
      },
      spec,
      cancelFlag: new SharedArrayBuffer(4),
      worker: null,
      lastSent: 0,
      dismissed: false,
      settled,
      settle,
    };
    this.jobs.set(job.info.jobId, job);
    this.queue.push(job);
    this.publish(job, null, true);
    this.next();
    this.prune();
    return { ...job.info };
  }

  cancel(jobId: Id): boolean {
    const job = this.jobs.get(jobId);
    if (!job || !['queued', 'running'].includes(job.info.state)) return false;
    Atomics.store(new Int32Array(job.cancelFlag), 0, 1);
    if (job.info.state === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      this.finish(job, 'cancelled', 'cancelled before it started', null);
    }
    return true;
  }

  /** Jobs not dismissed, newest first. */
  list(): JobInfo[] {
    return [...this.jobs.values()]
      .filter((j) => !j.dismissed)
      .map((j) => ({ ...j.info }))
      .reverse();
  }

  /** Hides a finished, failed or cancelled job from `list`; a queued or running job stays (cancel it first). */
  dismiss(jobId: Id): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.dismissed || ['queued', 'running'].includes(job.info.state)) return false;
    job.dismissed = true;
    return true;
  }

  /** Resolves when the job is done, failed or cancelled (tests and shutdown wait on it). */
  async wait(jobId: Id): Promise<JobInfo> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    await job.settled;
    return { ...job.info };
  }

  /** Cancels everything and waits for the running worker to stop (it finishes its current image). */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of [...this.queue]) this.cancel(job.info.jobId);
    const running = this.running;
    if (running) {
      this.cancel(running.info.jobId);
      const timeout = new Promise<void>((r) => setTimeout(r, 10_000).unref());
      await Promise.race([running.settled, timeout]);
      await running.worker?.terminate();
    }
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.running = job;
    job.info.state = 'running';
    this.publish(job, null, true);
    let worker: Worker;
    try {
      const data: JobWorkerData = { spec: job.spec, cancelFlag: job.cancelFlag };
      worker = startWorker(new URL('./job-worker.js', import.meta.url), data);
    } catch (err) {
      this.finish(job, 'failed', null, {
        code: 'internal',
        message: `cannot start a worker: ${(err as Error).message}`,
      });
      return;
    }
    job.worker = worker;
    worker.on('message', (m: WorkerMessage) => this.onMessage(job, m));
    // An uncaught throw in the worker thread: always a bug.
    worker.on('error', (err) =>
      this.finish(
        job,
        'failed',
        null,
        this.unexpected(job, err, { code: 'internal', message: err.message.split('\n')[0] }),
      ),
    );
    worker.on('exit', (code) => {
      // A worker that exits without reporting (killed, crashed in native code) still ends its job.
      this.finish(job, 'failed', null, {
        code: 'internal',
        message: `the ${job.info.kind} worker stopped (exit code ${code})`,
      });
    });
  }

  private onMessage(job: Job, m: WorkerMessage): void {
    if (m.type === 'progress') {
      job.info.done = m.done;
      job.info.total = m.total;
      job.info.message = m.message;
      this.publish(job, m.imageId === null ? null : toId(m.imageId), false);
      if (m.imageId !== null) this.events.emit('imagesChanged', { imageIds: [toId(m.imageId)] });
    } else if (m.type === 'finished') {
      if (m.imageIds.length > 0 && job.info.kind === 'import') {
        this.events.emit('imagesChanged', { imageIds: m.imageIds.map(toId) });
      }
      const state = m.cancelled ? 'cancelled' : m.error ? 'failed' : 'done';
      if (m.failures) job.info.failures = m.failures;
      this.finish(job, state, m.message, m.error);
    } else {
      this.finish(job, 'failed', null, m.thrown ? this.unexpected(job, revived(m.thrown), m.error) : m.error);
    }
  }

  /** The job's error for an unexpected failure: its stack logged, its message naming the log. */
  private unexpected(job: Job, err: unknown, error: ErrorPayload): ErrorPayload {
    if (!this.log) return error;
    return { ...error, message: reportUnexpected(this.log, `${job.info.kind} job`, err, error.message) };
  }

  private finish(
    job: Job,
    state: 'done' | 'failed' | 'cancelled',
    message: string | null,
    error: ErrorPayload | null,
  ): void {
    if (['done', 'failed', 'cancelled'].includes(job.info.state)) return;
    job.info.state = state;
    if (message !== null) job.info.message = message;
    job.info.error =
      error ?? (state === 'cancelled' ? { code: 'cancelled', message: 'the job was cancelled' } : null);
    this.publish(job, null, true);
    job.settle();
    if (this.running === job) {
      this.running = null;
      void job.worker?.terminate();
      job.worker = null;
      this.next();
    }
  }

  private publish(job: Job, imageId: Id | null, force: boolean): void {
    const now = Date.now();
    if (!force && imageId === null && now - job.lastSent < PROGRESS_INTERVAL_MS) return;
    job.lastSent = now;
    this.events.emit('jobProgress', { ...job.info, imageId });
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) =>
      ['done', 'failed', 'cancelled'].includes(j.info.state),
    );
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(j.info.jobId);
  }
}
