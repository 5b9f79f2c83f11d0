// The retrain's progress tracker against a real run row: the heartbeat it writes while a run is going, and none
// once the run row is closed (a late heartbeat used to fail a finished run when evaluation took over 10 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finishTrainingRun, getTrainingRun, openStore, startTrainingRun } from '../../main/store/index.js';
import { ProgressTracker, type RetrainProgress } from '../../main/retrain/progress.js';

test('the finished phase is announced after the run row closes, without another heartbeat', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-01-01T00:00:00Z') });
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-progress-'));
  const store = openStore(path.join(dir, 'retina.db'));
  try {
    const run = startTrainingRun(store, { config: {}, seed: 1 }, 'tester');
    const seen: RetrainProgress[] = [];
    const tracker = new ProgressTracker(store, run.id, 2, 20, (p) => seen.push(p));
    tracker.update({ phase: 'evaluating', message: 'scoring' }, 'a log line');
    assert.match(getTrainingRun(store, run.id).log, /a log line/);

    finishTrainingRun(store, run.id, { status: 'succeeded', outcome: {} }, 'tester');
    t.mock.timers.tick(11_000); // past the heartbeat interval
    tracker.update({ phase: 'finished', message: 'done', etaSeconds: 0 });

    assert.equal(seen.at(-1)?.phase, 'finished');
    assert.equal(getTrainingRun(store, run.id).status, 'succeeded');
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
