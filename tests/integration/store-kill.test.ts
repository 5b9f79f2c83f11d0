import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetsRoot } from '../../main/node/package-root.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import {
  checkStore,
  importDataset,
  importImageFiles,
  listImages,
  listMaskVersions,
  openStore,
  type Store,
} from '../../main/store/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const storeModule = JSON.stringify(join(repoRoot, 'main/store/index.ts'));
const DRIVE = join(datasetsRoot(), 'DRIVE');

/**
 * Runs `body` (ES module code with `store` opened on `db`) in a child process and SIGKILLs it when it prints
 * `marker` (or after `afterMs`). Resolves with the child's output once it is dead.
 */
function runAndKill(db: string, body: string, kill: { marker?: string; afterMs?: number }): Promise<string> {
  const code = `
    const api = await import(${storeModule});
    const store = api.openStore(${JSON.stringify(db)});
    const block = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // sleeps until killed
    ${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (kill.marker && out.includes(kill.marker)) child.kill('SIGKILL');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = kill.afterMs ? setTimeout(() => child.kill('SIGKILL'), kill.afterMs) : null;
    child.on('exit', (_code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child ended on its own (${signal ?? _code}): ${out}`));
      else resolve(out);
    });
  });
}

/** Every image is whole: its mask version, its audit rows and all its blobs. */
async function assertConsistent(store: Store): Promise<number> {
  const report = await checkStore(store);
  assert.equal(report.ok, true, JSON.stringify(report));
  const images = listImages(store, { limit: 1000 }).items;
  for (const img of images)
    assert.equal(listMaskVersions(store, img.id).length, 1, `image ${img.id} has its mask`);
  const audit = (a: string): number =>
    store.db.prepare('SELECT COUNT(*) FROM audit_log WHERE action = ?').pluck().get(a) as number;
  assert.equal(audit('image.import'), images.length);
  assert.equal(audit('mask.approved'), images.length);
  return images.length;
}

for (const kind of STORE_BACKENDS)
  describe(`SIGKILL leaves a sound database with all or nothing of each change (${kind})`, () => {
    const backend = useStoreBackend(kind);
    test('killed inside the transaction of the third image import', async () => {
      {
        const db = backend.location('kill');
        openStore(db).close();
        const out = await runAndKill(
          db,
          `let n = 0;
         store.hooks.beforeCommit = (action) => {
           if (action === 'import an image' && ++n === 3) { console.log('IN-TRANSACTION'); block(); }
         };
         await api.importDataset(store, ${JSON.stringify(DRIVE)}, { actor: 'child' });
         console.log('FINISHED');`,
          { marker: 'IN-TRANSACTION' },
        );
        assert.ok(!out.includes('FINISHED'));
        const store = openStore(db);
        assert.equal(await assertConsistent(store), 2, 'the two committed images, not the third');
        // Importing again completes the set: the orphan blobs of the killed image are simply reused.
        const again = await importDataset(store, DRIVE, { actor: 'parent' });
        assert.equal(again.duplicates.length, 2);
        assert.equal(again.imported.length, 38);
        assert.equal(await assertConsistent(store), 40);
        store.close();
      }
    });

    test('killed at an arbitrary moment of an import', async () => {
      {
        const db = backend.location('kill');
        openStore(db).close();
        await runAndKill(
          db,
          `api.importDataset(store, ${JSON.stringify(DRIVE)}, { actor: 'child',
           onProgress: (done) => { if (done === 1) console.log('FIRST-DONE'); } });`,
          { marker: 'FIRST-DONE' },
        );
        const store = openStore(db);
        const n = await assertConsistent(store);
        assert.ok(n >= 1 && n < 40, `${n} images`);
        store.close();
      }
    });

    test('killed inside the transaction of a mask save', async () => {
      {
        const db = backend.location('kill');
        const setup = openStore(db);
        const one = await importImageFiles(
          setup,
          [
            {
              imagePath: join(DRIVE, 'training/images/21_training.tif'),
              maskPath: join(DRIVE, 'training/1st_manual/21_manual1.gif'),
            },
          ],
          { actor: 'setup' },
        );
        const imageId = one.imported[0].imageId;
        const versionsBefore = listMaskVersions(setup, imageId);
        setup.close();
        await runAndKill(
          db,
          `const image = api.getImage(store, ${imageId});
         const mask = { width: image.width, height: image.height, data: new Uint8Array(image.width * image.height).fill(1) };
         await api.saveMaskVersion(store, { imageId: image.id, kind: 'draft', author: 'child', mask });
         store.hooks.beforeCommit = () => { console.log('IN-TRANSACTION'); block(); };
         mask.data[0] = 0;
         await api.saveMaskVersion(store, { imageId: image.id, kind: 'draft', author: 'child', mask });
         console.log('FINISHED');`,
          { marker: 'IN-TRANSACTION' },
        );
        const store = openStore(db);
        assert.equal((await checkStore(store)).ok, true);
        const after = listMaskVersions(store, imageId);
        assert.equal(
          after.length,
          versionsBefore.length + 1,
          'the first save committed, the killed one left nothing',
        );
        const drafts = after.filter((v) => v.kind === 'draft');
        assert.equal(drafts.length, 1);
        const audit = store.db
          .prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'mask.draft'")
          .pluck()
          .get() as number;
        assert.equal(audit, 1);
        store.close();
      }
    });
  });
