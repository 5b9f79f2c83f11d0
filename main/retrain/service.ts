// The workstation's side of retraining: one retrain at a time, in a worker thread (training, evaluation and
// re-prediction never block the main process), its status kept here for getRetrainStatus and pushed as
// retrainProgress events (throttled), and cancel through a shared flag.
import type { Worker } from 'node:worker_threads';
import type { ErrorPayload, RetrainStatus } from '../../shared/contract.js';
import { reportUnexpected, revived, type DiagnosticsLog, type ThrownError } from '../node/diagnostics-log.js';
import { startWorker } from '../node/worker-start.js';
import { finishTrainingRun, getTrainingRun, openStore } from '../store/index.js';
import { RetrainError } from './errors.js';
import { describeAll, type RetrainAllOutcome } from './retrain-all.js';
import type { RetrainProgress } from './run.js';
import type { RetrainSettings } from './settings.js';

export interface RetrainWorkerData {
  dbPath: string;
  actor: string;
  trigger: 'button' | 'auto';
  promote: 'if-better' | 'never';
  anatomyPromote: 'if-better' | 'never';
  anatomyDirs: { arteryVein: string; opticDisc: string } | null;
  settings: Partial<RetrainSettings>;
  threads: number;
  workers?: number;
  cancelFlag: SharedArrayBuffer;
}

export type RetrainWorkerMessage =
  | { type: 'started'; runId: number }
  | { type: 'progress'; progress: RetrainProgress }
  | { type: 'finished'; outcome: RetrainAllOutcome }
  /** `thrown`: an unexpected failure's error (a bug, not a refusal), for the support log. */
  | { type: 'failed'; error: ErrorPayload; cancelled: boolean; thrown?: ThrownError };

export interface RetrainServiceOptions {
  dbPath: string;
  actor: string;
  threads: number;
  workers?: number;
  /** The anatomy models predictions use when the store has none registered (null: none on this machine). */
  anatomyDirs?: { arteryVein: string; opticDisc: string } | null;
  /** Per-run overrides of the stored settings (tests keep runs tiny with it). */
  settings?: Partial<RetrainSettings>;
  onStatus: (status: RetrainStatus) => void;
  onFinished?: (outcome: RetrainAllOutcome) => void;
  /** Where an unexpected failure leaves its stack (none: the status's error alone tells of it). */
  log?: DiagnosticsLog;
}

/** What the handlers need of a retrainer: this one (a worker thread here) or a team's (retrain jobs on workers). */
export interface Retrainer {
  readonly running: boolean;
  status(): RetrainStatus | null;
  /** `actor`: who started it (default: the app's user). */
  start(trigger: 'button' | 'auto', actor?: string): Promise<number>;
  cancel(): boolean;
  wait(): Promise<void>;
  close(): Promise<void>;
}

const EVENT_INTERVAL_MS = 250;

function spawnWorker(data: RetrainWorkerData): Worker {
  return startWorker(new URL('./worker.js', import.meta.url), data);
}

/** A retrain as it starts: nothing trained yet (the team queue's view of a queued one starts from it too). */
export function initialStatus(): RetrainStatus {
  return {
    runId: null,
    state: 'running',
    phase: 'preparing',
    message: 'choosing the training data',
    step: 0,
    totalSteps: 0,
    epoch: 0,
    epochs: 0,
    loss: null,
    elapsedSeconds: 0,
    etaSeconds: null,
    losses: [],
    validation: [],
    error: null,
    candidateModelId: null,
  };
}

export class RetrainService implements Retrainer {
  private worker: Worker | null = null;
  private flag: SharedArrayBuffer | null = null;
  private current: RetrainStatus | null = null;
  private lastSent = 0;
  private pendingSend: NodeJS.Timeout | null = null;
  private settled: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RetrainServiceOptions) {}

  get running(): boolean {
    return this.worker !== null;
  }

  status(): RetrainStatus | null {
    return this.current ? { ...this.current } : null;
  }

  /**
   * Starts a retrain; resolves with its run id once the run exists, rejects when it cannot start. `actor`: who
   * started it (a team server's logged-in user), else the service's own.
   */
  start(trigger: 'button' | 'auto', actor: string = this.opts.actor): Promise<number> {
    if (this.worker) return Promise.reject(new RetrainError('a retrain is already running'));
    this.flag = new SharedArrayBuffer(4);
    const worker = spawnWorker({
      dbPath: this.opts.dbPath,
      actor,
      trigger,
      // The button leaves the decision to the person looking at the comparison, which shows each anatomy task's
      // candidate beside the vessel one; an automatic run promotes only a better model, of any task.
      promote: trigger === 'auto' ? 'if-better' : 'never',
      anatomyPromote: trigger === 'auto' ? 'if-better' : 'never',
      anatomyDirs: this.opts.anatomyDirs ?? null,
      settings: this.opts.settings ?? {},
      threads: this.opts.threads,
      workers: this.opts.workers,
      cancelFlag: this.flag,
    });
    this.worker = worker;
    this.current = initialStatus();
    let runId: number | null = null;
    let done = false;
    let release = (): void => {};
    this.settled = new Promise<void>((r) => (release = r));
    return new Promise<number>((resolve, reject) => {
      const end = (state: RetrainStatus['state'], error: ErrorPayload | null, message?: string): void => {
        if (done) return;
        done = true;
        this.worker = null;
        this.update({ state, phase: 'finished', error, ...(message ? { message } : {}) }, true);
        if (runId === null) reject(new RetrainError(error?.message ?? 'the retrain did not start'));
        release();
      };
      worker.on('message', (m: RetrainWorkerMessage) => {
        if (m.type === 'started') {
          runId = m.runId;
          this.update({ runId: String(m.runId) }, true);
          resolve(m.runId);
        } else if (m.type === 'progress') {
          const p = m.progress;
          this.update({
            phase: p.phase,
            message: p.message,
            step: p.step,
            totalSteps: p.totalSteps,
            epoch: p.epoch,
            epochs: p.epochs,
            loss: p.loss,
            elapsedSeconds: p.elapsedSeconds,
            etaSeconds: p.etaSeconds,
            losses: p.losses,
            validation: p.epochCurve,
          });
        } else if (m.type === 'finished') {
          const { vessel } = m.outcome;
          if (vessel) this.update({ candidateModelId: String(vessel.candidateModelId) });
          end('succeeded', null, describeAll(m.outcome));
          this.opts.onFinished?.(m.outcome);
        } else {
          const error = m.thrown ? this.unexpected(revived(m.thrown), m.error) : m.error;
          end(m.cancelled ? 'cancelled' : 'failed', m.cancelled ? null : error, error.message);
        }
      });
      // An uncaught throw in the worker thread: always a bug.
      worker.on('error', (err) =>
        end('failed', this.unexpected(err, { code: 'internal', message: err.message.split('\n')[0] })),
      );
      worker.on('exit', (code) => {
        if (done) return;
        // A worker that dies without reporting must not leave its run 'running' in a live process.
        const reason = `the retrain worker stopped (exit code ${code})`;
        if (runId !== null) this.failRun(runId, reason);
        end('failed', { code: 'internal', message: reason });
      });
    });
  }

  cancel(): boolean {
    if (!this.worker || !this.flag) return false;
    Atomics.store(new Int32Array(this.flag), 0, 1);
    this.update({ message: 'cancelling…' }, true);
    return true;
  }

  /** Resolves when the current retrain (if any) has ended. */
  wait(): Promise<void> {
    return this.settled;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.cancel();
    const timeout = new Promise<void>((r) => setTimeout(r, 15_000).unref());
    await Promise.race([this.settled, timeout]);
    await worker.terminate();
    if (this.pendingSend) clearTimeout(this.pendingSend);
  }

  /** The retrain's error for an unexpected failure: its stack logged, its message naming the log. */
  private unexpected(err: unknown, error: ErrorPayload): ErrorPayload {
    const log = this.opts.log;
    return log ? { ...error, message: reportUnexpected(log, 'retrain', err, error.message) } : error;
  }

  private failRun(runId: number, reason: string): void {
    const store = openStore(this.opts.dbPath, { create: false });
    try {
      if (getTrainingRun(store, runId).status === 'running') {
        finishTrainingRun(store, runId, { status: 'failed', outcome: { reason } }, 'system');
      }
    } finally {
      store.close();
    }
  }

  private update(change: Partial<RetrainStatus>, now = false): void {
    if (!this.current) return;
    this.current = { ...this.current, ...change };
    const since = Date.now() - this.lastSent;
    if (now || since >= EVENT_INTERVAL_MS) {
      if (this.pendingSend) clearTimeout(this.pendingSend);
      this.pendingSend = null;
      this.lastSent = Date.now();
      this.opts.onStatus({ ...this.current });
    } else if (!this.pendingSend) {
      this.pendingSend = setTimeout(() => {
        this.pendingSend = null;
        this.lastSent = Date.now();
        if (this.current) this.opts.onStatus({ ...this.current });
      }, EVENT_INTERVAL_MS - since);
    }
  }
}
