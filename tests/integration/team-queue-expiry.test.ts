// pg-boss's expiry is a backstop for dead workers (hours in production, seconds here): it must not hand a long job
// to a second worker while the first one is alive and beating. It used to: after 2 h (12 h for a retrain) the job
// went back to pg-boss, another worker took it and started it from scratch beside the first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { claimTeamJob, getTeamJob, openStore, type Store } from '../../main/store/index.js';
import { useStoreBackend } from '../support/store-backends.js';
import { bossState, queuedJob, ScriptedWorker } from '../support/scripted-worker.js';
import { waitFor } from '../e2e/flow.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Expiry after 2 s, looked for every second, retried after 1 s. */
const TIMING = { expireInSeconds: 2, maintenanceIntervalSeconds: 1, retryDelay: 1 };

describe('pg-boss expiry of a job whose worker still beats', () => {
  const backend = useStoreBackend('postgres');
  let store: Store;
  let queue: TeamQueue;
  const workers: ScriptedWorker[] = [];

  before(async () => {
    const url = backend.location('queue_expiry');
    store = openStore(url);
    queue = await TeamQueue.open(url, 'test', () => {}, TIMING);
  });
  after(async () => {
    for (const w of workers) w.finish();
    await Promise.all(workers.map((w) => w.stop()));
    await queue?.close();
    store?.close();
  });

  test('is not handed to a second worker: the first finishes it, once', async () => {
    const id = randomUUID();
    queuedJob(store, id);
    await queue.send('predict', id);
    const first = new ScriptedWorker(store, queue, 'first');
    workers.push(first);
    first.start();
    await waitFor('the first worker to start the job', () =>
      Promise.resolve(first.started.includes(id) || null),
    );
    const second = new ScriptedWorker(store, queue, 'second');
    workers.push(second);
    second.start();
    // Well past expiry, a maintenance pass and the retry delay.
    await sleep(8000);
    assert.deepEqual(second.started, [], second.lines.join('\n'));
    const running = getTeamJob(store, id);
    assert.equal(running.state, 'running');
    assert.equal(running.worker, 'first');
    assert.equal(running.attempt, 1);

    first.finish();
    await waitFor('the job to end', () => Promise.resolve(getTeamJob(store, id).state === 'done' || null));
    assert.equal(getTeamJob(store, id).attempt, 1);
    assert.equal(bossState(store, id), 'completed');
  });

  test('a claim steps aside for a job another worker still beats for, and takes one nobody beats for', () => {
    const id = randomUUID();
    queuedJob(store, id);
    const first = claimTeamJob(store, id, 'first');
    assert.ok(first);
    const now = new Date(Date.now() - 30_000).toISOString();
    assert.deepEqual(claimTeamJob(store, id, 'second', now), { heldBy: 'first', attempt: 1 });
    assert.equal(getTeamJob(store, id).attempt, 1);
    const later = new Date(Date.now() + 60_000).toISOString();
    assert.deepEqual(claimTeamJob(store, id, 'second', later), { jobId: id, attempt: 2, worker: 'second' });
  });
});
