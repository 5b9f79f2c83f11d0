// Retraining on a team: the Retrain button (or the automatic trigger) queues a retrain job that a worker runs
// with the same code as the single-user retrain thread; the app follows it through the job's row (phase, steps,
// outcome), with the same surface as the in-process RetrainService.
import type { RetrainStatus } from '../../../shared/contract.js';
import { RetrainError } from '../../retrain/errors.js';
import type { Retrainer } from '../../retrain/service.js';
import type { RetrainSettings } from '../../retrain/settings.js';
import { cancelTeamJob, getTeamJob, listTeamJobs, type Store, type TeamJob } from '../../store/index.js';
import type { TeamJobs } from './team-jobs.js';
import { retrainStatusOf } from './queue-view.js';

/** How long Retrain waits for a worker to start the run before saying it is queued. */
const START_WAIT_MS = 60_000;
const POLL_MS = 250;
const FINAL = ['done', 'failed', 'cancelled'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TeamRetrain implements Retrainer {
  constructor(
    private readonly store: Store,
    private readonly jobs: TeamJobs,
    private readonly actor: string,
    private readonly settings: Partial<RetrainSettings> = {},
  ) {}

  private latest(): TeamJob | null {
    return (
      listTeamJobs(this.store, { limit: 200, dismissed: true }).find((j) => j.kind === 'retrain') ?? null
    );
  }

  get running(): boolean {
    const job = this.latest();
    return job !== null && !FINAL.includes(job.state);
  }

  status(): RetrainStatus | null {
    const job = this.latest();
    return job ? retrainStatusOf(job) : null;
  }

  async start(trigger: 'button' | 'auto', actor: string = this.actor): Promise<number> {
    if (this.running) throw new RetrainError('a retrain is already queued or running');
    const job = this.jobs.startRetrain({
      kind: 'retrain',
      actor,
      trigger,
      promote: trigger === 'auto' ? 'if-better' : 'never',
      settings: this.settings,
    });
    for (let waited = 0; waited < START_WAIT_MS; waited += POLL_MS) {
      const now = getTeamJob(this.store, job.id);
      if (now.runId !== null) return now.runId;
      if (FINAL.includes(now.state)) throw new RetrainError(now.error?.message ?? `the retrain ${now.state}`);
      await sleep(POLL_MS);
    }
    throw new RetrainError('the retrain is queued: it starts when a worker (retina worker) is free');
  }

  cancel(): boolean {
    const job = this.latest();
    return job !== null && !FINAL.includes(job.state) && cancelTeamJob(this.store, job.id, this.actor);
  }

  async wait(): Promise<void> {
    while (this.running) await sleep(POLL_MS);
  }

  async close(): Promise<void> {
    // The retrain runs on a worker: it carries on when this server stops.
  }
}
