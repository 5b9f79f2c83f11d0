// The team queue's rows on both backends: a job claimed, beaten, found stale and handed back keeps the log of
// every attempt; a worker whose attempt was handed on can no longer change the job; a prediction saved twice for
// the same job and image is saved once.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendJobLog,
  beatTeamJob,
  cancelTeamJob,
  claimTeamJob,
  createTeamJob,
  dismissTeamJob,
  failInterruptedRuns,
  finishTeamJob,
  getTrainingRun,
  getTeamJob,
  imagesPredictedByJob,
  importPaths,
  jobLog,
  listMaskVersions,
  listTeamJobs,
  otherLiveRun,
  recentJobLogs,
  registerModel,
  releaseTeamJob,
  saveMaskVersion,
  setTeamJobRun,
  staleTeamJobs,
  startTrainingRun,
} from '../../main/store/index.js';
import { VESSEL_RUN_KIND } from '../../main/retrain/run-kinds.js';
import { driveTestImage } from '../e2e/model-fixture.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { spawnSync } from 'node:child_process';

const FUTURE = '9999-01-01T00:00:00.000Z';

for (const kind of STORE_BACKENDS)
  describe(`team job rows (${kind})`, () => {
    const backend = useStoreBackend(kind);

    test('claim, beat, hand back, claim again: attempts counted, the stale claim powerless, the log kept', () => {
      const store = backend.open('jobs_rows');
      try {
        createTeamJob(store, {
          id: 'job-1',
          kind: 'predict',
          actor: 'ann',
          spec: { imageIds: [1] },
          total: 1,
        });
        assert.equal(getTeamJob(store, 'job-1').state, 'queued');

        const first = claimTeamJob(store, 'job-1', 'w1');
        assert.deepEqual(first, { jobId: 'job-1', attempt: 1, worker: 'w1' });
        assert.ok(beatTeamJob(store, first!, { done: 0, total: 1, message: 'loading the model' }));
        appendJobLog(store, first!, 'half way');
        // Everything beat before the far future: w1's job counts as stale there.
        assert.deepEqual(staleTeamJobs(store, FUTURE), [first]);
        assert.deepEqual(staleTeamJobs(store, '2000-01-01T00:00:00.000Z'), []);

        assert.ok(releaseTeamJob(store, first!, 'worker w1 stopped answering', false));
        assert.ok(!releaseTeamJob(store, first!, 'handed back twice', false), 'only one hand-back wins');
        assert.equal(getTeamJob(store, 'job-1').state, 'queued');

        const second = claimTeamJob(store, 'job-1', 'w2');
        assert.equal(second?.attempt, 2);
        // The first worker, back from the dead, can neither beat nor finish the job.
        assert.ok(!beatTeamJob(store, first!));
        assert.ok(!finishTeamJob(store, first!, { state: 'done', message: 'late', error: null }));
        assert.ok(
          finishTeamJob(store, second!, { state: 'done', message: 'predicted 1 image', error: null }),
        );

        const job = getTeamJob(store, 'job-1');
        assert.equal(job.state, 'done');
        assert.equal(job.worker, 'w2');
        assert.equal(job.message, 'predicted 1 image');
        assert.ok(job.finishedAt);
        const lines = jobLog(store, 'job-1').map((l) => `${l.attempt} ${l.worker} ${l.line}`);
        assert.deepEqual(lines, [
          '1 w1 attempt 1 started on w1',
          '1 w1 half way',
          '1 w1 requeued: worker w1 stopped answering',
          '2 w2 attempt 2 started on w2',
          '2 w2 done: predicted 1 image',
        ]);
        // The queue view's batch read: the last lines of each job at once, oldest first.
        const recent = recentJobLogs(store, ['job-1', 'no-such-job'], 2);
        assert.deepEqual(
          recent.get('job-1')?.map((l) => l.line),
          ['attempt 2 started on w2', 'done: predicted 1 image'],
        );
        assert.deepEqual(recent.get('no-such-job'), []);
        // An ended job is not claimed again (pg-boss delivering it once more changes nothing).
        assert.equal(claimTeamJob(store, 'job-1', 'w3'), null);
        assert.ok(dismissTeamJob(store, 'job-1'));
        assert.deepEqual(listTeamJobs(store), []);
      } finally {
        store.close();
      }
    });

    test('a cancelled job stops its worker at the next beat; no retries left fails it', () => {
      const store = backend.open('jobs_cancel');
      try {
        createTeamJob(store, { id: 'job-c', kind: 'import', actor: 'ann', spec: {}, total: 0 });
        const claim = claimTeamJob(store, 'job-c', 'w1')!;
        assert.ok(cancelTeamJob(store, 'job-c', 'ann'));
        assert.ok(!beatTeamJob(store, claim), 'the worker learns of the cancel from its heartbeat');
        assert.equal(getTeamJob(store, 'job-c').error?.code, 'cancelled');

        createTeamJob(store, { id: 'job-f', kind: 'retrain', actor: 'ann', spec: {}, total: 0 });
        const dead = claimTeamJob(store, 'job-f', 'w1')!;
        assert.ok(releaseTeamJob(store, dead, 'worker w1 stopped answering', true));
        const failed = getTeamJob(store, 'job-f');
        assert.equal(failed.state, 'failed');
        assert.match(failed.error?.message ?? '', /w1 stopped answering/);
      } finally {
        store.close();
      }
    });

    test('a prediction is saved once per job and image', async () => {
      const store = backend.open('jobs_once');
      try {
        const report = await importPaths(store, [driveTestImage('01')], { actor: 'ann' });
        const image = report.imported[0];
        const model = registerModel(store, { name: 'm', dirPath: '/m', architecture: {} }, 'ann');
        const mask = { width: 565, height: 584, data: new Uint8Array(565 * 584) };
        const save = (jobId: string | null) =>
          saveMaskVersion(store, {
            imageId: image.imageId,
            kind: 'prediction',
            author: 'w',
            mask,
            modelId: model.id,
            jobId,
          });
        const a = await save('job-x');
        const again = await save('job-x');
        assert.equal(again.id, a.id, 'the retry gets the version saved before');
        const other = await save('job-y');
        assert.notEqual(other.id, a.id);
        await save(null);
        assert.deepEqual(imagesPredictedByJob(store, 'job-x'), [image.imageId]);
        assert.equal(listMaskVersions(store, image.imageId).filter((v) => v.kind === 'prediction').length, 3);
      } finally {
        store.close();
      }
    });
  });

describe("a team worker's retrain seen from another machine", () => {
  const backend = useStoreBackend('postgres');

  // `retina retrain --database postgres://...` on the server's machine closes interrupted runs first: it used to
  // judge a worker's run by its pid, a process of another machine, so it failed the live retrain (which then
  // could not record its outcome) and started a second one beside it.
  test('a run whose worker still beats is kept; one nothing beats for is failed', () => {
    const store = backend.open('jobs_run_alive');
    try {
      // A pid that runs nowhere on this machine: the worker's, on another one.
      const elsewhere = Number(
        spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim(),
      );
      createTeamJob(store, { id: 'job-r', kind: 'retrain', actor: 'ann', spec: {}, total: 0 });
      const claim = claimTeamJob(store, 'job-r', 'w1')!;
      const run = startTrainingRun(
        store,
        { config: { kind: VESSEL_RUN_KIND }, seed: 1, pid: elsewhere },
        'ann',
      );
      setTeamJobRun(store, claim, run.id);
      assert.deepEqual(failInterruptedRuns(store), [], 'its own heartbeat is recent');
      // Ten minutes on, in a phase without progress events: the run's heartbeat is old, the job's is fresh.
      const later = Date.now() + 10 * 60_000;
      store.db
        .prepare('UPDATE jobs SET heartbeat_at = ? WHERE id = ?')
        .run(new Date(later).toISOString(), 'job-r');
      assert.equal(otherLiveRun(store, [VESSEL_RUN_KIND], later)?.id, run.id);
      assert.deepEqual(failInterruptedRuns(store, 'killed', 'system', later), []);
      assert.equal(getTrainingRun(store, run.id).status, 'running');
      // The worker died: neither beats any more.
      const much = later + 10 * 60_000;
      assert.equal(otherLiveRun(store, [VESSEL_RUN_KIND], much), null);
      assert.deepEqual(failInterruptedRuns(store, 'killed', 'system', much), [run.id]);
      assert.equal(getTrainingRun(store, run.id).status, 'failed');
    } finally {
      store.close();
    }
  });
});
