// The single-user store: one SQLite file (better-sqlite3), WAL, synchronous = FULL, blobs in `<file>.files/`.
import Database from 'better-sqlite3';
import { openSqliteFile } from './sqlite-open.js';
import { openSqliteReadOnly } from './sqlite-read-only.js';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { checkSchemaVersion, migrate, Store, type OpenStoreOptions, type StoreBackend } from './database.js';
import {
  ConstraintError,
  NotFoundError,
  StoreBusyError,
  StoreCorruptError,
  StoreError,
  StoreReadOnlyError,
} from './errors.js';
import { SCHEMA_VERSION, type Migration } from './schema.js';
import { makeStudyPrivate } from './study-modes.js';
import { fileInTheWay } from './destination-folder.js';
import { SEARCH_FOLD_FUNCTION, searchFoldSql } from './sql.js';
import { searchFold } from '../../shared/search-fold.js';

/** How long a write waits for another process's write to finish before it gives up (StoreBusyError). */
const BUSY_WAIT_MS = 5000;

class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite' as const;
  constructor(
    readonly db: Database.Database,
    private readonly file: string,
  ) {
    db.function(SEARCH_FOLD_FUNCTION, { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? searchFold(text) : text,
    );
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  searchFoldSql(expr: string): string {
    return searchFoldSql(this.kind, expr);
  }

  holdsText(): boolean {
    return true;
  }

  /** An erasure's rows are still in the WAL (a reader held it): each later write tries to truncate it. */
  private walScrubPending = false;

  transaction<T>(fn: () => T): T {
    // IMMEDIATE: take the write lock up front, so two writers queue instead of failing at their first write.
    const outermost = !this.db.inTransaction;
    const result = this.db
      .transaction(() => {
        // Under the lock: a newer RetinaStudio may have upgraded the study since this process opened it, and rows
        // written as this version knows them would miss what its schema keeps (the audit chain did at v14).
        if (outermost) checkSchemaVersion(this.schemaVersion(), this.file, false);
        return fn();
      })
      .immediate();
    if (this.walScrubPending && !this.db.inTransaction) this.walScrubPending = !this.truncateWal(0);
    return result;
  }

  /** Checkpoints the whole WAL into the file and empties it; false while another connection still reads it. */
  private truncateWal(waitMs: number): boolean {
    const before = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma(`busy_timeout = ${waitMs}`);
    try {
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return r.busy === 0;
    } catch {
      return false;
    } finally {
      this.db.pragma(`busy_timeout = ${before}`);
    }
  }

  applyMigration(m: Migration, data?: () => void): void {
    // IMMEDIATE, and the version read again under the lock: another process opening the same study at the same
    // moment (the app starting while `retina db init` runs) may have applied it since this one read the version.
    this.db
      .transaction(() => {
        if (this.schemaVersion() >= m.version) return;
        this.db.exec(m.sql);
        data?.();
        if (this.foreignKeyViolations() > 0) {
          throw new StoreCorruptError(`${this.file}: migration ${m.version} would break foreign keys`);
        }
        this.db.pragma(`user_version = ${m.version}`);
      })
      .immediate();
  }

  tables(): string[] {
    return this.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
  }

  snapshot<T>(fn: () => T): T {
    // A deferred transaction that only reads: in WAL mode it sees one snapshot while writers go on.
    return this.db.transaction(fn).deferred();
  }

  scrubbing<T>(fn: () => T): T {
    // secure_delete zeroes the cells and pages a deletion frees (compactAfterErasure then rebuilds the file).
    const before = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      return fn();
    } finally {
      this.db.pragma(`secure_delete = ${before}`);
    }
  }

  compactAfterErasure(): string | null {
    // A rebalanced b-tree page keeps old cells in its unused area even with secure_delete: VACUUM rewrites every
    // page. The WAL's older frames still hold the rows as they were until a checkpoint truncates it, which a
    // reader in another connection (a second window's snapshot) holds off.
    try {
      this.db.exec('VACUUM');
    } catch (err) {
      return `the database file could not be rewritten (${(err as Error).message}); the space of the erased rows is zeroed, but a page may keep fragments of them until \`retina db erase --finish\` runs with room on the disk`;
    }
    // Readers of other windows finish their snapshot within moments; one that stays is caught up with later.
    if (this.truncateWal(3000)) return null;
    this.walScrubPending = true;
    return `the study's journal (${basename(this.file)}-wal) keeps a copy of the erased rows until the other window or program reading this study lets go of it (it is emptied at the next change made here after that, or when the study is closed)`;
  }

  deferForeignKeys(): void {
    this.db.pragma('defer_foreign_keys = ON');
  }

  afterBulkInsert(): void {
    // INTEGER PRIMARY KEY continues after the highest rowid by itself.
  }

  integrity(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  foreignKeyViolations(): number {
    return (this.db.pragma('foreign_key_check') as unknown[]).length;
  }

  translateError(err: unknown, action: string): unknown {
    return translateSqliteError(err, this.file, action);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The better-sqlite3 connection of a SQLite store (its online backup API); null for other backends. */
export function sqliteConnection(store: Store): Database.Database | null {
  return store.backend instanceof SqliteBackend ? store.backend.db : null;
}

/** Maps SQLite's error codes to the store's errors; anything else passes through unchanged. */
export function translateSqliteError(err: unknown, path: string, action: string): unknown {
  if (err instanceof StoreError || !(err instanceof Error)) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new StoreReadOnlyError(`${path}: cannot ${action}, the database is not writable (${code})`);
  }
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && diskFull(path)))
    return new StoreError(`${path}: cannot ${action}, the disk is full`);
  if (code.startsWith('SQLITE_IOERR'))
    return new StoreError(`${path}: cannot ${action}, the disk could not be read or written (${code})`);
  if (code.startsWith('SQLITE_BUSY')) {
    return new StoreBusyError(
      `${path}: cannot ${action}: another program is writing to this study (the app, or a \`retina\` command) and ` +
        `did not finish within ${BUSY_WAIT_MS / 1000} s; nothing was changed, try again once it is done`,
    );
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) return new ConstraintError(`cannot ${action}: ${err.message}`);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StoreCorruptError(`${path}: not a valid RetinaStudio database (${err.message})`);
  }
  return err;
}

/**
 * Whether the disk holding `path` has (next to) no room left. SQLite reports a write it could not make while
 * opening (its -shm file, a WAL frame) as a bare "disk I/O error"; this tells the usual cause.
 */
function diskFull(path: string): boolean {
  try {
    const fs = statfsSync(dirname(path));
    return fs.bavail * fs.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

function assertWritable(path: string): void {
  const dir = dirname(path);
  try {
    // Patient data: the folders made for a new study are the user's alone (0700), whatever the umask.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const file = fileInTheWay(dir);
    if (file)
      throw new StoreReadOnlyError(
        `${path}: ${file} is a file, not a folder; move it, or choose another database ` +
          '(--database PATH, or RETINA_DB)',
      );
    throw new StoreReadOnlyError(
      `${path}: the database or its folder is not writable (${code}); choose another database ` +
        '(--database PATH, or RETINA_DB)',
    );
  }
}

export function openSqliteStore(path: string, opts: OpenStoreOptions = {}): Store {
  const file = resolve(path);
  const readonly = opts.readonly ?? false;
  const create = opts.create ?? !readonly;
  if (!existsSync(file)) {
    if (!create) throw new NotFoundError(`${file}: no such database (run \`retina db init\` first)`);
  } else if (!create && statSync(file).size === 0) {
    // An empty file would silently become a new, empty study here (and pass a check): most often a copy cut short.
    throw new StoreCorruptError(
      `${file}: an empty file, not a RetinaStudio database (a copy cut short?); \`retina db init\` makes a new one`,
    );
  }
  if (!readonly) assertWritable(file);

  const isNew = !existsSync(file);
  let db: Database.Database;
  try {
    db = readonly
      ? openSqliteReadOnly(file, !create)
      : openSqliteFile(file, { readonly, fileMustExist: !create });
    // A new study is readable by this user alone (SQLite gives its -wal and -shm files the same mode).
    if (isNew) chmodSync(file, 0o600);
  } catch (err) {
    throw translateSqliteError(err, file, 'open the database');
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    const version = readVersion(db, file);
    checkSchemaVersion(version, file, readonly || opts.upgrade === false);
    checkIntegrity(db, file);
    // A command that only reads (upgrade: false) keeps the journal mode: a backup it checks stays a backup (rollback
    // journal), which the next `db backup` to that path may replace; switched to WAL it was refused as a study.
    if (!readonly && opts.upgrade !== false) db.pragma('journal_mode = WAL');
    if (!readonly) {
      // FULL: a committed row never points at a blob or WAL frame that a power cut could lose.
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    const store = new Store(new SqliteBackend(db, file), file, readonly);
    const target = opts.targetVersion ?? SCHEMA_VERSION;
    // A new study is made in one transaction: another process opening it meanwhile sees no study or a whole one,
    // never one halfway through its migrations (which it took for an earlier version's, and kept a copy of).
    if (!readonly && version === 0) db.transaction(() => migrate(store, target)).immediate();
    else if (!readonly && version < target) upgradeKeepingCopy(store, db, file, target);
    else if (!readonly) migrate(store, target);
    // A study made before new ones were private is made private as it is upgraded.
    if (store.preUpgradeCopy) makeStudyPrivate(file);
    return store;
  } catch (err) {
    db.close();
    throw translateSqliteError(err, file, 'open the database');
  }
}

/**
 * Upgrades a study made by an earlier version, keeping a copy of it as it was. Copy and migrations happen under
 * one write lock, the version read again under it: two processes opening the study at once (the app starting while
 * `retina db init` runs) used to both keep a copy, under one name, the later possibly taken after the other had
 * upgraded it (the upgraded study named as the earlier version's). The one that waited finds nothing to do.
 */
function upgradeKeepingCopy(store: Store, db: Database.Database, file: string, target: number): void {
  db.transaction(() => {
    const version = readVersion(db, file);
    if (version >= target) return;
    store.preUpgradeCopy = keepPreUpgradeCopy(file, version);
    migrate(store, target);
  }).immediate();
}

/**
 * Before a study made by an earlier version is upgraded: a copy of its database at that version beside it
 * (`<file>.v<N>.bak`, compact, private), so that an earlier RetinaStudio can still be used on the study as it was.
 * Its files need no copy: they are named by content and an upgrade never changes them. A copy is made each time,
 * never reused: one left by an earlier upgrade holds an older state (`.v<N>.2.bak`, ... beside it). Taken by a
 * second connection, since VACUUM cannot run inside the caller's transaction; it reads the study as committed.
 */
function keepPreUpgradeCopy(file: string, version: number): string {
  let copy = `${file}.v${version}.bak`;
  for (let n = 2; existsSync(copy); n++) copy = `${file}.v${version}.${n}.bak`;
  const tmp = `${copy}.tmp-${process.pid}`;
  let reader: Database.Database | null = null;
  try {
    reader = openSqliteFile(file, { readonly: true, fileMustExist: true });
    reader.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    reader.prepare('VACUUM INTO ?').run(tmp);
    chmodSync(tmp, 0o600);
    renameSync(tmp, copy);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw translateSqliteError(err, file, `keep a copy at schema v${version} before upgrading`);
  } finally {
    reader?.close();
  }
  return copy;
}

function readVersion(db: Database.Database, file: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    throw translateSqliteError(err, file, 'read the schema version');
  }
}

export function checkIntegrity(db: Database.Database, file: string): void {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  if (rows.length !== 1 || rows[0].integrity_check !== 'ok') {
    const first = rows[0]?.integrity_check ?? 'no result';
    throw new StoreCorruptError(`${file}: integrity check failed: ${first}`);
  }
}
