import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { JobInfo } from '../../shared/contract.js';
import { digestJobs, needsAttention, newestFirst } from '../../renderer/src/jobs/jobsDigest.js';

let n = 0;
function job(state: JobInfo['state'], extra: Partial<JobInfo> = {}): JobInfo {
  n++;
  return {
    jobId: `j${n}`,
    kind: 'import',
    state,
    done: 0,
    total: 0,
    message: null,
    error: null,
    startedAt: `2026-12-02T12:00:0${n}.000Z`,
    ...extra,
  };
}

describe('jobs digest', () => {
  test('the collapsed tray counts jobs by state; an import with failed files is "with errors", not done', () => {
    const failures = [{ file: 'notes.png', reason: 'unsupported or unrecognised image format' }];
    const jobs = [
      job('running'),
      job('running', { kind: 'predict' }),
      job('queued'),
      job('failed', { error: { code: 'unreadable-file', message: 'notes.png: bad' } }),
      job('done', { failures }),
      job('done', { failures: [] }),
      job('cancelled'),
    ];
    const d = digestJobs(jobs);
    assert.equal(d.text, '2 running, 1 queued, 1 failed, 1 with errors, 1 done, 1 cancelled');
    assert.equal(d.active, 3);
    assert.equal(d.attention, 2);
    // "Dismiss finished" takes only what has nothing left to read.
    assert.deepEqual(d.clearable, [jobs[5].jobId, jobs[6].jobId]);
    assert.deepEqual(jobs.map(needsAttention), [false, false, false, true, true, false, false]);
  });

  test('no jobs: no summary; the newest job comes first', () => {
    assert.deepEqual(digestJobs([]), { text: '', active: 0, attention: 0, clearable: [] });
    const [a, b] = [job('done'), job('running')];
    assert.deepEqual(
      newestFirst([a, b]).map((j) => j.jobId),
      [b.jobId, a.jobId],
    );
  });
});
