// The team's job engine: pg-boss over the team's PostgreSQL database. Why pg-boss: it runs on Node 20, which this
// app supports (graphile-worker's current releases need Node 22); its jobs are plain SQL tables in a schema of
// its own (`pgboss`), next to ours and backed up with them; it retries failed jobs with exponential backoff,
// expires jobs whose worker died, and takes each job exactly once across machines (SELECT ... FOR UPDATE SKIP
// LOCKED), with singleton keys when one job of a kind must not queue twice. pg-boss delivers; the outcome, the
// progress and the log live in our own `jobs` tables (main/store/jobs.ts), which the app shows.
import PgBoss from 'pg-boss';
import type { TeamJobKind } from '../../store/index.js';
import { kindOfQueue, queuePolicy, TEAM_JOB_KINDS, type QueuePolicy } from './queue-policy.js';

/** What pg-boss carries: only the job's id; what to do is in the `jobs` row. */
export interface QueueMessage {
  jobId: string;
}

export interface FetchedJob {
  kind: TeamJobKind;
  jobId: string;
  retryCount: number;
  retryLimit: number;
}

const SCHEMA = 'pgboss';

/** Clocks a test shortens (production waits hours for expiry): the same for every kind, over queue-policy.ts's. */
export interface QueueTiming {
  expireInSeconds?: number;
  retryDelay?: number;
  /** How often pg-boss expires jobs (default 60). */
  maintenanceIntervalSeconds?: number;
}

/**
 * node-postgres pool settings pg-boss passes through (its types do not list them). By default a pool waits for a
 * free connection, and a query for its answer, forever: one lost answer would leave a worker idle with its jobs
 * unfinished. With limits, a stuck call fails, the worker logs it and tries again at its next poll or beat.
 */
const POOL_LIMITS = { connectionTimeoutMillis: 30_000, query_timeout: 120_000 };

export class TeamQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly timing: QueueTiming,
  ) {}

  private policy(kind: TeamJobKind): QueuePolicy {
    const { expireInSeconds, retryDelay } = this.timing;
    const p = queuePolicy(kind);
    return {
      ...p,
      expireInSeconds: expireInSeconds ?? p.expireInSeconds,
      retryDelay: retryDelay ?? p.retryDelay,
    };
  }

  /** Connects, installing or upgrading pg-boss's schema and our queues when needed. */
  static async open(
    url: string,
    applicationName: string,
    onError: (err: Error) => void,
    timing: QueueTiming = {},
  ): Promise<TeamQueue> {
    const boss = new PgBoss({
      connectionString: url,
      schema: SCHEMA,
      application_name: applicationName,
      max: 4,
      ...POOL_LIMITS,
      // Expiry and retention run in whichever process is up (pg-boss takes turns by an advisory lock).
      supervise: true,
      maintenanceIntervalSeconds: timing.maintenanceIntervalSeconds ?? 60,
      schedule: false,
    });
    boss.on('error', onError);
    await boss.start();
    const queue = new TeamQueue(boss, timing);
    for (const kind of TEAM_JOB_KINDS) {
      const p = queue.policy(kind);
      await boss.createQueue(p.queue, {
        name: p.queue,
        retryLimit: p.retryLimit,
        retryDelay: p.retryDelay,
        retryBackoff: true,
        expireInSeconds: p.expireInSeconds,
      });
    }
    return queue;
  }

  async send(kind: TeamJobKind, jobId: string): Promise<void> {
    const p = this.policy(kind);
    const message: QueueMessage = { jobId };
    await this.boss.send(p.queue, message, {
      id: jobId,
      retryLimit: p.retryLimit,
      retryDelay: p.retryDelay,
      retryBackoff: true,
      expireInSeconds: p.expireInSeconds,
    });
  }

  /** Takes the next job of `kind`, if any (exactly one taker across every worker). */
  async fetch(kind: TeamJobKind): Promise<FetchedJob | null> {
    const [job] = await this.boss.fetch<QueueMessage>(queuePolicy(kind).queue, {
      batchSize: 1,
      includeMetadata: true,
    });
    if (!job) return null;
    return { kind, jobId: job.data.jobId, retryCount: job.retryCount, retryLimit: job.retryLimit };
  }

  /** pg-boss's view of a job: how many attempts it has had and may have. */
  async attempts(
    kind: TeamJobKind,
    jobId: string,
  ): Promise<{ retryCount: number; retryLimit: number } | null> {
    const job = await this.boss.getJobById<QueueMessage>(queuePolicy(kind).queue, jobId);
    return job ? { retryCount: job.retryCount, retryLimit: job.retryLimit } : null;
  }

  /**
   * Restarts pg-boss's expiry clock of jobs a live worker runs. pg-boss 10 has no call for it while a job is
   * active, and its expiry (hours: a backstop for when no worker is left to notice a dead one) would otherwise hand
   * a long job to a second worker beside the first. Its expiry compares `started_on + expire_in` with now, and
   * `started_on` means nothing else to an active job (a fetch only asks whether it is set, to count a retry).
   */
  async keepAlive(kind: TeamJobKind, jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.boss
      .getDb()
      .executeSql(
        `UPDATE ${SCHEMA}.job SET started_on = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`,
        [queuePolicy(kind).queue, jobIds],
      );
  }

  /**
   * Jobs a worker took from pg-boss more than `seconds` ago and has not kept alive since (keepAlive): taken by a
   * worker that died before it claimed them (then its jobs row is still queued), or after (then the stale
   * heartbeat tells).
   */
  async unkept(seconds: number): Promise<{ kind: TeamJobKind; jobId: string }[]> {
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT name, id::text AS id FROM ${SCHEMA}.job
        WHERE name = ANY($1) AND state = 'active' AND started_on < now() - make_interval(secs => $2)`,
      [TEAM_JOB_KINDS.map((k) => queuePolicy(k).queue), seconds],
    );
    return (rows as { name: string; id: string }[]).flatMap(({ name, id }) => {
      const kind = kindOfQueue(name);
      return kind ? [{ kind, jobId: id }] : [];
    });
  }

  /**
   * Takes an unkept job (see unkept) for the caller to fail: restarts its clock if it is still unkept, so that of
   * several processes sweeping at once one alone fails it (a second fail could hit a worker's new fetch of it).
   */
  async takeUnkept(kind: TeamJobKind, jobId: string, seconds: number): Promise<boolean> {
    const { rows } = await this.boss.getDb().executeSql(
      `UPDATE ${SCHEMA}.job SET started_on = now()
        WHERE name = $1 AND id = $2::uuid AND state = 'active' AND started_on < now() - make_interval(secs => $3)
        RETURNING id`,
      [queuePolicy(kind).queue, jobId, seconds],
    );
    return rows.length === 1;
  }

  /**
   * Puts a job this worker took but will not run back in the queue, not before `seconds`, without using a retry:
   * pg-boss counted one at the fetch (when the job had been fetched before), so its limit grows by one. At worst
   * (a first fetch, which counts none) the job gains a retry, which is safer than losing one to a refusal.
   */
  async deferUncounted(kind: TeamJobKind, jobId: string, seconds: number): Promise<void> {
    await this.boss.getDb().executeSql(
      `UPDATE ${SCHEMA}.job
          SET state = 'retry', start_after = now() + make_interval(secs => $3), retry_limit = retry_limit + 1
        WHERE name = $1 AND id = $2::uuid AND state = 'active'`,
      [queuePolicy(kind).queue, jobId, seconds],
    );
  }

  /** The job ended (well or for good): no retry. */
  async complete(kind: TeamJobKind, jobId: string, output: object): Promise<void> {
    await this.boss.complete(queuePolicy(kind).queue, jobId, output);
  }

  /** The attempt failed: pg-boss retries it after its backoff while retries are left. */
  async fail(kind: TeamJobKind, jobId: string, reason: string): Promise<void> {
    await this.boss.fail(queuePolicy(kind).queue, jobId, { message: reason });
  }

  /**
   * A job handed back because its worker was stopped on purpose (Ctrl+C, a restart): back in the queue however
   * many attempts it has had. pg-boss counts every hand-back as a failed attempt; past its limit it fails the
   * job for good, and then it is put back with one more allowed.
   */
  async handBackUncounted(kind: TeamJobKind, jobId: string, reason: string): Promise<void> {
    const queue = queuePolicy(kind).queue;
    await this.boss.fail(queue, jobId, { message: reason });
    const job = await this.boss.getJobById<QueueMessage>(queue, jobId);
    if (job?.state === 'failed') await this.boss.retry(queue, jobId);
  }

  /** A queued job that must not start (a running one is stopped by its worker at its next heartbeat). */
  async cancel(kind: TeamJobKind, jobId: string): Promise<void> {
    await this.boss.cancel(queuePolicy(kind).queue, jobId);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, timeout: 5000 });
  }
}
