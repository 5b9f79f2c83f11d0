import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueJob } from '../../shared/contract.js';
import { lastLogLines, whereLine } from '../../renderer/src/jobs/queueLines.js';

function job(extra: Partial<QueueJob>): QueueJob {
  return {
    jobId: 'j',
    kind: 'predict',
    state: 'running',
    done: 0,
    total: 2,
    message: null,
    error: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    actor: 'ann',
    worker: 'gpu-box',
    attempt: 1,
    log: [],
    ...extra,
  };
}

test('where a team job runs: waiting, on a worker, retried', () => {
  assert.equal(whereLine(job({ state: 'queued', worker: null, attempt: 0 })), 'waiting for a worker');
  assert.equal(whereLine(job({})), 'on gpu-box');
  assert.equal(whereLine(job({ attempt: 2, worker: 'other' })), 'on other · attempt 2');
  assert.equal(whereLine(job({ state: 'queued', attempt: 1 })), 'waiting for a worker to retry it');
  assert.equal(whereLine(job({ state: 'done', attempt: 2 })), 'ran on gpu-box · attempt 2');
});

test("a running job whose worker has gone quiet says so (it showed 'on w1' for good after w1 was killed)", () => {
  const now = Date.parse('2026-01-01T00:10:00.000Z');
  const beat = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  assert.equal(whereLine(job({ heartbeatAt: beat(4) }), now), 'on gpu-box');
  assert.equal(
    whereLine(job({ heartbeatAt: beat(75) }), now),
    'on gpu-box · not answering for 75 s: the job goes back to the queue',
  );
  assert.equal(whereLine(job({ state: 'done', heartbeatAt: beat(600) }), now), 'ran on gpu-box');
});

test('the last log lines, marked by attempt only when there was more than one', () => {
  const one = job({ log: [1, 2, 3, 4, 5].map((i) => ({ at: 't', attempt: 1, worker: 'w', line: `l${i}` })) });
  assert.deepEqual(lastLogLines(one), ['l2', 'l3', 'l4', 'l5']);
  const two = job({
    log: [
      { at: 't', attempt: 1, worker: 'w1', line: 'started' },
      { at: 't', attempt: 1, worker: 'w1', line: 'requeued: worker w1 stopped answering' },
      { at: 't', attempt: 2, worker: 'w2', line: 'done' },
    ],
  });
  assert.deepEqual(lastLogLines(two, 2), ['#1 requeued: worker w1 stopped answering', '#2 done']);
});
