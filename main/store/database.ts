// Opening, checking and migrating the study database, and the one write-transaction helper every repository
// function goes through (so each change and its audit row commit together or not at all). The database is a
// SQLite file for one user (sqlite-backend.ts) or a PostgreSQL database for a team (postgres/), behind the same
// synchronous repository API.
import { SchemaTooNewError, SchemaTooOldError, StoreReadOnlyError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
import type { SqlDatabase, StoreBackendKind } from './sql.js';

export interface OpenStoreOptions {
  /** Open without writing anything: no migration, no WAL switch; writes throw StoreReadOnlyError. */
  readonly?: boolean;
  /** Create the database when missing (default true unless readonly); PostgreSQL: create the schema. */
  create?: boolean;
  /** Stop migrating at this version (tests build databases of earlier versions with it). */
  targetVersion?: number;
  /**
   * Upgrade a study made by an earlier RetinaStudio to this version's schema (default true for a writable
   * opening). False: such a study is refused, saying how to upgrade it; commands that only read (check, export,
   * backup) leave it as it is.
   */
  upgrade?: boolean;
  /**
   * PostgreSQL only: the team's shared folder (image and mask files, models, run artefacts). Recorded in the
   * database when it is created, so every machine finds it; given again it overrides that record (a share mounted
   * at another path on this machine). RETINA_SHARED_DIR does the same.
   */
  sharedDir?: string;
}

export interface StoreHooks {
  /** Called inside every write transaction just before it commits (tests use it to kill the process there). */
  beforeCommit?: (action: string) => void;
  /** Called as every write starts, before its transaction (tests use it to act between a file and its row). */
  beforeWrite?: (action: string) => void;
}

/** What differs between the SQLite file and a PostgreSQL database; everything else is shared SQL. */
export interface StoreBackend {
  readonly kind: StoreBackendKind;
  readonly db: SqlDatabase;
  schemaVersion(): number;
  /** Runs `fn` in one write transaction that commits or rolls back whole (nested calls join it). */
  transaction<T>(fn: () => T): T;
  /** Applies one migration (its SQL, then `data`) with its version bump in one transaction. */
  applyMigration(m: Migration, data?: () => void): void;
  /** The schema's tables (not the backend's own bookkeeping). */
  tables(): string[];
  /** `expr` folded for a case-insensitive search, in this database's SQL (sql.ts, searchFoldSql). */
  searchFoldSql(expr: string): string;
  /**
   * Whether the database can hold `text`: a PostgreSQL database in another encoding than UTF8 holds only its
   * encoding's characters (a search for any other finds nothing, rather than failing to convert).
   */
  holdsText(text: string): boolean;
  /** Runs `fn` reading one consistent snapshot of the database. */
  snapshot<T>(fn: () => T): T;
  /**
   * Runs `fn` (a write that erases rows) so that the erased data is overwritten in the database's files rather
   * than only freed for reuse, as far as the backend allows.
   */
  scrubbing<T>(fn: () => T): T;
  /**
   * After an erasure committed: rewrites what can still hold the erased rows (free pages, the journal). Null when
   * nothing does any more, else where they linger, in words.
   */
  compactAfterErasure(): string | null;
  /** Inside a write transaction: foreign keys are checked at its commit rather than at each row. */
  deferForeignKeys(): void;
  /** After rows were inserted with their ids given: new rows continue after the highest id. */
  afterBulkInsert(table: string): void;
  /** 'ok' alone when the database's own consistency check passes, else its findings. */
  integrity(): string[];
  foreignKeyViolations(): number;
  /** The store's error for a driver error (anything unknown passes through). */
  translateError(err: unknown, action: string): unknown;
  close(): void;
}

export class Store {
  /** Internal: repository modules only. Nothing outside main/store issues SQL. */
  readonly db: SqlDatabase;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly path: string;
  /** Content-addressed blobs: `<db>.files/ab/cdef...`, or the team's shared folder's `files/`. */
  readonly filesDir: string;
  readonly readonly: boolean;
  readonly backend: StoreBackend;
  /** Opening upgraded a study made by an earlier version: the copy of its database kept at that version. */
  preUpgradeCopy: string | null = null;
  /** Where files that belong to this database but not in it live: model folders, run artefacts, settings. */
  private readonly sideBase: (name: string) => string;
  hooks: StoreHooks = {};

  constructor(backend: StoreBackend, path: string, readonly: boolean, sideBase?: (name: string) => string) {
    this.backend = backend;
    this.db = backend.db;
    this.path = path;
    this.sideBase = sideBase ?? ((name) => `${path}.${name}`);
    this.filesDir = this.beside('files');
    this.readonly = readonly;
  }

  get kind(): StoreBackendKind {
    return this.backend.kind;
  }

  get schemaVersion(): number {
    return this.backend.schemaVersion();
  }

  /** `<db>.NAME` beside a SQLite file; `<shared folder>/NAME` for a PostgreSQL store. */
  beside(name: 'files' | 'models' | 'runs' | 'retrain.json'): string {
    return this.sideBase(name);
  }

  /** Runs `fn` in one write transaction (IMMEDIATE on SQLite, serialised on PostgreSQL); any throw rolls back. */
  write<T>(action: string, fn: () => T): T {
    if (this.readonly) throw new StoreReadOnlyError(`${this.path}: opened read-only, cannot ${action}`);
    this.hooks.beforeWrite?.(action);
    try {
      return this.backend.transaction(() => {
        const result = fn();
        this.hooks.beforeCommit?.(action);
        return result;
      });
    } catch (err) {
      throw this.backend.translateError(err, action);
    }
  }

  close(): void {
    this.backend.close();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Refuses a database whose schema is newer than this build, or older when it is not to be upgraded (read-only,
 * or `upgrade: false`): the message says how to upgrade it.
 */
export function checkSchemaVersion(version: number, where: string, leaveOlder: boolean): void {
  if (version > SCHEMA_VERSION) {
    throw new SchemaTooNewError(
      `${where}: database schema v${version} is newer than this RetinaStudio supports (v${SCHEMA_VERSION}); ` +
        'upgrade RetinaStudio',
    );
  }
  if (leaveOlder && version > 0 && version < SCHEMA_VERSION) {
    throw new SchemaTooOldError(
      `${where} was made by an earlier RetinaStudio (schema v${version}; this version uses v${SCHEMA_VERSION}) ` +
        `and is left as it is. \`retina db init --database ${where}\` upgrades it (a SQLite study keeps a copy ` +
        `at v${version} beside it); an earlier RetinaStudio cannot open it after that`,
    );
  }
}

/** Applies the pending migrations, each with its version bump in one transaction (refused if it breaks a foreign key). */
export function migrate(store: Store, target: number = SCHEMA_VERSION): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= store.schemaVersion || m.version > target) continue;
    const data = m.data;
    store.backend.applyMigration(m, data && (() => data(store.db, store.beside('models'))));
    applied.push(m.version);
  }
  return applied;
}
