// Opening, checking and migrating the SQLite database, and the one write-transaction helper every repository
// function goes through (so each change and its audit row commit together or not at all).
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  ConstraintError,
  NotFoundError,
  SchemaTooNewError,
  StoreCorruptError,
  StoreError,
  StoreReadOnlyError,
} from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface OpenStoreOptions {
  /** Open without writing anything: no migration, no WAL switch; writes throw StoreReadOnlyError. */
  readonly?: boolean;
  /** Create the file when missing (default true unless readonly). */
  create?: boolean;
  /** Stop migrating at this version (tests build databases of earlier versions with it). */
  targetVersion?: number;
}

export interface StoreHooks {
  /** Called inside every write transaction just before it commits (tests use it to kill the process there). */
  beforeCommit?: (action: string) => void;
}

export class Store {
  /** Internal: repository modules only. Nothing outside main/store issues SQL. */
  readonly db: Database.Database;
  readonly path: string;
  /** Content-addressed blobs: `<db>.files/ab/cdef...`. */
  readonly filesDir: string;
  readonly readonly: boolean;
  hooks: StoreHooks = {};

  constructor(db: Database.Database, path: string, readonly: boolean) {
    this.db = db;
    this.path = path;
    this.filesDir = `${path}.files`;
    this.readonly = readonly;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Runs `fn` in one IMMEDIATE transaction; any throw rolls everything back. */
  write<T>(action: string, fn: () => T): T {
    if (this.readonly) throw new StoreReadOnlyError(`${this.path}: opened read-only, cannot ${action}`);
    const tx = this.db.transaction(() => {
      const result = fn();
      this.hooks.beforeCommit?.(action);
      return result;
    });
    try {
      return tx.immediate();
    } catch (err) {
      throw translateSqliteError(err, this.path, action);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Maps SQLite's error codes to the store's errors; anything else passes through unchanged. */
export function translateSqliteError(err: unknown, path: string, action: string): unknown {
  if (err instanceof StoreError || !(err instanceof Error)) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new StoreReadOnlyError(`${path}: cannot ${action}, the database is not writable (${code})`);
  }
  if (code === 'SQLITE_FULL') return new StoreError(`${path}: cannot ${action}, the disk is full`);
  if (code.startsWith('SQLITE_CONSTRAINT')) return new ConstraintError(`cannot ${action}: ${err.message}`);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StoreCorruptError(`${path}: not a valid RetinaStudio database (${err.message})`);
  }
  return err;
}

function assertWritable(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new StoreReadOnlyError(`${path}: the database or its folder is not writable (${code})`);
  }
}

/**
 * Opens (creating and migrating as needed) a store. The checks that can refuse a file run before anything is
 * written to it: a newer schema or a failed integrity check leaves the file byte-for-byte as it was.
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const file = resolve(path);
  const readonly = opts.readonly ?? false;
  const create = opts.create ?? !readonly;
  if (!existsSync(file)) {
    if (!create) throw new NotFoundError(`${file}: no such database (run \`retina db init\` first)`);
  }
  if (!readonly) assertWritable(file);

  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: !create });
  } catch (err) {
    throw translateSqliteError(err, file, 'open the database');
  }
  try {
    db.pragma('busy_timeout = 5000');
    const version = readVersion(db, file);
    if (version > SCHEMA_VERSION) {
      throw new SchemaTooNewError(
        `${file}: database schema v${version} is newer than this RetinaStudio supports (v${SCHEMA_VERSION}); ` +
          'upgrade RetinaStudio',
      );
    }
    checkIntegrity(db, file);
    if (readonly) {
      if (version < SCHEMA_VERSION) {
        throw new StoreError(
          `${file}: schema v${version} needs an upgrade to v${SCHEMA_VERSION}; open it writable once`,
        );
      }
    } else {
      db.pragma('journal_mode = WAL');
      // FULL: a committed row never points at a blob or WAL frame that a power cut could lose.
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    const store = new Store(db, file, readonly);
    if (!readonly) migrate(store, opts.targetVersion ?? SCHEMA_VERSION);
    return store;
  } catch (err) {
    db.close();
    throw translateSqliteError(err, file, 'open the database');
  }
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

/** Applies the pending migrations, each with its version bump in one transaction. */
export function migrate(store: Store, target: number = SCHEMA_VERSION): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= store.schemaVersion || m.version > target) continue;
    store.db.transaction(() => {
      store.db.exec(m.sql);
      const violations = store.db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new StoreCorruptError(`${store.path}: migration ${m.version} would break foreign keys`);
      }
      store.db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
