// One SQLite study used by several processes at once, as on a user's machine: the app open on it while `retina db`
// commands run against the same file. Every other process here is a real one (the CLI, a program holding SQLite's
// write lock), on a real study of the shipped sample photograph.
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_PHOTO, tintedPhotos } from '../support/sample-photos.js';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { handlerCaller } from '../support/handler-call.js';
import type { EventOf } from '../../shared/contract.js';
import {
  importImageFiles,
  listImages,
  MIGRATIONS,
  openStore,
  saveMaskVersion,
  SCHEMA_VERSION,
  StoreError,
} from '../../main/store/index.js';
import { retinaCli as retina } from '../support/retina-cli.js';

const repo = join(import.meta.dirname, '..', '..');
const CLI = join(repo, 'main', 'cli', 'main.ts');

/** Another program that takes the study's write lock and keeps it until it is killed (a long import, a VACUUM). */
async function holdWriteLock(db: string): Promise<ChildProcess> {
  const code = `
    const db = new (require('better-sqlite3'))(${JSON.stringify(db)});
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(line.toString().trim(), 'locked');
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** Two `retina db init` of one study started together: each one's exit code and what it printed. */
async function initTwiceAtOnce(study: string): Promise<{ code: number; out: string }[]> {
  const init = async (): Promise<{ code: number; out: string }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'db', 'init', '--database', study], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    return { code, out };
  };
  return Promise.all([init(), init()]);
}

let dir: string;
let db: string;
let photos: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-multi-process-'));
  db = join(dir, 'study.db');
  photos = await tintedPhotos(dir, ['first', 'second'], 256);
  const store = openStore(db);
  await importImageFiles(store, [{ imagePath: SAMPLE_PHOTO }], { actor: 'tester' });
  store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a write that waits too long behind another process says so, changes nothing, and goes through later', async () => {
  const locker = await holdWriteLock(db);
  try {
    // The CLI: refused in words, not SQLite's bare "database is locked".
    const cli = retina('db', 'import', photos[0], '--database', db);
    const said = cli.stdout + cli.stderr;
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(said, /another program is writing to this study/);
    assert.doesNotMatch(said, /database is locked/);
    // The app's own connection: a StoreError (the UI shows it as a storage problem, not an internal error).
    const store = openStore(db);
    try {
      await assert.rejects(
        importImageFiles(store, [{ imagePath: photos[1] }], { actor: 'tester' }),
        (err: Error) => {
          assert.ok(err instanceof StoreError, `${err.name}: ${err.message}`);
          assert.match(err.message, /another program is writing to this study/);
          return true;
        },
      );
    } finally {
      store.close();
    }
  } finally {
    await stop(locker);
  }
  const again = retina('db', 'import', photos[0], photos[1], '--database', db);
  assert.equal(again.code, 0, again.stderr);
  const store = openStore(db, { readonly: true });
  assert.equal(listImages(store, { limit: 10 }).total, 3);
  store.close();
});

test('an open study upgraded by a newer RetinaStudio is no longer written by this one, saying why', async () => {
  const study = join(dir, 'upgraded.db');
  const store = openStore(study);
  try {
    await importImageFiles(store, [{ imagePath: photos[0] }], { actor: 'tester' });
    // A newer version's `retina db init` migrates the study while this process (the app) has it open.
    const newer = spawnSync(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(study)});
         db.exec('ALTER TABLE images ADD COLUMN added_by_a_newer_version TEXT');
         db.pragma('user_version = ${SCHEMA_VERSION + 1}');
         db.close();`,
      ],
      { cwd: repo, encoding: 'utf8' },
    );
    assert.equal(newer.status, 0, newer.stderr);
    // Its rows would miss what the newer schema keeps: refused, as opening the study now would be.
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

/** The app on `study`, with no model: none is needed to import. */
async function workstationWithoutModel(t: TestContext, study: string): Promise<Workstation> {
  const modelBefore = process.env.RETINA_DEFAULT_MODEL;
  process.env.RETINA_DEFAULT_MODEL = join(dir, 'no-model-here');
  t.after(() => {
    if (modelBefore === undefined) delete process.env.RETINA_DEFAULT_MODEL;
    else process.env.RETINA_DEFAULT_MODEL = modelBefore;
  });
  return createWorkstation({ dbPath: study, shell: 'browser', user: 'tester' });
}

test(
  'the app hears of images another process imported into its study, so its worklist shows them',
  { timeout: 60_000 },
  async (t) => {
    const study = join(dir, 'watched.db');
    const ws = await workstationWithoutModel(t, study);
    try {
      const heard: EventOf<'imagesChanged'>[] = [];
      ws.events.subscribe((event, payload) => {
        if (event === 'imagesChanged') heard.push(payload as EventOf<'imagesChanged'>);
      });
      // The ML engineer's import, in its own process, while the app has the study open.
      const cli = spawn(
        process.execPath,
        ['--import', 'tsx', CLI, 'db', 'import', photos[0], '--database', study],
        {
          cwd: repo,
          stdio: 'ignore',
        },
      );
      const [code] = (await once(cli, 'exit')) as [number];
      assert.equal(code, 0);
      const imported = listImages(ws.store, { limit: 10 }).items.map((i) => String(i.id));
      assert.equal(imported.length, 1);
      // Heard without the user doing anything (the worklist and an open viewer read again on this event).
      while (!heard.some((e) => e.imageIds.map(String).includes(imported[0])))
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await ws.close();
    }
  },
);

test(
  "the app's own import job, written by a worker through its own connection, is announced once, not again by the watcher",
  { timeout: 60_000 },
  async (t) => {
    const study = join(dir, 'own-job.db');
    const ws = await workstationWithoutModel(t, study);
    try {
      const heard: string[][] = [];
      ws.events.subscribe((event, payload) => {
        if (event === 'imagesChanged') heard.push((payload as EventOf<'imagesChanged'>).imageIds.map(String));
      });
      const { jobId } = await handlerCaller(() => ws)('importFiles', { paths: [photos[1]] });
      assert.equal((await ws.jobs.wait(jobId)).state, 'done');
      const [imageId] = listImages(ws.store, { limit: 10 }).items.map((i) => String(i.id));
      // Three looks of the watcher: a second announcement would have come by then.
      await new Promise((r) => setTimeout(r, 6500));
      assert.deepEqual(
        heard.filter((ids) => ids.includes(imageId)),
        [[imageId]],
      );

      // A change through another connection (as another process's) is still heard, once.
      const other = openStore(study);
      try {
        const { width, height } = other.db
          .prepare('SELECT width, height FROM images WHERE id = ?')
          .get(Number(imageId)) as { width: number; height: number };
        await saveMaskVersion(other, {
          imageId: Number(imageId),
          kind: 'draft',
          author: 'tester',
          mask: { width, height, data: new Uint8Array(width * height) },
          parentId: null,
        });
      } finally {
        other.close();
      }
      while (heard.filter((ids) => ids.includes(imageId)).length < 2)
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 4500));
      assert.equal(heard.filter((ids) => ids.includes(imageId)).length, 2);
    } finally {
      await ws.close();
    }
  },
);

test('two processes opening a study made by an earlier version at once both open it, upgraded once', async () => {
  const study = join(dir, 'old.db');
  openStore(study, { targetVersion: 1 }).close();
  // This process read v1 and is about to upgrade; another process (the app starting) upgrades it first.
  const late = openStore(study, { targetVersion: 1 });
  try {
    const other = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'db', 'init', '--database', study], {
      cwd: repo,
      encoding: 'utf8',
    });
    assert.equal(other.status, 0, other.stderr);
    // Its migration, already applied by the other process, is no error and changes nothing.
    late.backend.applyMigration(MIGRATIONS.find((m) => m.version === 2)!);
    assert.equal(late.schemaVersion, SCHEMA_VERSION);
  } finally {
    late.close();
  }
  // And as it happens: two `retina db init` started together on another v1 study.
  const raced = join(dir, 'raced.db');
  openStore(raced, { targetVersion: 1 }).close();
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

test('two processes upgrading a study made by an earlier version at once keep one copy of it, at that version', async () => {
  // A race, so several rounds. The one that lost it used to keep a second `.v1.bak`, and one taken after the other
  // had committed its upgrade held the upgraded study under the earlier version's name.
  for (let round = 0; round < 6; round++) {
    const study = join(dir, `old-${round}.db`);
    openStore(study, { targetVersion: 1 }).close();
    const runs = await initTwiceAtOnce(study);
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0],
    );
    const copies = readdirSync(dir).filter((f) => f.startsWith(`old-${round}.db.`) && f.endsWith('.bak'));
    assert.deepEqual(copies, [`old-${round}.db.v1.bak`], `round ${round}`);
    assert.equal(
      runs.filter((r) => /upgraded/.test(r.out)).length,
      1,
      `round ${round}: ${runs.map((r) => r.out)}`,
    );
    const copy = new Database(join(dir, copies[0]), { readonly: true });
    try {
      assert.equal(copy.pragma('user_version', { simple: true }), 1, `round ${round}`);
    } finally {
      copy.close();
    }
  }
});

test('two processes making a new study at once: neither keeps a copy of it nor says it was upgraded', async () => {
  // A race, so several rounds: one that opened the study while the other was making it took it for an earlier
  // version's, halfway through its migrations, and kept a pointless `.v<N>.bak` of it.
  for (let round = 0; round < 8; round++) {
    const study = join(dir, `new-${round}.db`);
    const runs = await initTwiceAtOnce(study);
    for (const r of runs) {
      assert.equal(r.code, 0);
      assert.doesNotMatch(r.out, /upgraded/, `round ${round}`);
    }
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith(`new-${round}.db.`) && f.endsWith('.bak')),
      [],
      `round ${round}`,
    );
  }
});
