// The team queue's pure pieces: which failures are retried, how queues map to kinds, when a worker counts as gone,
// what a team job stores (nothing machine-bound, uploads by hash), and which jobs changed between two looks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isRetryable,
  kindOfQueue,
  queuePolicy,
  staleBefore,
  TEAM_JOB_KINDS,
} from '../../main/jobs/queue/queue-policy.js';
import { changedJobs, jobInfoOf, queueJobOf, retrainStatusOf } from '../../main/jobs/queue/queue-view.js';
import { teamWorkOf, workTotal } from '../../main/jobs/queue/team-work.js';
import { sha256, type TeamJob } from '../../main/store/index.js';

test('bad input is final; a lost connection or a crash is retried', () => {
  for (const code of [
    'not-found',
    'unreadable-file',
    'model-failed',
    'invalid-request',
    'cancelled',
  ] as const)
    assert.equal(isRetryable({ code, message: 'x' }), false, code);
  for (const code of ['storage', 'internal'] as const)
    assert.equal(isRetryable({ code, message: 'x' }), true, code);
});

test('each kind has its own queue, found again by name; retraining retries least and expires last', () => {
  for (const kind of TEAM_JOB_KINDS) assert.equal(kindOfQueue(queuePolicy(kind).queue), kind);
  assert.equal(kindOfQueue('someone-else'), null);
  assert.ok(queuePolicy('retrain').retryLimit < queuePolicy('predict').retryLimit);
  assert.ok(queuePolicy('retrain').expireInSeconds > queuePolicy('predict').expireInSeconds);
});

test('a worker is gone when its last beat is older than the stale limit', () => {
  assert.equal(staleBefore(new Date('2026-01-01T00:01:00.000Z'), 30), '2026-01-01T00:00:30.000Z');
});

test('team work keeps no database address, thread count or anatomy folders; uploads travel by hash', () => {
  const predict = teamWorkOf({
    kind: 'predict',
    dbPath: 'postgres://u:secret@host/db',
    imageIds: [3, 4],
    modelId: 7,
    modelDir: '/shared/models/m',
    threads: 8,
    author: 'ann',
    anatomy: { arteryVein: '/a', opticDisc: '/b' },
  });
  assert.deepEqual(predict.work, {
    kind: 'predict',
    imageIds: [3, 4],
    modelId: 7,
    modelDir: '/shared/models/m',
    author: 'ann',
  });
  assert.ok(!JSON.stringify(predict.work).includes('secret'));
  assert.equal(workTotal(predict.work), 2);

  const bytes = new Uint8Array([1, 2, 3]);
  const upload = teamWorkOf({
    kind: 'import',
    dbPath: '/x.db',
    actor: 'ann',
    source: { type: 'files', paths: ['/shared/a.png'], files: [{ name: 'b.png', bytes }] },
  });
  assert.deepEqual(upload.work, {
    kind: 'import',
    actor: 'ann',
    source: { type: 'files', paths: ['/shared/a.png'], files: [{ name: 'b.png', hash: sha256(bytes) }] },
  });
  assert.equal(upload.uploads[0].bytes, bytes);
  assert.equal(workTotal(upload.work), 2);
});

function row(over: Partial<TeamJob>): TeamJob {
  return {
    id: 'j',
    kind: 'predict',
    state: 'running',
    actor: 'ann',
    spec: {},
    done: 1,
    total: 2,
    message: 'a.png',
    error: null,
    failures: null,
    worker: 'w1',
    attempt: 1,
    runId: null,
    dismissed: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    heartbeatAt: null,
    finishedAt: null,
    ...over,
  };
}

test('changed jobs: new or different ones, once; a job gone from the list is noticed', () => {
  const seen = new Map<string, string>();
  const a = queueJobOf(row({ id: 'a' }), []);
  const b = queueJobOf(row({ id: 'b' }), []);
  assert.deepEqual(changedJobs(seen, [a, b]).changed, [a, b]);
  assert.deepEqual(changedJobs(seen, [a, b]), { changed: [], removed: false });
  const a2 = queueJobOf(row({ id: 'a', done: 2 }), [{ attempt: 1, worker: 'w1', at: 't', line: 'b.png' }]);
  assert.deepEqual(changedJobs(seen, [a2, b]).changed, [a2]);
  assert.deepEqual(changedJobs(seen, [a2]), { changed: [], removed: true });
});

test("the job list's view: started when created if not yet taken; retraining is not one of its jobs", () => {
  const queued = queueJobOf(row({ state: 'queued', worker: null, attempt: 0 }), []);
  assert.equal(queued.startedAt, '2026-01-01T00:00:00.000Z');
  const info = jobInfoOf(queued);
  assert.equal(info?.kind, 'predict');
  assert.ok(info && !('worker' in info) && !('log' in info));
  assert.equal(jobInfoOf(queueJobOf(row({ kind: 'retrain' }), [])), null);
});

test("a retrain job as the retrain panel's status: waiting, its phase and steps, its end", () => {
  const queued = retrainStatusOf(row({ kind: 'retrain', state: 'queued', message: null, done: 0, total: 0 }));
  assert.equal(queued.state, 'running');
  assert.equal(queued.message, 'waiting for a worker');
  const training = retrainStatusOf(
    row({ kind: 'retrain', message: 'training', done: 3, total: 12, runId: 9 }),
  );
  assert.deepEqual(
    [training.phase, training.step, training.totalSteps, training.runId],
    ['training', 3, 12, '9'],
  );
  const failed = retrainStatusOf(
    row({
      kind: 'retrain',
      state: 'failed',
      error: { code: 'internal', message: 'worker w1 stopped answering' },
    }),
  );
  assert.deepEqual(
    [failed.state, failed.phase, failed.error?.message],
    ['failed', 'finished', 'worker w1 stopped answering'],
  );
  assert.equal(retrainStatusOf(row({ kind: 'retrain', state: 'done' })).state, 'succeeded');
});
