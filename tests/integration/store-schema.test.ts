import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chownSync,
  statSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sqliteConnection, translateSqliteError } from '../../main/store/sqlite-backend.js';
import { promoteCandidate, rollbackTo } from '../../main/retrain/registry.js';
import { ANATOMY_RUN_KIND, RETRAIN_RUN_KINDS, VESSEL_RUN_KIND } from '../../main/retrain/run-kinds.js';

/** The pid of a process that has ended. */
const deadPid = (): number =>
  Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
import { useStoreBackend } from '../support/store-backends.js';
import { runDbCommand } from '../../main/cli/db.js';
import {
  activeModel,
  blobStore,
  createPatient,
  failInterruptedRuns,
  importImageFiles,
  finishTrainingRun,
  getTrainingRun,
  listAudit,
  listMaskVersions,
  MIGRATIONS,
  openStore,
  type Store,
  promoteModel,
  registerModel,
  retireModel,
  SCHEMA_VERSION,
  SchemaTooNewError,
  startTrainingRun,
  StoreCorruptError,
  StoreReadOnlyError,
  ConstraintError,
} from '../../main/store/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'retina-store-schema-'));
}

const fileHash = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

function tables(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]
  ).slice();
}

/** Rows written with the old schema's columns only (v1 is the subset every later version keeps). */
const V1_ROWS = [
  "INSERT INTO patients (pseudonym, created_at) VALUES ('P-1', '2024-01-01')",
  `INSERT INTO images (file_hash, file_name, format, byte_size, width, height, channels, imported_at)
     VALUES ('${'a'.repeat(64)}', 'x.png', 'png', 10, 4, 3, 1, '2024-01-01')`,
  "INSERT INTO models (name, dir_path, architecture, status, created_at) VALUES ('m1', '/m', '{}', 'active', '2024')",
  `INSERT INTO mask_versions (image_id, kind, author, created_at, model_id, png_hash, width, height)
     VALUES (1, 'prediction', 'model:m1', '2024', 1, '${'b'.repeat(64)}', 4, 3)`,
  "INSERT INTO training_runs (config, seed, status, started_at) VALUES ('{}', 1, 'running', '2024')",
];

function assertV1RowsKept(store: Store): void {
  const [mask] = listMaskVersions(store, 1);
  assert.equal(mask.pngHash, 'b'.repeat(64));
  assert.equal(mask.probHash, null);
  assert.equal(getTrainingRun(store, 1).pid, null);
  assert.equal(activeModel(store)?.name, 'm1');
}

/** A kept draft written at v9, when the only reasons were 'lease' and 'stale'. */
const V9_KEPT_DRAFT = `INSERT INTO kept_drafts (image_id, author, created_at, reason, based_on_id, current_id, png_hash,
     width, height) VALUES (1, 'ann', '2024', 'stale', 1, 1, '${'c'.repeat(64)}', 4, 3)`;

/** v10 widened kept_drafts' reasons (SQLite rebuilt the table): the v9 row is kept and new ids follow it. */
function assertKeptDraftsMigrated(store: Store): void {
  const rows = () =>
    store.db.prepare('SELECT id, author, reason, png_hash FROM kept_drafts ORDER BY id').all() as {
      id: number;
      reason: string;
    }[];
  assert.deepEqual(rows(), [{ id: 1, author: 'ann', reason: 'stale', png_hash: 'c'.repeat(64) }]);
  store.db
    .prepare(
      `INSERT INTO kept_drafts (image_id, author, created_at, reason, png_hash, width, height)
         VALUES (1, 'bo', '2025', 'handed-off', ?, 4, 3)`,
    )
    .run('d'.repeat(64));
  assert.deepEqual(
    rows().map((r) => [r.id, r.reason]),
    [
      [1, 'stale'],
      [2, 'handed-off'],
    ],
  );
  assert.throws(() =>
    store.db
      .prepare(
        `INSERT INTO kept_drafts (image_id, author, created_at, reason, png_hash, width, height)
           VALUES (1, 'bo', '2025', 'whim', ?, 4, 3)`,
      )
      .run('e'.repeat(64)),
  );
}

describe('schema migrations on PostgreSQL', () => {
  const backend = useStoreBackend('postgres');
  test('from schema v9: kept drafts kept, the hand-off reason allowed', () => {
    const url = backend.location('kept_v9', { init: false });
    const old = openStore(url, { targetVersion: 9, sharedDir: join(backend.dir, 'kept_v9') });
    for (const sql of [...V1_ROWS, V9_KEPT_DRAFT]) old.db.prepare(sql).run();
    old.close();
    const store = openStore(url);
    try {
      assertKeptDraftsMigrated(store);
    } finally {
      store.close();
    }
  });

  for (const from of MIGRATIONS.map((m) => m.version).filter((v) => v < SCHEMA_VERSION)) {
    test(`from schema v${from}: data kept, later columns added`, () => {
      const url = backend.location(`v${from}`, { init: false });
      const old = openStore(url, { targetVersion: from, sharedDir: join(backend.dir, `v${from}`) });
      assert.equal(old.schemaVersion, from);
      for (const sql of V1_ROWS) old.db.prepare(sql).run();
      old.close();
      const store = openStore(url);
      try {
        assert.equal(store.schemaVersion, SCHEMA_VERSION);
        assertV1RowsKept(store);
        assert.ok(store.db.prepare("SELECT 1 FROM pg_indexes WHERE indexname = 'images_by_dataset'").get());
      } finally {
        store.close();
      }
    });
  }
});

describe('schema migrations', () => {
  test('from schema v9: kept drafts kept, the hand-off reason allowed', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'kept-v9.db');
      const old = openStore(path, { targetVersion: 9 });
      sqliteConnection(old)!.exec([...V1_ROWS, V9_KEPT_DRAFT].join(';\n'));
      old.close();
      const store = openStore(path);
      assertKeptDraftsMigrated(store);
      assert.ok(store.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kept_drafts_by_image'").get());
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the migration list is ordered and consecutive', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
  });

  test('from an empty file: every table, WAL, foreign keys on', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'empty.db');
      writeFileSync(path, ''); // an empty file is a valid, empty SQLite database
      const store = openStore(path);
      assert.equal(store.schemaVersion, SCHEMA_VERSION);
      assert.equal(sqliteConnection(store)!.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(sqliteConnection(store)!.pragma('foreign_keys', { simple: true }), 1);
      for (const t of [
        'patients',
        'studies',
        'images',
        'mask_versions',
        'models',
        'model_training_masks',
        'training_runs',
        'audit_log',
      ]) {
        assert.ok(tables(sqliteConnection(store)!).includes(t), t);
      }
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const from of MIGRATIONS.map((m) => m.version).filter((v) => v < SCHEMA_VERSION)) {
    test(`from schema v${from}: data kept, later columns added`, () => {
      const dir = tempDir();
      try {
        const path = join(dir, `v${from}.db`);
        const old = openStore(path, { targetVersion: from });
        assert.equal(old.schemaVersion, from);
        // Rows written with the old schema's columns only (v1 is the subset every later version keeps).
        sqliteConnection(old)!.exec(V1_ROWS.join(';\n'));
        old.close();
        const store = openStore(path);
        assert.equal(store.schemaVersion, SCHEMA_VERSION);
        assertV1RowsKept(store);
        // The v2 index exists.
        assert.ok(store.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'images_by_dataset'").get());
        store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a study of an earlier version: check, export and backup leave it as it is; init upgrades it, keeping a copy', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'old.db');
      const old = openStore(path, { targetVersion: 5 });
      sqliteConnection(old)!.exec(V1_ROWS.join(';\n'));
      old.close();
      const before = fileHash(path);
      const err: string[] = [];
      const out: string[] = [];
      const io = {
        stdout: { write: (x: string) => out.push(x) > 0 },
        stderr: { write: (x: string) => err.push(x) > 0 },
        env: {},
      };
      for (const args of [
        ['check'],
        ['export', '--format', 'bundle', '--out', join(dir, 'bundle')],
        ['backup', join(dir, 'backup.db')],
        ['copy', '--from', path, '--to', join(dir, 'copy.db')],
      ]) {
        err.length = 0;
        const db = args[0] === 'copy' ? [] : ['--database', path];
        assert.equal(await runDbCommand([...args, ...db], io), 1, args[0]);
        assert.match(
          err.join(''),
          /old\.db was made by an earlier RetinaStudio \(schema v5; this version uses v\d+\) and is left as it is\. `retina db init --database .*old\.db` upgrades it/,
          args[0],
        );
        assert.equal(fileHash(path), before, `${args[0]} changed the study`);
      }
      assert.equal(await runDbCommand(['init', '--database', path], io), 0, err.join(''));
      assert.match(
        out.join(''),
        /schema v\d+ \(upgraded; the database as it was is kept at .*old\.db\.v5\.bak\)/,
      );
      const copy = new Database(`${path}.v5.bak`, { readonly: true });
      try {
        assert.equal(copy.pragma('user_version', { simple: true }), 5);
        assert.equal((copy.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n, 1);
      } finally {
        copy.close();
      }
      const store = openStore(path);
      assert.equal(store.schemaVersion, SCHEMA_VERSION);
      assertV1RowsKept(store);
      assert.equal(store.preUpgradeCopy, null, 'a study already at this version is not copied again');
      store.close();
      // Put back at v5 (its copy restored) and upgraded again: a new copy, the first one kept as it was.
      copyFileSync(`${path}.v5.bak`, path);
      const again = openStore(path);
      assert.equal(again.preUpgradeCopy, `${path}.v5.2.bak`);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an earlier version's study readable by every account (0644, 0755) is made private as it is upgraded", async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'shared-modes.db');
      const old = openStore(path, { targetVersion: 5 });
      sqliteConnection(old)!.exec(V1_ROWS.join(';\n'));
      const hash = await blobStore(old).put(Buffer.from('a photograph'));
      old.close();
      // The modes an earlier version gave a study under the usual umask.
      const filesDir = `${path}.files`;
      const fanOut = join(filesDir, hash.slice(0, 2));
      chmodSync(path, 0o644);
      chmodSync(filesDir, 0o755);
      chmodSync(fanOut, 0o755);
      const mode = (p: string): number => statSync(p).mode & 0o777;
      const store = openStore(path);
      try {
        assert.equal(store.schemaVersion, SCHEMA_VERSION);
        // Open, in WAL mode: SQLite made the -wal and -shm with the database's old mode; they are private too.
        for (const f of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(f), 0o600, f);
        assert.equal(mode(filesDir), 0o700);
        assert.equal(mode(fanOut), 0o700);
        assert.equal(readFileSync(join(fanOut, hash.slice(2)), 'utf8'), 'a photograph');
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("upgrading a study whose files folder is another account's leaves that folder as it is", async (t) => {
    // Only root can give a folder to another account (and would otherwise be able to change it).
    if (process.getuid?.() !== 0) return t.skip('needs root to chown');
    const dir = tempDir();
    try {
      const path = join(dir, 'foreign.db');
      const old = openStore(path, { targetVersion: 5 });
      await blobStore(old).put(Buffer.from('a photograph'));
      old.close();
      chmodSync(path, 0o644);
      chmodSync(`${path}.files`, 0o755);
      chownSync(`${path}.files`, 65534, 65534);
      const err: string[] = [];
      const io = {
        stdout: { write: () => true },
        stderr: { write: (x: string) => err.push(x) > 0 },
        env: {},
      };
      assert.equal(await runDbCommand(['init', '--database', path], io), 0, err.join(''));
      const st = statSync(`${path}.files`);
      assert.deepEqual([st.uid, st.mode & 0o777], [65534, 0o755]);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a failing migration rolls back and leaves the version as it was', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'v1.db');
      const old = openStore(path, { targetVersion: 1 });
      // A column v2 adds already exists: v2's ALTER TABLE fails half-way through its steps.
      sqliteConnection(old)!.exec('ALTER TABLE training_runs ADD COLUMN heartbeat_at TEXT');
      old.close();
      assert.throws(() => openStore(path), /duplicate column/);
      const raw = new Database(path, { readonly: true });
      assert.equal(raw.pragma('user_version', { simple: true }), 1);
      const cols = (raw.prepare('PRAGMA table_info(mask_versions)').all() as { name: string }[]).map(
        (c) => c.name,
      );
      assert.ok(!cols.includes('prob_hash'), 'the first v2 step was rolled back');
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refusing bad database files without touching them', () => {
  test('a database from a newer version', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'future.db');
      const raw = new Database(path);
      raw.exec('CREATE TABLE future_things (x)');
      raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
      raw.close();
      const before = fileHash(path);
      assert.throws(
        () => openStore(path),
        (err: Error) => err instanceof SchemaTooNewError && /newer/.test(err.message),
      );
      assert.throws(() => openStore(path, { readonly: true }), SchemaTooNewError);
      assert.equal(fileHash(path), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that is not a database', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'garbage.db');
      writeFileSync(path, Buffer.alloc(8192, 0x5a));
      const before = fileHash(path);
      assert.throws(() => openStore(path), StoreCorruptError);
      assert.equal(fileHash(path), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty file where a database is expected (a copy cut short) is refused, not made a new study', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'cut.db');
      writeFileSync(path, '');
      assert.throws(
        () => openStore(path, { create: false }),
        (err: Error) =>
          err instanceof StoreCorruptError && /an empty file, not a RetinaStudio database/.test(err.message),
      );
      assert.equal(readFileSync(path).length, 0, 'the file was written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file where the database folder should be is named, with the way out', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, 'RetinaStudio'), 'not a folder');
      assert.throws(
        () => openStore(join(dir, 'RetinaStudio', 'retina.db')),
        (err: Error) =>
          err.message.includes(`${join(dir, 'RetinaStudio')} is a file, not a folder`) &&
          /--database PATH, or RETINA_DB/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("SQLite's bare 'disk I/O error' is said as a disk that could not be read or written", () => {
    const err = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    const said = translateSqliteError(err, join(tmpdir(), 'x.db'), 'save a draft');
    assert.match(
      String((said as Error).message),
      /x\.db: cannot save a draft, the disk could not be read or written \(SQLITE_IOERR_WRITE\)$/,
    );
  });

  test('opened read-only: writes are refused, nothing changes', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'ro.db');
      openStore(path).close();
      const before = fileHash(path);
      const store = openStore(path, { readonly: true });
      assert.throws(() => createPatient(store, { pseudonym: 'P-9' }, 'tester'), StoreReadOnlyError);
      store.close();
      assert.equal(fileHash(path), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a read-only file and folder (permissions): clear error, file unchanged', () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'perm.db');
      const s = openStore(path);
      createPatient(s, { pseudonym: 'P-1' }, 'tester');
      s.close();
      chmodSync(path, 0o444);
      chmodSync(dir, 0o555);
      const before = fileHash(path);
      // Root ignores permission bits, so the attempt runs as an unprivileged user when we are root.
      const asNobody = process.getuid?.() === 0;
      if (asNobody) chownSync(dir, 0, 0);
      const code = `
        const { openStore } = await import(${JSON.stringify(join(repoRoot, 'main/store/index.ts'))});
        try { openStore(${JSON.stringify(path)}); console.log('OPENED'); }
        catch (e) { console.log(e.name + ': ' + e.message); }`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: repoRoot,
        encoding: 'utf8',
        ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
        env: { ...process.env, HOME: dir },
      });
      assert.match(r.stdout, /StoreReadOnlyError: .*perm\.db.*not writable/, r.stderr);
      assert.equal(fileHash(path), before);
    } finally {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a WAL study on read-only media', () => {
  // Root ignores modes: the commands then run as an unprivileged user, who owns the study but not its folder.
  const asNobody = process.getuid?.() === 0;
  const owner = asNobody ? { uid: 65534, gid: 65534 } : {};
  /** `retina db ...` from the sources, as the study's owner (who cannot write the folder). */
  const retina = (...args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, 'bin', 'retina.mjs'), 'db', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      ...owner,
      env: { ...process.env, RETINA_FROM_SOURCE: '1', HOME: tmpdir() },
    });
  /** The study's folder made unwritable (0555), the study itself (and `out`) its owner's. */
  const makeReadOnly = (media: string, out: string): void => {
    if (asNobody) for (const p of [media, out]) spawnSync('chown', ['-R', '65534:65534', p]);
    if (asNobody) chownSync(media, 0, 0);
    chmodSync(media, 0o555);
  };

  test('db check and db export read a study closed cleanly (no -wal), and leave nothing behind', async () => {
    const media = tempDir();
    const out = tempDir();
    try {
      const path = join(media, 'study.db');
      const store = openStore(path);
      const photo = join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
      await importImageFiles(store, [{ imagePath: photo }], { actor: 'tester' });
      store.close();
      const header = readFileSync(path);
      assert.deepEqual([header[18], header[19]], [2, 2], 'a WAL database');
      makeReadOnly(media, out);
      const before = readdirSync(media).sort();
      const hash = fileHash(path);

      const check = retina('check', '--database', path);
      assert.equal(check.status, 0, check.stderr);
      assert.match(check.stdout, /study\.db: ok \(schema v\d+, 1 images, 0 mask versions\)/);
      const bundle = join(out, 'bundle');
      const exported = retina('export', '--database', path, '--format', 'bundle', '--out', bundle);
      assert.equal(exported.status, 0, exported.stderr);
      assert.match(readFileSync(join(bundle, 'images.csv'), 'utf8'), /fundus-normal-left-eye-cc0\.jpg/);
      assert.deepEqual(readdirSync(media).sort(), before, 'no -wal or -shm left behind');
      assert.equal(fileHash(path), hash);
    } finally {
      chmodSync(media, 0o755);
      rmSync(media, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('a copy whose -wal still holds changes is refused, saying why, not read without them', () => {
    const live = tempDir();
    const media = tempDir();
    const out = tempDir();
    try {
      // Copied while the app had it open: the patient is in the -wal, not yet in the database.
      const store = openStore(join(live, 'study.db'));
      sqliteConnection(store)!.pragma('wal_autocheckpoint = 0');
      createPatient(store, { pseudonym: 'P-7' }, 'tester');
      for (const f of ['study.db', 'study.db-wal']) copyFileSync(join(live, f), join(media, f));
      store.close();
      makeReadOnly(media, out);
      const check = retina('check', '--database', join(media, 'study.db'));
      assert.equal(check.status, 1);
      assert.match(
        check.stderr,
        /its -wal file holds changes not yet in the database, and its folder is not writable/,
      );
    } finally {
      chmodSync(media, 0o755);
      for (const d of [live, media, out]) rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('data rules', () => {
  test('mask versions are immutable; exactly one active model; audit in the same transaction', () => {
    const dir = tempDir();
    try {
      const store = openStore(join(dir, 'rules.db'));
      const a = registerModel(
        store,
        { name: 'a', dirPath: '/models/a', architecture: { kind: 'unet' } },
        'tester',
      );
      const b = registerModel(
        store,
        { name: 'b', dirPath: '/models/b', architecture: { kind: 'unet' }, parentModelId: a.id },
        'tester',
      );
      promoteModel(store, a.id, 'tester');
      promoteModel(store, b.id, 'tester');
      assert.equal(activeModel(store)?.id, b.id);
      assert.equal(
        store.db.prepare("SELECT COUNT(*) FROM models WHERE status = 'active'").pluck().get() as number,
        1,
      );
      assert.throws(
        () => store.db.prepare("UPDATE models SET status = 'active' WHERE id = ?").run(a.id),
        /UNIQUE constraint failed/,
      );
      assert.throws(() => retireModel(store, b.id, 'tester'), ConstraintError);
      assert.deepEqual(
        listAudit(store, { entity: 'model', entityId: b.id })
          .map((e) => e.action)
          .sort(),
        ['model.promote', 'model.register'],
      );
      // A change whose transaction fails leaves no audit row either.
      const auditBefore = listAudit(store, { limit: 1000 }).length;
      assert.throws(
        () => registerModel(store, { name: 'a', dirPath: '/dup', architecture: {} }, 'tester'),
        ConstraintError,
      );
      assert.equal(listAudit(store, { limit: 1000 }).length, auditBefore);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("one retrain at a time across processes: another process's live retrain refuses a second and a promotion", () => {
    const dir = tempDir();
    try {
      const store = openStore(join(dir, 'one-retrain.db'));
      const a = registerModel(
        store,
        { name: 'a', dirPath: '/none/a', architecture: { kind: 'x' } },
        'tester',
      );
      const b = registerModel(
        store,
        { name: 'b', dirPath: '/none/b', architecture: { kind: 'x' } },
        'tester',
      );
      promoteModel(store, a.id, 'tester');
      // The server's retrain, seen from a terminal's `retina retrain` or `retina models promote`.
      const running = startTrainingRun(
        store,
        // Another live process on this machine: the test runner's parent.
        { config: { kind: VESSEL_RUN_KIND }, seed: 1, baseModelId: a.id, pid: process.ppid },
        'server',
      );
      const second = { config: { kind: ANATOMY_RUN_KIND }, seed: 2, baseModelId: a.id };
      assert.throws(
        () => startTrainingRun(store, second, 'cli', { exclusiveOf: RETRAIN_RUN_KINDS }),
        new RegExp(
          `a retrain is running in another process \\(training run ${running.id}, started .*\\): start another`,
        ),
      );
      assert.throws(
        () => promoteCandidate(store, b.id, 'cli', 'by hand'),
        /a retrain is running .*: promote once/,
      );
      assert.throws(() => rollbackTo(store, b.id, 'cli'), /a retrain is running/);
      // A retrain whose process is gone no longer counts.
      store.db.prepare('UPDATE training_runs SET pid = ? WHERE id = ?').run(deadPid(), running.id);
      startTrainingRun(store, second, 'cli', { exclusiveOf: RETRAIN_RUN_KINDS });
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('runs left running by a dead process are failed with a reason; live ones are kept', () => {
    const dir = tempDir();
    try {
      const store = openStore(join(dir, 'runs.db'));
      const dead = startTrainingRun(store, { config: { epochs: 3 }, seed: 7, pid: deadPid() }, 'tester');
      const live = startTrainingRun(store, { config: { epochs: 3 }, seed: 8 }, 'tester');
      const done = startTrainingRun(store, { config: {}, seed: 9, pid: deadPid() }, 'tester');
      finishTrainingRun(store, done.id, { status: 'succeeded', outcome: { f1: 0.8 } }, 'tester');
      assert.deepEqual(failInterruptedRuns(store, 'killed'), [dead.id]);
      const after = getTrainingRun(store, dead.id);
      assert.equal(after.status, 'failed');
      assert.deepEqual(after.outcome, { reason: 'killed' });
      assert.ok(after.finishedAt);
      assert.equal(getTrainingRun(store, live.id).status, 'running');
      assert.equal(getTrainingRun(store, done.id).status, 'succeeded');
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
