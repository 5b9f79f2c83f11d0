// Which model a running workstation predicts with when another process (the CLI, a team's other server) changes
// the registry: the active model, read at each prediction; a --model directory given to the shell stays its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureRegistered, ModelResolver } from '../../main/handlers/models.js';
import {
  listAudit,
  listModels,
  openStore,
  promoteModel,
  registerModel,
  type Store,
} from '../../main/store/index.js';
import { repoRoot, tinyModelDir } from '../e2e/model-fixture.js';

describe('the model a workstation predicts with', () => {
  let dir: string;
  let dbPath: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-model-resolver-'));
    dbPath = path.join(dir, 'retina.db');
    store = openStore(dbPath);
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('follows a promotion made by another process, and a --model directory is kept whatever the registry says', async () => {
    const resolver = new ModelResolver(store, 'workstation', undefined);
    await resolver.init();
    const bundled = resolver.current();
    assert.ok(bundled, 'the bundled default is used on an empty registry');

    // Another process (its own connection to the same file) registers and promotes a model.
    const other = openStore(dbPath);
    const target = path.join(dir, 'models', 'tiny');
    await cp(await tinyModelDir(), target, { recursive: true });
    const tiny = registerModel(other, { name: 'tiny', dirPath: target, architecture: {} }, 'cli');
    promoteModel(other, tiny.id, 'cli');
    other.close();

    assert.equal(
      resolver.current()?.name,
      'tiny',
      'the workstation kept predicting with the bundled default',
    );
    assert.equal((await resolver.resolve()).record.id, tiny.id);

    const pinned = new ModelResolver(
      store,
      'workstation',
      path.join(repoRoot, 'resources', 'models', 'default'),
    );
    await pinned.init();
    assert.equal(pinned.current()?.id, bundled.id, '--model stays what the shell was given');
  });

  test('the bundled model of an installation that moved (an AppImage mounts anew each start) is found again, not added', async () => {
    const fresh = openStore(path.join(dir, 'moved.db'));
    try {
      const bundled = path.join(repoRoot, 'resources', 'models', 'default');
      // An earlier start's row: the same bundled model, under a mount point that is gone now.
      const old = registerModel(
        fresh,
        {
          name: 'default',
          dirPath: '/tmp/.mount_RetinaAbc123/resources/app.asar/resources/models/default',
          architecture: {},
        },
        'app',
      );
      const found = await ensureRegistered(fresh, bundled, 'app');
      assert.equal(found.id, old.id, 'registered again as a new model');
      assert.equal(found.dirPath, bundled);
      assert.deepEqual(
        listModels(fresh, { task: 'any' }).map((m) => m.name),
        ['default'],
      );
      assert.equal(
        listAudit(fresh, { entity: 'model' }).filter((e) => e.action === 'model.relocate').length,
        1,
      );
      // A folder of the user's own with the same name is another model, not a move.
      const custom = path.join(dir, 'default');
      await cp(bundled, custom, { recursive: true });
      assert.notEqual((await ensureRegistered(fresh, custom, 'app')).id, old.id);
    } finally {
      fresh.close();
    }
  });

  test('a candidate registered by hand from the bundled folder is not taken as the default in use', async () => {
    const fresh = openStore(path.join(dir, 'candidate.db'));
    try {
      const bundled = path.join(repoRoot, 'resources', 'models', 'default');
      const candidate = registerModel(
        fresh,
        { name: 'my-candidate', dirPath: bundled, architecture: {} },
        'me',
      );
      const resolver = new ModelResolver(fresh, 'workstation', undefined);
      await resolver.init();
      const inUse = resolver.current();
      assert.notEqual(inUse?.id, candidate.id, 'the candidate became the model in use');
      assert.equal(inUse?.dirPath, bundled);
      // Started again, the default's own row is found, not registered once more.
      const again = new ModelResolver(fresh, 'workstation', undefined);
      await again.init();
      assert.equal(again.current()?.id, inUse?.id);
      assert.equal(listModels(fresh).length, 2);
    } finally {
      fresh.close();
    }
  });
});
