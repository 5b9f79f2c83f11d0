// A team job that fails for an unexpected reason (a bug; here a database damaged outside the app, a column the
// job reads renamed) leaves its stack in the worker machine's support log, and the job's one-line error, which the
// team's jobs tray shows, says where the details are.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticsLog } from '../../main/node/diagnostics-log.js';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { TeamWorker } from '../../main/jobs/queue/team-worker.js';
import { getTeamJob, openStore, type Store } from '../../main/store/index.js';
import { useStoreBackend } from '../support/store-backends.js';
import { queuedJob } from '../support/scripted-worker.js';
import { tinyModelDir } from '../e2e/model-fixture.js';
import { waitFor } from '../e2e/flow.js';

describe('a team job failing unexpectedly', () => {
  const backend = useStoreBackend('postgres');
  let store: Store;
  let queue: TeamQueue;
  let worker: TeamWorker | null = null;

  before(async () => {
    const url = backend.location('support_log');
    store = openStore(url);
    queue = await TeamQueue.open(url, 'test', () => {}, { retryDelay: 1 });
  });
  after(async () => {
    await worker?.stop();
    await queue?.close();
    store?.close();
  });

  test('logs its stack on the worker machine, its error naming the log', async () => {
    const log = new DiagnosticsLog(join(mkdtempSync(join(tmpdir(), 'retina-worker-log-')), 'retina.log'));
    const id = randomUUID();
    queuedJob(store, id, await tinyModelDir());
    store.db.prepare('ALTER TABLE mask_versions RENAME COLUMN job_id TO lost_column').run();
    const lines: string[] = [];
    worker = new TeamWorker(store, queue, {
      name: 'w1',
      concurrency: 1,
      threads: 1,
      heartbeatSeconds: 0.2,
      staleAfterSeconds: 10,
      pollSeconds: 0.2,
      log: (line) => lines.push(line),
      supportLog: log,
    });
    worker.start();
    await queue.send('predict', id);
    await waitFor(
      'the job to fail',
      () => Promise.resolve(getTeamJob(store, id).state === 'failed' || null),
      120_000,
    );
    const job = getTeamJob(store, id);
    assert.equal(job.error?.code, 'internal');
    assert.equal(job.error?.message.split('\n').length, 1);
    assert.ok(job.error?.message.includes(log.file), job.error?.message);
    const text = readFileSync(log.file, 'utf8');
    assert.match(text, /unexpected error in predict job: /);
    assert.match(text, /\n\s+at .+:\d+:\d+/, 'the stack is there');
    assert.ok(
      lines.some((l) => l.includes(log.file)),
      lines.join('\n'),
    );
  });
});
