// The job list a window shows once its event socket connects again: the server's list, a job under way that the
// server lost shown failed, and a job an event changed after the list was asked for kept as the event said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobInfo } from '../../shared/contract.js';
import { LOST_IN_RESTART, lostJobs, resyncedJobs } from '../../renderer/src/jobs/resyncedJobs.js';

const job = (jobId: string, state: JobInfo['state'], done = 0): JobInfo => ({
  jobId,
  kind: 'predict',
  state,
  done,
  total: 10,
  message: null,
  error: null,
  startedAt: '2026-01-01T00:00:00.000Z',
});
const byId = (...jobs: JobInfo[]) => new Map(jobs.map((j) => [j.jobId, j]));

test('the listed state replaces the shown one; a lost running job is failed; a finished one stays', () => {
  const shown = byId(job('a', 'running', 4), job('b', 'running', 2), job('c', 'done', 10));
  const listed = [job('a', 'done', 10)];
  const next = resyncedJobs(shown, shown, listed);
  assert.equal(next.get('a')?.state, 'done');
  assert.equal(next.get('b')?.state, 'failed');
  assert.equal(next.get('b')?.error?.message, LOST_IN_RESTART);
  assert.equal(next.get('c')?.state, 'done');
  assert.deepEqual(
    lostJobs(shown, shown, listed).map((j) => j.jobId),
    ['b'],
  );
});

test('a job an event started or changed while the list was on its way is kept as the event said', () => {
  const asked = byId(job('a', 'running', 4));
  const shown = byId(job('a', 'done', 10), job('n', 'queued'));
  const listed = [job('a', 'running', 5)];
  const next = resyncedJobs(asked, shown, listed);
  assert.equal(next.get('a')?.state, 'done');
  assert.equal(next.get('n')?.state, 'queued');
  assert.deepEqual(lostJobs(asked, shown, listed), []);
});
