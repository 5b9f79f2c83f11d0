// `retina worker` on a machine that does not see the team's shared folder (of a study with images) refuses to
// start, saying so: it used to take jobs and fail each for good (its images unreadable there), though a worker with
// the share could do them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { importPaths, openStore, promoteModel, registerModel } from '../../main/store/index.js';
import { driveTestImage, repoRoot } from '../e2e/model-fixture.js';
import { useStoreBackend } from '../support/store-backends.js';

const worker = (url: string, sharedDir: string) =>
  spawnSync(
    process.execPath,
    [join(repoRoot, 'bin', 'retina.mjs'), 'worker', '--database', url, '--shared-dir', sharedDir],
    {
      cwd: repoRoot,
      env: { ...process.env, RETINA_FROM_SOURCE: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );

describe('a worker without the shared folder', () => {
  const backend = useStoreBackend('postgres');

  test('is refused at start: a folder that is not there, or an empty mount point of a study with images', async () => {
    const url = backend.location('worker_shared');
    const store = openStore(url);
    await importPaths(store, [driveTestImage('01')], { actor: 'ann' });
    store.close();

    const missing = worker(url, join(backend.dir, 'not-mounted'));
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /the shared folder .*not-mounted does not exist on this machine: mount/);

    const mountPoint = join(backend.dir, 'empty-mount-point');
    mkdirSync(mountPoint);
    const empty = worker(url, mountPoint);
    assert.equal(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /has no files folder though the database has 1 image\(s\)/);
  });

  // It used to start, take predictions and fail each for good ('model-failed' is final), though a worker that
  // sees the models could do them.
  test("is refused at start when the active model's folder is not reachable here, unless --model is given", () => {
    const url = backend.location('worker_models');
    const store = openStore(url);
    const elsewhere = join(backend.dir, 'models-not-mounted', 'm1');
    promoteModel(
      store,
      registerModel(store, { name: 'm1', dirPath: elsewhere, architecture: {} }, 'ann').id,
      'ann',
    );
    store.close();

    const refused = worker(url, join(backend.dir, 'worker_models'));
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /the active model's folder .*m1 is not reachable from this machine/);
  });
});
