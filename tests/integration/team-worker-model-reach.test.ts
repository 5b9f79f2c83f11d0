// A predict job naming a model whose folder one worker cannot reach (mounted on some machines only) used to fail for
// good on that worker (model-failed), though another worker could run it. That worker now refuses it before
// claiming it (no attempt used) and keeps away from it for a while; when no worker reaches it, it fails after a few
// refusals, naming the folder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobResult } from '../../main/jobs/run-job.js';
import { MODEL_REFUSALS } from '../../main/jobs/queue/queue-policy.js';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { TeamWorker } from '../../main/jobs/queue/team-worker.js';
import { MANIFEST_FILE } from '../../main/ml/model/model-dir.js';
import { getTeamJob, jobLog, openStore, type Store, type TeamJob } from '../../main/store/index.js';
import { useStoreBackend } from '../support/store-backends.js';
import { queuedJob } from '../support/scripted-worker.js';
import { waitFor } from '../e2e/flow.js';

const DELAY = 1;

/** A worker that picks its model folder as a real one does, without running a model. */
class ModelWorker extends TeamWorker {
  readonly ran: string[] = [];

  protected override body(job: TeamJob): Promise<JobResult> {
    // Private: the worker's own choice of folder, which throws when it has none.
    const dir = (this as unknown as { modelDirFor(work: unknown): string }).modelDirFor(job.spec);
    this.ran.push(job.id);
    return Promise.resolve({ imageIds: [], message: `with ${dir}`, error: null, cancelled: false });
  }
}

describe('a predict job whose model folder a worker cannot reach', () => {
  const backend = useStoreBackend('postgres');
  let store: Store;
  let queue: TeamQueue;
  const workers: ModelWorker[] = [];
  const lines = new Map<string, string[]>();

  function startWorker(name: string, modelDir?: string): ModelWorker {
    const log: string[] = [];
    lines.set(name, log);
    const w = new ModelWorker(store, queue, {
      name,
      concurrency: 1,
      threads: 1,
      modelDir,
      heartbeatSeconds: 0.2,
      staleAfterSeconds: 10,
      pollSeconds: 0.2,
      refusalDelaySeconds: DELAY,
      log: (line) => log.push(line),
    });
    workers.push(w);
    w.start();
    return w;
  }

  before(async () => {
    const url = backend.location('model_reach');
    store = openStore(url);
    queue = await TeamQueue.open(url, 'test', () => {}, { retryDelay: 1 });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await queue?.close();
    store?.close();
  });

  test('is left to a worker that reaches it, using no attempt', async () => {
    const id = randomUUID();
    queuedJob(store, id, '/nowhere/model');
    await queue.send('predict', id);
    const blind = startWorker('blind');
    await waitFor('the blind worker to refuse the job', () =>
      Promise.resolve(
        lines.get('blind')!.some((l) => l.includes('cannot reach model folder /nowhere/model')) || null,
      ),
    );
    const own = mkdtempSync(join(tmpdir(), 'retina-own-model-'));
    writeFileSync(join(own, MANIFEST_FILE), '{}');
    const sighted = startWorker('sighted', own);
    await waitFor('the job to end', () =>
      Promise.resolve(['done', 'failed'].includes(getTeamJob(store, id).state) || null),
    );
    const job = getTeamJob(store, id);
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    assert.equal(job.worker, 'sighted');
    assert.equal(job.attempt, 1, 'the refusal used no attempt');
    assert.deepEqual(blind.ran, []);
    assert.deepEqual(sighted.ran, [id]);
    await sighted.stop();
  });

  test('fails, naming the folder, when no worker reaches it (not taken back in a tight loop)', async () => {
    const id = randomUUID();
    queuedJob(store, id, '/nowhere/other');
    const sent = Date.now();
    await queue.send('predict', id);
    await waitFor(
      'the job to fail',
      () => Promise.resolve(getTeamJob(store, id).state === 'failed' || null),
      60_000,
    );
    const job = getTeamJob(store, id);
    assert.equal(job.error?.code, 'model-failed');
    assert.match(job.error?.message ?? '', /no worker could reach model folder \/nowhere\/other/);
    assert.equal(job.attempt, 0, 'never claimed');
    const refusals = jobLog(store, id, 100).filter((l) => l.line.startsWith('refused by blind'));
    assert.equal(refusals.length, MODEL_REFUSALS);
    assert.ok(Date.now() - sent >= (MODEL_REFUSALS - 1) * DELAY * 1000, 'each refusal kept it away a while');
  });
});
