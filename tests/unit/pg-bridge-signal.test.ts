// The synchronous PostgreSQL client's wait for an answer: a notify that arrives with the flag still clear (the
// previous answer's, from a worker preempted between setting the flag and notifying) does not end the wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { awaitAnswer } from '../../main/store/postgres/pg-bridge.js';

/** A thread that notifies `flag` without setting it, then sets it and notifies again. */
const LATE_NOTIFIER = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
sleep(100);
Atomics.notify(flag, 0);
sleep(100);
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
`;

test('a stale notify with the flag clear does not end the wait; the answer does', async () => {
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const worker = new Worker(LATE_NOTIFIER, { eval: true, workerData: signal });
  try {
    assert.equal(awaitAnswer(flag, 60_000), true);
    assert.equal(Atomics.load(flag, 0), 1, 'returned before the answer was flagged');
  } finally {
    await worker.terminate();
  }
});

test('no answer within the time: false', () => {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  assert.equal(awaitAnswer(flag, 20), false);
});
