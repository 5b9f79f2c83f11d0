// A study folder is portable: moved, renamed, copied elsewhere, it opens with its retrained models (kept in
// `<db>.models`, a team's `<shared folder>/models`) working, as its `.files` do; models kept elsewhere keep their
// paths. `db check` names a registered model whose folder is missing. Real stores, real ONNX sessions (the tiny
// test model), a real DRIVE photograph.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { retinaDb } from '../support/db-cli.js';
import { runPredictJob } from '../../main/jobs/predict.js';
import { promoteUsable } from '../../main/retrain/activate.js';
import {
  activeModel,
  getModel,
  importImageFiles,
  latestMaskVersion,
  openStore,
  registerModel,
  type Store,
} from '../../main/store/index.js';
import { sqliteConnection } from '../../main/store/sqlite-backend.js';
import { useStoreBackend } from '../support/store-backends.js';
import { driveTestImage, tinyModelDir } from '../e2e/model-fixture.js';

/** A retrained model as a retrain leaves it: the tiny model copied into the study's models folder, registered. */
async function retrainedModel(store: Store, name: string): Promise<number> {
  const dir = path.join(store.beside('models'), name);
  await cp(await tinyModelDir(), dir, { recursive: true });
  return registerModel(store, { name, dirPath: dir, architecture: {} }, 'test').id;
}

/** The registry row as stored, for the rows an earlier version wrote. */
const storedDir = (store: Store, id: number): string =>
  store.db.prepare('SELECT dir_path FROM models WHERE id = ?').pluck().get(id) as string;

/** A model row as schema v12 wrote it: the folder's absolute path. */
const V12_MODEL =
  "INSERT INTO models (name, dir_path, architecture, status, created_at) VALUES (?, ?, '{}', 'candidate', '2025')";

test('a study moved to another folder activates and segments with its retrained model; check says ok', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'retina-moved-study-'));
  try {
    const db = path.join(root, 'm', 'study.db');
    await mkdir(path.dirname(db));
    let store = openStore(db);
    const imported = await importImageFiles(store, [{ imagePath: driveTestImage('01') }], { actor: 'test' });
    const imageId = imported.imported[0].imageId;
    const id = await retrainedModel(store, 'retrain-1');
    store.close();

    await rename(path.join(root, 'm'), path.join(root, 'm2'));
    const moved = path.join(root, 'm2', 'study.db');
    store = openStore(moved);
    try {
      const model = getModel(store, id);
      assert.equal(model.dirPath, path.join(`${moved}.models`, 'retrain-1'));
      await promoteUsable(store, id, 'test', 'the drill');
      assert.equal(activeModel(store)?.id, id);
      await runPredictJob(
        store,
        {
          imageIds: [imageId],
          modelId: id,
          modelDir: model.dirPath,
          threads: 1,
          author: 'model',
          anatomy: null,
        },
        { isCancelled: () => false, progress: () => {} },
      );
      assert.equal(latestMaskVersion(store, imageId, 'prediction')?.modelId, id);
    } finally {
      store.close();
    }
    const check = await retinaDb('check', '--database', moved);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /: ok \(/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('db check names a registered model whose folder is missing, and what to do', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'retina-lost-model-'));
  try {
    const db = path.join(root, 'study.db');
    const store = openStore(db);
    await retrainedModel(store, 'retrain-1');
    const kept = await retrainedModel(store, 'retrain-2');
    // A model registered from another folder, since deleted.
    const elsewhere = path.join(root, 'by-hand');
    await cp(await tinyModelDir(), elsewhere, { recursive: true });
    registerModel(store, { name: 'by-hand', dirPath: elsewhere, architecture: {} }, 'test');
    store.close();
    // The study copied without its models folder's retrain-1, and the other folder gone.
    await rm(path.join(`${db}.models`, 'retrain-1'), { recursive: true });
    await rm(elsewhere, { recursive: true });

    const check = await retinaDb('check', '--database', db);
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stdout, /PROBLEMS: .*2 models whose folder is missing/);
    assert.match(
      check.stdout,
      new RegExp(`missing: model 1 'retrain-1' \\(vessel, candidate\\): .*retrain-1`),
    );
    assert.match(check.stdout, new RegExp(`missing: model 3 'by-hand' .*by-hand`));
    assert.doesNotMatch(check.stdout, new RegExp(`model ${kept} 'retrain-2'`));
    assert.match(
      check.stdout,
      /put the missing folders back in .*study\.db\.models \(from where the study was, or from a backup/,
    );
    assert.match(check.stdout, /put the other model folders back/);
    const json = JSON.parse((await retinaDb('check', '--json', '--database', db)).stdout) as {
      ok: boolean;
      missingModels: { name: string; own: boolean }[];
    };
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.missingModels.map((m) => [m.name, m.own]),
      [
        ['retrain-1', true],
        ['by-hand', false],
      ],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

describe('upgrading a study whose registry names its models by absolute paths (schema v12)', () => {
  test('SQLite: its own models named relative to it, found again after a move; others keep their paths', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'retina-v12-models-'));
    try {
      const db = path.join(root, 'old', 'study.db');
      await mkdir(path.dirname(db));
      const old = openStore(db, { targetVersion: 12 });
      const ownDir = path.join(`${db}.models`, 'retrain-1');
      const otherDir = path.join(root, 'by-hand');
      for (const d of [ownDir, otherDir]) await cp(await tinyModelDir(), d, { recursive: true });
      const insert = sqliteConnection(old)!.prepare(V12_MODEL);
      insert.run('retrain-1', ownDir);
      insert.run('by-hand', otherDir);
      insert.run('lost', '/nowhere/else.db.models/lost');
      old.close();

      // Moved (renamed, too) before this version first opened it.
      await rename(path.join(root, 'old'), path.join(root, 'new'));
      const moved = path.join(root, 'new', 'renamed.db');
      await rename(path.join(root, 'new', 'study.db'), moved);
      await rename(path.join(root, 'new', 'study.db.models'), `${moved}.models`);
      const store = openStore(moved);
      try {
        assert.equal(storedDir(store, 1), 'retrain-1');
        assert.equal(getModel(store, 1).dirPath, path.join(`${moved}.models`, 'retrain-1'));
        await promoteUsable(store, 1, 'test', 'the drill');
        assert.equal(getModel(store, 2).dirPath, otherDir);
        assert.equal(getModel(store, 3).dirPath, '/nowhere/else.db.models/lost');
        assert.ok(store.preUpgradeCopy && existsSync(store.preUpgradeCopy));
      } finally {
        store.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    const backend = useStoreBackend('postgres');
    test("a team's models named relative to its shared folder, found where another machine mounts it", async () => {
      const url = backend.location('models_v12', { init: false });
      const share = path.join(backend.dir, 'share');
      const old = openStore(url, { targetVersion: 12, sharedDir: share });
      const ownDir = path.join(share, 'models', 'retrain-1');
      await cp(await tinyModelDir(), ownDir, { recursive: true });
      old.db.prepare(V12_MODEL).run('retrain-1', ownDir);
      old.close();

      let store = openStore(url);
      try {
        assert.equal(storedDir(store, 1), 'retrain-1');
        assert.equal(getModel(store, 1).dirPath, ownDir);
      } finally {
        store.close();
      }
      const mountedElsewhere = path.join(backend.dir, 'mnt', 'share');
      await cp(share, mountedElsewhere, { recursive: true });
      store = openStore(url, { sharedDir: mountedElsewhere });
      try {
        assert.equal(getModel(store, 1).dirPath, path.join(mountedElsewhere, 'models', 'retrain-1'));
        await promoteUsable(store, 1, 'test', 'the drill');
        // A model registered now is named relative too.
        const id = await retrainedModel(store, 'retrain-2');
        assert.equal(storedDir(store, id), 'retrain-2');
      } finally {
        store.close();
      }
    });
  });
});
