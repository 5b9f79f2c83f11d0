// One team database (PostgreSQL) used by several processes at once: a server open on it while another
// RetinaStudio, newer or the same, runs `retina db init` against it. Every other process here is a real one (the
// CLI, a program with its own connection), on a real database of a throw-away cluster.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import {
  importImageFiles,
  listImages,
  MIGRATIONS,
  openStore,
  SCHEMA_VERSION,
  StoreError,
} from '../../main/store/index.js';
import { postgresBinaries } from '../support/postgres.js';
import { useStoreBackend } from '../support/store-backends.js';
import { retinaCli as retina } from '../support/retina-cli.js';

const repo = join(import.meta.dirname, '..', '..');
const CLI = join(repo, 'main', 'cli', 'main.ts');

describe(
  'a team database used by several processes',
  { skip: !postgresBinaries() && 'no PostgreSQL' },
  () => {
    const backend = useStoreBackend('postgres');
    let photos: string[];

    before(async () => {
      photos = await tintedPhotos(backend.dir, ['first', 'second'], 256);
    });

    test('an open database upgraded by a newer RetinaStudio is no longer written by this one, saying why', async () => {
      const url = backend.location('upgraded');
      const store = openStore(url);
      try {
        await importImageFiles(store, [{ imagePath: photos[0] }], { actor: 'tester' });
        // A newer version's `retina db init` migrates the database while this process (the server) has it open.
        const newer = spawnSync(
          process.execPath,
          [
            '-e',
            `const { Client } = require('pg');
           const c = new Client({ connectionString: ${JSON.stringify(url)} });
           c.connect()
             .then(() => c.query('ALTER TABLE images ADD COLUMN added_by_a_newer_version TEXT'))
             .then(() => c.query("UPDATE retina_meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'"))
             .then(() => c.end(), (err) => { console.error(err); process.exit(1); });`,
          ],
          { cwd: repo, encoding: 'utf8' },
        );
        assert.equal(newer.status, 0, newer.stderr);
        // Its rows would miss what the newer schema keeps: refused, as opening the database now would be.
        await assert.rejects(
          importImageFiles(store, [{ imagePath: photos[1] }], { actor: 'tester' }),
          (err: Error) => {
            assert.ok(err instanceof StoreError, `${err.name}: ${err.message}`);
            assert.match(err.message, /newer than this RetinaStudio supports.*upgrade RetinaStudio/);
            return true;
          },
        );
        assert.equal(listImages(store, { limit: 10 }).total, 1);
      } finally {
        store.close();
      }
    });

    test('two processes opening a database made by an earlier version at once both open it, upgraded once', async () => {
      const url = backend.location('old', { init: false });
      openStore(url, { targetVersion: 1, sharedDir: join(backend.dir, 'old') }).close();
      // This process read v1 and is about to upgrade; another process (`retina db init`) upgrades it first.
      const late = openStore(url, { targetVersion: 1 });
      try {
        const other = retina('db', 'init', '--database', url);
        assert.equal(other.code, 0, other.stderr);
        // Its migration, already applied by the other process, is no error and changes nothing.
        late.backend.applyMigration(MIGRATIONS.find((m) => m.version === 2)!);
        assert.equal(late.schemaVersion, SCHEMA_VERSION);
      } finally {
        late.close();
      }
      // And as it happens: two `retina db init` started together on another v1 database.
      const raced = backend.location('raced', { init: false });
      openStore(raced, { targetVersion: 1, sharedDir: join(backend.dir, 'raced') }).close();
      const init = (): Promise<[number]> =>
        once(
          spawn(process.execPath, ['--import', 'tsx', CLI, 'db', 'init', '--database', raced], {
            cwd: repo,
            stdio: ['ignore', 'ignore', 'inherit'],
          }),
          'exit',
        ) as Promise<[number]>;
      const codes = await Promise.all([init(), init()]);
      assert.deepEqual(
        codes.map(([c]) => c),
        [0, 0],
      );
      const check = retina('db', 'check', '--database', raced);
      assert.equal(check.code, 0, check.stdout + check.stderr);
    });
  },
);
