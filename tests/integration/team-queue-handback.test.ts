// pg-boss on a real PostgreSQL: a job handed back because its worker was stopped on purpose stays in the queue
// however often it happens, while failed attempts still use up its retries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { queuePolicy } from '../../main/jobs/queue/queue-policy.js';
import { postgresBinaries, startPostgres, type PostgresCluster } from '../support/postgres.js';

describe('team queue hand-backs', { skip: !postgresBinaries() && 'PostgreSQL not installed' }, () => {
  let cluster: PostgresCluster;
  let queue: TeamQueue;
  let url: string;
  before(async () => {
    cluster = await startPostgres();
    url = cluster.createDatabase('handback');
    queue = await TeamQueue.open(url, 'test', () => {});
  });
  after(async () => {
    await queue?.close();
    cluster?.stop();
  });

  async function stateOf(jobId: string): Promise<string | undefined> {
    const boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
    await boss.start();
    try {
      return (await boss.getJobById(queuePolicy('predict').queue, jobId))?.state;
    } finally {
      await boss.stop({ graceful: false });
    }
  }

  /** A worker took the job, as pg-boss's fetch marks it (a retry counted), without waiting out the retry delay. */
  async function takeNow(jobId: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        "UPDATE pgboss.job SET state = 'active', retry_count = CASE WHEN started_on IS NOT NULL THEN retry_count + 1 ELSE retry_count END, started_on = now() WHERE id = $1",
        [jobId],
      );
    } finally {
      await client.end();
    }
  }

  test('stopped on purpose more often than the retry limit: still queued; failed as often: failed for good', async () => {
    const limit = queuePolicy('predict').retryLimit;
    const stopped = randomUUID();
    await queue.send('predict', stopped);
    for (let i = 0; i <= limit + 1; i++) {
      await takeNow(stopped);
      await queue.handBackUncounted('predict', stopped, `stop ${i}`);
    }
    assert.equal(await stateOf(stopped), 'retry');

    const failing = randomUUID();
    await queue.send('predict', failing);
    for (let i = 0; i <= limit + 1; i++) {
      await takeNow(failing);
      await queue.fail('predict', failing, `failure ${i}`);
    }
    assert.equal(await stateOf(failing), 'failed');
  });
});
