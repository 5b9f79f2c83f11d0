// With every worker dead (the team's one worker machine crashed), their jobs used to stay 'running' (or taken from
// pg-boss, never claimed) until a worker started again: only workers swept. The server, always up, now sweeps too,
// by the same code; several sweepers at once hand each job back once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TeamJobs } from '../../main/jobs/queue/team-jobs.js';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { Sweeper } from '../../main/jobs/queue/team-sweep.js';
import { claimTeamJob, getTeamJob, jobLog, openStore, type Store } from '../../main/store/index.js';
import { useStoreBackend } from '../support/store-backends.js';
import { bossState, queuedJob } from '../support/scripted-worker.js';
import { waitFor } from '../e2e/flow.js';

const STALE = 2;

describe('jobs of workers that all died', () => {
  const backend = useStoreBackend('postgres');
  let url: string;
  let store: Store;
  let queue: TeamQueue;
  before(async () => {
    url = backend.location('server_sweep');
    store = openStore(url);
    queue = await TeamQueue.open(url, 'test', () => {}, { retryDelay: 1 });
  });
  after(async () => {
    await queue?.close();
    store?.close();
  });

  /** A job a worker took from pg-boss (and claimed, when `claim`) before it died. */
  async function takenByDeadWorker(claim: boolean): Promise<string> {
    const id = randomUUID();
    queuedJob(store, id);
    await queue.send('predict', id);
    assert.equal((await queue.fetch('predict'))?.jobId, id);
    if (claim) assert.ok(claimTeamJob(store, id, 'dead'));
    return id;
  }

  test('are handed back by the server within the stale limit: queued again, or failed with no retries left', async () => {
    const stale = await takenByDeadWorker(true);
    const unclaimed = await takenByDeadWorker(false);
    const spent = await takenByDeadWorker(true);
    store.db.prepare('UPDATE pgboss.job SET retry_count = retry_limit WHERE id::text = ?').run(spent);

    const server = new TeamJobs(
      store,
      await TeamQueue.open(url, 'server', () => {}),
      { emit: () => undefined },
      'server',
      { everySeconds: 0.5, staleAfterSeconds: STALE },
    );
    try {
      await waitFor(
        'the server to hand the jobs back',
        () =>
          Promise.resolve(
            (getTeamJob(store, stale).state === 'queued' &&
              bossState(store, stale) === 'retry' &&
              bossState(store, unclaimed) === 'retry' &&
              getTeamJob(store, spent).state === 'failed') ||
              null,
          ),
        20_000,
      );
    } finally {
      await server.close();
    }
    assert.match(jobLog(store, stale).at(-1)?.line ?? '', /requeued: worker dead stopped answering/);
    assert.match(getTeamJob(store, spent).error?.message ?? '', /worker dead stopped answering/);
    assert.equal(bossState(store, spent), 'failed');
    assert.equal(getTeamJob(store, unclaimed).state, 'queued');
    // Out of the way of the next test's fetches.
    for (const id of [stale, unclaimed]) await queue.cancel('predict', id);
  });

  test('several processes sweeping at once hand each job back once', async () => {
    const stale = await takenByDeadWorker(true);
    const unclaimed = await takenByDeadWorker(false);
    await new Promise((r) => setTimeout(r, (STALE + 1) * 1000));

    const failed: string[] = [];
    const fail = queue.fail.bind(queue);
    // A slow queue call: every sweeper has looked before any hand-back reaches pg-boss.
    queue.fail = async (kind, jobId, reason) => {
      failed.push(jobId);
      await new Promise((r) => setTimeout(r, 300));
      return fail(kind, jobId, reason);
    };
    try {
      const sweepers = [1, 2, 3].map(
        () => new Sweeper(store, queue, { staleAfterSeconds: STALE, log: () => undefined }),
      );
      await Promise.all(sweepers.map((s) => s.sweep()));
    } finally {
      queue.fail = fail;
    }
    assert.deepEqual(failed.sort(), [stale, unclaimed].sort());
    assert.equal(jobLog(store, stale).filter((l) => l.line.startsWith('requeued')).length, 1);
    assert.equal(bossState(store, stale), 'retry');
    assert.equal(bossState(store, unclaimed), 'retry');
  });
});
