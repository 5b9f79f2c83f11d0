// A server stopped (kill -9, a power cut) after writing a job's row but before handing it to pg-boss, as when it
// was still storing an upload's files: the next server start sends the job, so a worker takes it, instead of it
// waiting as 'queued' for good; an upload whose files never reached the shared folder fails, saying so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TeamJobs } from '../../main/jobs/queue/team-jobs.js';
import { TeamQueue } from '../../main/jobs/queue/team-queue.js';
import { blobStore, createTeamJob, getTeamJob, openStore, type Store } from '../../main/store/index.js';
import { useStoreBackend } from '../support/store-backends.js';

describe('queued jobs a stopped server never sent', () => {
  const backend = useStoreBackend('postgres');
  let url: string;
  let store: Store;
  let queue: TeamQueue;
  before(async () => {
    url = backend.location('team_unsent');
    store = openStore(url);
    queue = await TeamQueue.open(url, 'test', () => {});
  });
  after(async () => {
    await queue?.close();
    store?.close();
  });

  test('are sent at the next start; an upload with lost files fails with its reason', async () => {
    const predict = randomUUID();
    createTeamJob(store, {
      id: predict,
      kind: 'predict',
      actor: 'ann',
      spec: { kind: 'predict', imageIds: [1], modelId: 1, modelDir: '/m', author: 'ann' },
      total: 1,
    });
    // Sent before the server stopped: sent again, it is still one pg-boss job.
    const sent = randomUUID();
    createTeamJob(store, {
      id: sent,
      kind: 'predict',
      actor: 'ann',
      spec: { kind: 'predict', imageIds: [2], modelId: 1, modelDir: '/m', author: 'ann' },
      total: 1,
    });
    await queue.send('predict', sent);
    const stored = await blobStore(store).put(new Uint8Array([1, 2, 3]));
    const upload = randomUUID();
    createTeamJob(store, {
      id: upload,
      kind: 'import',
      actor: 'ann',
      spec: {
        kind: 'import',
        actor: 'ann',
        source: {
          type: 'files',
          paths: [],
          files: [
            { name: 'stored.jpg', hash: stored },
            { name: 'IMG_0002.JPG', hash: 'f'.repeat(64) },
          ],
        },
      },
      total: 2,
    });
    assert.equal(await queue.attempts('predict', predict), null, 'never sent');

    // The server starts again (its queue is closed with it).
    const jobs = new TeamJobs(
      store,
      await TeamQueue.open(url, 'server', () => {}),
      { emit: () => undefined },
      'server',
    );
    await jobs.close();

    assert.ok(await queue.attempts('predict', predict), 'sent at the start');
    assert.equal(getTeamJob(store, predict).state, 'queued');
    const failed = getTeamJob(store, upload);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error?.message ?? '', /IMG_0002\.JPG reached the shared folder: import them again/);
    assert.doesNotMatch(failed.error?.message ?? '', /stored\.jpg/);
    assert.equal(await queue.attempts('import', upload), null, 'not sent');
  });
});
