// Retraining on a team: the Retrain button on a PostgreSQL database queues a retrain job, a `retina worker` runs
// it with the single-user retrain's code (a tiny model fine-tuned on approved DRIVE images), and the job row
// carries its training run, its phases in the log, and the outcome the retrain panel shows.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import {
  getTrainingRun,
  importImageFiles,
  jobLog,
  listTeamJobs,
  openStore,
  promoteModel,
  registerModel,
  type Store,
} from '../../main/store/index.js';
import { dispatchRequest, type RetrainStatus } from '../../shared/contract.js';
import { datasetsRoot, repoRoot, tinyModelDir } from '../e2e/model-fixture.js';
import { waitFor } from '../e2e/flow.js';
import { useStoreBackend } from '../support/store-backends.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };
const DRIVE = path.join(datasetsRoot, 'DRIVE');
/** A retrain small enough for a test (the retrain tests' own sizes). */
const TINY = { epochs: 2, stepsPerEpoch: 6, batchSize: 4, replayImages: 0, learningRate: 3e-3 };

describe('retraining on a team worker', () => {
  const backend = useStoreBackend('postgres');
  let store: Store;
  let ws: Workstation;
  let worker: ChildProcess;
  let output = '';

  async function call(channel: string, payload: unknown): Promise<unknown> {
    const r = await dispatchRequest(ws.handlers, channel, payload, ctx);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }

  before(async () => {
    const url = backend.location('team_retrain');
    store = openStore(url);
    const tiny = await tinyModelDir();
    promoteModel(
      store,
      registerModel(store, { name: 'tiny', dirPath: tiny, architecture: {} }, 'test').id,
      'test',
    );
    const imported = await importImageFiles(
      store,
      ['21', '22', '23', '24', '25', '26'].map((n) => ({
        imagePath: path.join(DRIVE, 'training', 'images', `${n}_training.tif`),
        maskPath: path.join(DRIVE, 'training', '1st_manual', `${n}_manual1.gif`),
        fovPath: path.join(DRIVE, 'training', 'mask', `${n}_training_mask.gif`),
      })),
      { actor: 'annotator' },
    );
    assert.equal(imported.imported.length, 6);
    // The run's size comes from the stored settings, as an admin would set them for the team.
    await writeFile(store.beside('retrain.json'), JSON.stringify(TINY));
    ws = await createWorkstation({ dbPath: url, shell: 'browser', user: 'tester', threads: 1 });
    worker = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'retina.mjs'),
        'worker',
        '--database',
        url,
        '--name',
        'trainer',
        '--threads',
        '1',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, RETINA_FROM_SOURCE: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    worker.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await ws?.close();
    store?.close();
  });

  test('the Retrain button queues a job; the worker trains, and the run and its outcome are recorded', async () => {
    const { runId } = (await call('startRetrain', {})) as { runId: string };
    await assert.rejects(call('startRetrain', {}), /already queued or running/);
    const ended = await waitFor(
      'the retrain job to end',
      async () => {
        const s = ((await call('getRetrainStatus', {})) as { status: RetrainStatus | null }).status;
        return s && s.state !== 'running' ? s : null;
      },
      600_000,
    );
    assert.equal(ended.state, 'succeeded', `${ended.message}\n${output}`);
    assert.equal(ended.runId, runId);
    assert.equal(getTrainingRun(store, Number(runId)).status, 'succeeded');
    const job = listTeamJobs(store).find((j) => j.kind === 'retrain')!;
    assert.equal(job.worker, 'trainer');
    assert.equal(job.runId, Number(runId));
    const lines = jobLog(store, job.id, 100).map((l) => l.line);
    for (const phase of ['preparing', 'training', 'evaluating'])
      assert.ok(
        lines.some((l) => l.endsWith(` ${phase}`) || l === phase),
        `${phase}:\n${lines.join('\n')}`,
      );
    // The run's report is the same as a single user's.
    const report = (await call('getRetrainRun', { runId })) as { runId: string };
    assert.equal(report.runId, runId);
  });
});
