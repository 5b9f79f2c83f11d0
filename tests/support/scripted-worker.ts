// An in-process team worker whose jobs do nothing but wait for the test to let them end: the queue's own
// behaviour (claims, heartbeats, pg-boss expiry and retries) is exercised without a model or images.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobHooks } from '../../main/jobs/job-types.js';
import { MANIFEST_FILE } from '../../main/ml/model/model-dir.js';
import type { JobResult } from '../../main/jobs/run-job.js';
import { TeamWorker, type TeamWorkerOptions } from '../../main/jobs/queue/team-worker.js';
import type { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { createTeamJob, type JobClaim, type Store, type TeamJob } from '../../main/store/index.js';

export class ScriptedWorker extends TeamWorker {
  /** Ids of the jobs whose body this worker started, in order. */
  readonly started: string[] = [];
  readonly lines: string[] = [];
  private release: () => void = () => undefined;
  private readonly released = new Promise<void>((r) => (this.release = r));

  constructor(store: Store, queue: TeamQueue, name: string, opts: Partial<TeamWorkerOptions> = {}) {
    super(store, queue, {
      name,
      concurrency: 1,
      threads: 1,
      heartbeatSeconds: 0.2,
      staleAfterSeconds: 10,
      pollSeconds: 0.2,
      log: (line) => this.lines.push(line),
      ...opts,
    });
  }

  /** Lets every job this worker runs (or will run) end, done. */
  finish(): void {
    this.release();
  }

  protected override async body(job: TeamJob, _claim: JobClaim, _hooks: JobHooks): Promise<JobResult> {
    this.started.push(job.id);
    await this.released;
    return { imageIds: [], message: `ran on ${this.lines.length}`, error: null, cancelled: false };
  }
}

/** A model folder every worker reaches (a worker refuses a job whose folder it cannot); its body never reads it. */
let reachable: string | null = null;
function reachableModelDir(): string {
  if (reachable === null) {
    reachable = mkdtempSync(join(tmpdir(), 'retina-scripted-model-'));
    writeFileSync(join(reachable, MANIFEST_FILE), '{}');
  }
  return reachable;
}

/** A predict job's row, as the server writes it before sending it to pg-boss. */
export function queuedJob(store: Store, id: string, modelDir = reachableModelDir()): void {
  createTeamJob(store, {
    id,
    kind: 'predict',
    actor: 'ann',
    spec: { kind: 'predict', imageIds: [], modelId: 1, modelDir, author: 'ann' },
    total: 0,
  });
}

/** The job's state in pg-boss's own table. */
export function bossState(store: Store, id: string): string | undefined {
  return store.db.prepare('SELECT state FROM pgboss.job WHERE id::text = ?').pluck().get(id) as
    string | undefined;
}
