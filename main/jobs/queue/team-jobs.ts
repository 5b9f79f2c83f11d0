// The server's side of a team queue: the handlers' job runner (the same API as the in-process JobManager) over
// the `jobs` rows and pg-boss. Starting a job writes its row and sends it to pg-boss; workers on any machine take
// it. The server looks at the rows once a second and pushes what changed to the app (jobProgress for the job
// list, queueChanged for the queue with its workers and log lines, imagesChanged when a job made images). It also
// hands back the jobs of workers that stopped, as workers do (team-sweep.ts): with every worker dead (the team's
// one worker machine crashed), such a job used to show 'running' until a worker started again.
import { randomUUID } from 'node:crypto';
import type { Id, JobInfo, JobKind, QueueJob, QueueSnapshot } from '../../../shared/contract.js';
import {
  activeModel,
  blobStore,
  cancelTeamJob,
  createTeamJob,
  dismissTeamJob,
  failUnsentTeamJob,
  getTeamJob,
  listTeamJobs,
  recentJobLogs,
  NotFoundError,
  type Store,
  type TeamJob,
  type TeamJobKind,
} from '../../store/index.js';
import type { JobEvents, Jobs } from '../job-manager.js';
import type { JobSpec } from '../job-types.js';
import { changedJobs, jobInfoOf, queueJobOf, retrainStatusOf } from './queue-view.js';
import { HEARTBEAT_SECONDS, STALE_AFTER_SECONDS, STALE_SECONDS_ENV, tunedSeconds } from './queue-policy.js';
import type { TeamQueue } from './team-queue.js';
import { Sweeper } from './team-sweep.js';
import { teamWorkOf, type TeamWork } from './team-work.js';

const LOOK_INTERVAL_MS = 1000;
/** Jobs the queue view lists, and log lines per job. */
const LISTED = 50;
const LOG_LINES = 8;
const FINAL = ['done', 'failed', 'cancelled'];

/** The server's sweep for stopped workers' jobs: how often, and when a silent worker counts as gone. */
export interface ServerSweep {
  everySeconds: number;
  staleAfterSeconds: number;
}

/** As often as workers beat; the stale limit the workers use (the same tuning variable). */
const defaultSweep = (): ServerSweep => ({
  everySeconds: HEARTBEAT_SECONDS,
  staleAfterSeconds: tunedSeconds(STALE_SECONDS_ENV, STALE_AFTER_SECONDS),
});

export class TeamJobs implements Jobs {
  private readonly seen = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly sweeper: Sweeper;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly queue: TeamQueue,
    private readonly events: JobEvents,
    private readonly actor: string,
    sweep: ServerSweep = defaultSweep(),
  ) {
    this.look();
    this.timer = setInterval(() => this.look(), LOOK_INTERVAL_MS);
    this.sweeper = new Sweeper(store, queue, {
      staleAfterSeconds: sweep.staleAfterSeconds,
      log: (line) => console.error(`job queue: ${line}`),
    });
    this.sweepTimer = setInterval(() => void this.sweeper.sweep(), sweep.everySeconds * 1000);
    this.track(this.sendUnsent());
  }

  /**
   * Sends the queued jobs again at start: a server stopped between writing a job's row and handing it to pg-boss
   * (while it stored an upload's files) left a job that no worker would ever take, queued for good. pg-boss keeps
   * one job per id, so one already sent is not sent twice; an upload whose files were not all stored fails,
   * saying so.
   */
  private async sendUnsent(): Promise<void> {
    try {
      await this.sendEach(
        listTeamJobs(this.store, { limit: 100_000, dismissed: true }).filter((j) => j.state === 'queued'),
      );
    } catch (err) {
      console.error(`queued jobs could not be sent again: ${(err as Error).message}`);
    }
    this.look();
  }

  private async sendEach(queued: TeamJob[]): Promise<void> {
    for (const job of queued) {
      const work = job.spec as TeamWork;
      const lost =
        work.kind === 'import' && work.source.type === 'files'
          ? work.source.files.filter((f) => !blobStore(this.store).has(f.hash))
          : [];
      if (lost.length > 0) {
        failUnsentTeamJob(
          this.store,
          job.id,
          `the server stopped before ${lost.map((f) => f.name).join(', ')} reached the shared folder: ` +
            'import them again',
        );
        continue;
      }
      await this.queue
        .send(job.kind, job.id)
        .catch((err: unknown) =>
          console.error(`job ${job.id} could not be queued: ${(err as Error).message}`),
        );
    }
  }

  private track(sending: Promise<void>): void {
    const sent = sending.finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  start(kind: JobKind, total: number, spec: JobSpec): JobInfo {
    const { work, uploads } = teamWorkOf(spec);
    const job = this.enqueue(kind, work, total, async () => {
      for (const f of uploads) await blobStore(this.store).put(f.bytes);
    });
    return jobInfoOf(this.view(job)) as JobInfo;
  }

  /** Queues a retrain for a worker; the run appears when a worker starts it. */
  startRetrain(work: Extract<TeamWork, { kind: 'retrain' }>): TeamJob {
    return this.enqueue('retrain', work, 0, async () => undefined);
  }

  private enqueue(kind: TeamJobKind, work: TeamWork, total: number, before: () => Promise<void>): TeamJob {
    const actor = work.kind === 'predict' ? work.author : work.actor;
    const job = createTeamJob(this.store, { id: randomUUID(), kind, actor, spec: work, total });
    this.track(
      before()
        .then(() => this.queue.send(kind, job.id))
        .catch((err: unknown) =>
          failUnsentTeamJob(this.store, job.id, `could not queue the job: ${(err as Error).message}`),
        ),
    );
    this.look();
    return job;
  }

  cancel(jobId: Id, actor: string = this.actor): boolean {
    let job: TeamJob;
    try {
      job = getTeamJob(this.store, jobId);
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
    if (!cancelTeamJob(this.store, jobId, actor)) return false;
    // A queued job is taken out of pg-boss; a running one's worker stops at its next heartbeat.
    if (job.state === 'queued') void this.queue.cancel(job.kind, job.id).catch(() => undefined);
    this.look();
    return true;
  }

  list(): JobInfo[] {
    return this.snapshot()
      .jobs.map(jobInfoOf)
      .filter((j): j is JobInfo => j !== null);
  }

  dismiss(jobId: Id): boolean {
    const dismissed = dismissTeamJob(this.store, jobId);
    if (dismissed) this.look();
    return dismissed;
  }

  snapshot(): QueueSnapshot {
    return { team: true, jobs: this.views(listTeamJobs(this.store, { limit: LISTED })) };
  }

  private views(rows: TeamJob[]): QueueJob[] {
    const logs = recentJobLogs(
      this.store,
      rows.map((r) => r.id),
      LOG_LINES,
    );
    return rows.map((r) => queueJobOf(r, logs.get(r.id) ?? []));
  }

  async wait(jobId: Id): Promise<JobInfo> {
    for (;;) {
      const job = jobInfoOf(this.view(getTeamJob(this.store, jobId)));
      if (!job) throw new Error(`job ${jobId} is a retrain: follow its training run`);
      if (FINAL.includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.sending, this.sweeper.idle()]);
    await this.queue.close();
  }

  private view(job: TeamJob): QueueJob {
    return this.views([job])[0];
  }

  /** Pushes what changed since the last look. */
  private look(): void {
    let rows: TeamJob[];
    let snapshot: QueueSnapshot;
    try {
      rows = listTeamJobs(this.store, { limit: LISTED });
      snapshot = { team: true, jobs: this.views(rows) };
    } catch (err) {
      console.error(`the job queue cannot be read: ${(err as Error).message}`);
      return;
    }
    const { changed, removed } = changedJobs(this.seen, snapshot.jobs);
    for (const job of changed) {
      const info = jobInfoOf(job);
      if (info) this.events.emit('jobProgress', { ...info, imageId: null });
      const row = rows.find((r) => r.id === job.jobId);
      if (row?.kind === 'retrain') {
        this.events.emit('retrainProgress', retrainStatusOf(row));
        // A worker's retrain may have promoted its candidate: the app asks which model is active now.
        if (row.state === 'done') {
          const active = activeModel(this.store);
          this.events.emit('activeModelChanged', { modelId: active ? String(active.id) : null });
        }
      }
      if (job.kind !== 'retrain' && (job.done > 0 || job.state === 'done')) {
        // A worker elsewhere saved predictions or imported images: the app refreshes them (an import's new
        // images are not known here, hence the empty list, which refreshes the lists).
        const work = row?.spec as TeamWork | undefined;
        const imageIds = work?.kind === 'predict' ? work.imageIds.map(String) : [];
        this.events.emit('imagesChanged', { imageIds });
      }
    }
    if (changed.length > 0 || removed) this.events.emit('queueChanged', snapshot);
  }
}
