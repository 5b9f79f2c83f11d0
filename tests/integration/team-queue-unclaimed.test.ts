// A worker killed between taking a job from pg-boss and claiming it in the jobs table left no heartbeat to go
// stale: the row stayed 'queued' and pg-boss 'active' until pg-boss's expiry (2 h). Another worker now hands it back
// once it has been taken for longer than the stale limit without being claimed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { getTeamJob, openStore, type Store } from '../../main/store/index.js';
import { useStoreBackend } from '../support/store-backends.js';
import { queuedJob, ScriptedWorker } from '../support/scripted-worker.js';
import { waitFor } from '../e2e/flow.js';

describe('a job taken from pg-boss by a worker that died before claiming it', () => {
  const backend = useStoreBackend('postgres');
  let store: Store;
  let queue: TeamQueue;
  let worker: ScriptedWorker | null = null;

  before(async () => {
    const url = backend.location('queue_unclaimed');
    store = openStore(url);
    // pg-boss's own expiry stays at its production hours; only the retry waits less.
    queue = await TeamQueue.open(url, 'test', () => {}, { retryDelay: 1 });
  });
  after(async () => {
    worker?.finish();
    await worker?.stop();
    await queue?.close();
    store?.close();
  });

  test('is handed back and run by another worker within seconds', async () => {
    const id = randomUUID();
    queuedJob(store, id);
    await queue.send('predict', id);
    // The dead worker's fetch: pg-boss has it active, the jobs table still says queued.
    assert.equal((await queue.fetch('predict'))?.jobId, id);
    assert.equal(getTeamJob(store, id).state, 'queued');

    worker = new ScriptedWorker(store, queue, 'survivor', { staleAfterSeconds: 2 });
    worker.start();
    const w = worker;
    await waitFor(
      'the survivor to run the job',
      () => Promise.resolve(w.started.includes(id) || null),
      30_000,
    );
    worker.finish();
    await waitFor('the job to end', () => Promise.resolve(getTeamJob(store, id).state === 'done' || null));
    assert.equal(getTeamJob(store, id).worker, 'survivor');
    assert.ok(
      w.lines.some((l) => /stopped before starting it/.test(l)),
      w.lines.join('\n'),
    );
  });
});
