// `retina models promote|rollback` on a real SQLite store and real ONNX files: a model whose folder is gone or
// whose model.onnx is cut short is refused before the registry changes (one line, exit 1), as the app's handlers
// refuse it through the same promoteUsable/rollbackUsable.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  activeModel,
  getModel,
  importImageFiles,
  listAudit,
  openStore,
  promoteModel,
  registerModel,
  type Store,
} from '../../main/store/index.js';
import { PromotionRefusedError } from '../../main/retrain/registry.js';
import { promoteUsable, rollbackUsable } from '../../main/retrain/activate.js';
import { driveTestImage, repoRoot, tinyModelDir } from '../e2e/model-fixture.js';

function retina(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'retina.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, RETINA_FROM_SOURCE: '1' },
  });
}

describe('promote and rollback check the model files first', () => {
  let dir: string;
  let dbPath: string;
  let store: Store;
  let good: number;
  let truncated: number;
  let gone: number;

  /** A copy of the tiny model under the database's models folder, registered as a candidate. */
  async function copyOfTiny(name: string): Promise<number> {
    const target = path.join(`${dbPath}.models`, name);
    await cp(await tinyModelDir(), target, { recursive: true });
    return registerModel(store, { name, dirPath: target, architecture: {} }, 'test').id;
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-models-activate-'));
    dbPath = path.join(dir, 'retina.db');
    store = openStore(dbPath);
    good = await copyOfTiny('good');
    gone = await copyOfTiny('gone');
    truncated = await copyOfTiny('truncated');
    // 'gone' was active once (so it can be rolled back to), then its folder went.
    promoteModel(store, gone, 'test');
    promoteModel(store, good, 'test');
    await rm(path.join(`${dbPath}.models`, 'gone'), { recursive: true });
    await truncate(path.join(`${dbPath}.models`, 'truncated', 'model.onnx'), 1000);
    // A draft-free image: what a real change of the active model predicts again.
    const imported = await importImageFiles(store, [{ imagePath: driveTestImage('01') }], { actor: 'test' });
    assert.equal(imported.imported.length, 1, 'the DRIVE test image (RETINA_DATASETS) is needed');
    store.close();
    store = openStore(dbPath);
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function promotions(): number {
    return listAudit(store, { limit: 1000 }).filter((a) => a.action === 'model.promote').length;
  }

  test('models promote of a truncated model.onnx: exit 1, one line, registry unchanged', () => {
    const before = promotions();
    const r = retina('models', 'promote', String(truncated), '--reason', 'x', '--db', dbPath);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /cannot promote truncated: .*model\.onnx/);
    assert.equal(activeModel(store)?.id, good);
    assert.equal(getModel(store, truncated).status, 'candidate');
    assert.equal(promotions(), before);
  });

  test('models rollback to a model whose folder is gone: exit 1, registry unchanged', () => {
    const before = promotions();
    const r = retina('models', 'rollback', 'gone', '--db', dbPath);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /cannot roll back to gone: /);
    assert.equal(activeModel(store)?.id, good);
    assert.equal(getModel(store, gone).status, 'retired');
    assert.equal(promotions(), before);
  });

  test('the functions the app handlers call refuse the same models', async () => {
    await assert.rejects(promoteUsable(store, truncated, 'test', 'x'), PromotionRefusedError);
    await assert.rejects(rollbackUsable(store, gone, 'test'), PromotionRefusedError);
    assert.equal(activeModel(store)?.id, good);
  });

  test('promote or rollback to the model already active: said so, nothing re-predicted', () => {
    const versions = () => store.db.prepare('SELECT COUNT(*) FROM mask_versions').pluck().get() as number;
    const before = versions();
    for (const action of ['promote', 'rollback']) {
      const r = retina('models', action, String(good), '--db', dbPath);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /good is already active: nothing re-predicted/);
      assert.doesNotMatch(r.stderr, /re-predicted \d/);
    }
    assert.equal(versions(), before, 'no new prediction');
    assert.equal(activeModel(store)?.id, good);
  });

  test('a model that does not exist is a bad argument, by id as by name: exit 2', () => {
    for (const action of ['promote', 'rollback', 'keep']) {
      for (const ref of ['99', 'nosuch']) {
        const r = retina('models', action, ref, '--db', dbPath);
        assert.equal(r.status, 2, `${action} ${ref}: ${r.stderr}`);
        assert.match(r.stderr, /no model (with id 99|named 'nosuch')/);
      }
    }
  });
});
