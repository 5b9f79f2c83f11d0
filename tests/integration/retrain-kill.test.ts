// Killing `retina retrain` (SIGKILL, no chance to clean up) in the middle of training: on the next start of the
// workstation the run is marked failed with its reason, its temporary training set is removed, and the active
// model and every mask are as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  activeModel,
  getTrainingRun,
  importImageFiles,
  listModels,
  listTrainingRuns,
  openStore,
  promoteModel,
  registerModel,
} from '../../main/store/index.js';
import { createWorkstation } from '../../main/handlers/index.js';
import { datasetsRoot, repoRoot, tinyModelDir } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');

function maskRows(dbPath: string): string {
  const store = openStore(dbPath, { readonly: true });
  try {
    return JSON.stringify(
      store.db.prepare('SELECT id, image_id, kind, png_hash FROM mask_versions ORDER BY id').all(),
    );
  } finally {
    store.close();
  }
}

test('SIGKILL during a retrain: the run is failed and its training set removed on the next start, the active model and masks unchanged', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-kill-'));
  const dbPath = path.join(dir, 'retina.db');
  // The retrain's temporary folder goes here, where the test can look for it.
  const tmp = path.join(dir, 'tmp');
  const savedTmp = process.env.TMPDIR;
  await mkdir(tmp);
  try {
    const store = openStore(dbPath);
    const root = registerModel(store, { name: 'tiny', dirPath: await tinyModelDir(), architecture: {} }, 't');
    promoteModel(store, root.id, 't');
    const files = ['21', '22', '23', '24', '25'].map((n) => ({
      imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
      maskPath: path.join(DRIVE, '1st_manual', `${n}_manual1.gif`),
      fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
    }));
    await importImageFiles(store, files, { actor: 'annotator' });
    store.close();
    const masksBefore = maskRows(dbPath);

    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'retina.mjs'),
        'retrain',
        '--db',
        dbPath,
        '--epochs',
        '50',
        '--steps',
        '50',
        '--batch',
        '4',
        '--replay',
        '0',
        '--threads',
        '1',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, RETINA_FROM_SOURCE: '1', TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, signal) => resolve(signal)),
    );
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
      // The progress bar's first line: training steps are running.
      if (/retrain vessel \[/.test(out)) child.kill('SIGKILL');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const signal = await killed;
    clearTimeout(timer);
    assert.equal(signal, 'SIGKILL');
    assert.match(out, /training run (\d+) started/, out);
    const runId = Number(/training run (\d+) started/.exec(out)![1]);

    const check = openStore(dbPath, { readonly: true });
    assert.equal(getTrainingRun(check, runId).status, 'running', 'the killed run is still marked running');
    check.close();
    const leftovers = await readdir(tmp);
    assert.ok(
      leftovers.some((n) => n.startsWith(`retina-retrain-${runId}-${child.pid}-`)),
      `the killed run's training set is left: ${leftovers.join(', ')}`,
    );

    // An artery/vein retrain killed while preparing its samples leaves them too (its folder names its process);
    // one of a live process (this one) is not touched.
    await mkdir(path.join(tmp, `retina-anatomy-retrain-${child.pid}-abc123`));
    await mkdir(path.join(tmp, `retina-anatomy-retrain-${process.pid}-def456`));

    // The next start of the app notices the dead process (in the same temporary folder).
    process.env.TMPDIR = tmp;
    const ws = await createWorkstation({ dbPath, shell: 'browser', user: 'tester', threads: 1 });
    try {
      const run = getTrainingRun(ws.store, runId);
      assert.equal(run.status, 'failed');
      assert.match(String((run.outcome as { reason: string }).reason), /interrupted/);
      assert.equal(activeModel(ws.store)?.id, root.id);
      assert.deepEqual(
        listModels(ws.store).map((m) => m.id),
        [root.id],
        'no candidate was registered',
      );
      assert.equal(listTrainingRuns(ws.store, { status: 'running' }).length, 0);
      assert.deepEqual(
        (await readdir(tmp)).filter((n) => n.startsWith('retina-retrain-')),
        [],
        'the training set is removed',
      );
      assert.deepEqual(
        (await readdir(tmp)).filter((n) => n.startsWith('retina-anatomy-retrain-')),
        [`retina-anatomy-retrain-${process.pid}-def456`],
        "a dead process's prepared samples are removed, a live one's kept",
      );
    } finally {
      await ws.close();
    }
    assert.equal(maskRows(dbPath), masksBefore, 'masks changed');
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(dir, { recursive: true, force: true });
  }
});
