// The team store: a PostgreSQL database for the rows, a shared folder for the files (images, masks, models, run
// artefacts), the folder recorded in the database itself so that every machine finds it.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { checkSchemaVersion, migrate, Store, type OpenStoreOptions, type StoreBackend } from '../database.js';
import {
  ConstraintError,
  DatabaseUnreachableError,
  NotFoundError,
  StoreError,
  StoreReadOnlyError,
} from '../errors.js';
import { SCHEMA_VERSION, type Migration } from '../schema.js';
import { redactUrl, searchFoldSql } from '../sql.js';
import { ACCENT_FOLDS } from '../../../shared/search-fold.js';
import { connectionFailed, PgBridgeError, PgConnection } from './pg-bridge.js';
import { PostgresDatabase } from './postgres-database.js';
import { postgresMigrationSql } from './postgres-schema.js';

/** Every write transaction takes this advisory lock first: writes are serialised as SQLite's IMMEDIATE does. */
const WRITE_LOCK = 0x7265_7469; // "reti"

const META_TABLE = `CREATE TABLE IF NOT EXISTS retina_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`;

class PostgresBackend implements StoreBackend {
  readonly kind = 'postgres' as const;
  readonly db: PostgresDatabase;
  private depth = 0;

  constructor(
    readonly conn: PgConnection,
    private readonly where: string,
  ) {
    this.db = new PostgresDatabase(conn);
  }

  meta(key: string): string | null {
    const rows = this.conn.query('SELECT value FROM retina_meta WHERE key = $1', [key]).rows as {
      value: string;
    }[];
    return rows[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.conn.query(
      'INSERT INTO retina_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
      [key, value],
    );
  }

  schemaVersion(): number {
    return Number(this.meta('schema_version') ?? 0);
  }

  /** The server's encoding, asked once, at the first search. */
  private encoding: string | null = null;

  /** Whether the server's encoding is UTF8 (NORMALIZE works in no other). */
  private isUtf8(): boolean {
    if (this.encoding === null) {
      const rows = this.conn.query("SELECT current_setting('server_encoding') AS encoding").rows as {
        encoding: string;
      }[];
      this.encoding = rows[0]?.encoding.toUpperCase() ?? '';
    }
    return this.encoding === 'UTF8';
  }

  /** Where the encoding is not UTF8: searchFold's accent table, less the letters the encoding cannot hold. */
  private accentFolds: readonly (readonly [string, string])[] | null = null;

  private searchAccentFolds(): readonly (readonly [string, string])[] {
    // SQL_ASCII is bytes, not letters: TRANSLATE would map each byte of a letter on its own. Any other (LATIN1 and
    // the like, an older team server's) is asked once, all letters together.
    if (this.accentFolds === null) {
      const held =
        this.encoding === 'SQL_ASCII' ? [] : this.heldTexts(ACCENT_FOLDS.map(([letter]) => letter));
      this.accentFolds = ACCENT_FOLDS.filter((_, i) => held[i]);
    }
    return this.accentFolds;
  }

  searchFoldSql(expr: string): string {
    if (this.isUtf8()) return searchFoldSql(this.kind, expr);
    return searchFoldSql(this.kind, expr, false, this.searchAccentFolds());
  }

  holdsText(text: string): boolean {
    // Printable ASCII is in every server encoding; otherwise the server is asked.
    return this.isUtf8() || /^[\x20-\x7e]*$/.test(text) || this.heldTexts([text])[0];
  }

  /**
   * Which of `texts` the server's encoding holds. Sending one it cannot hold fails the statement (22P05), and each
   * such failure was an ERROR line (and its statement) in the server's log, a search at a time, for the team's DBA
   * to puzzle over. The texts go as UTF-8 hex instead, converted inside a block that catches the failure (nothing
   * logged, no savepoint needed in a transaction: the block is its own), its answers left in a session setting.
   */
  private heldTexts(texts: readonly string[]): boolean[] {
    if (texts.length === 0) return [];
    const hex = texts.map((t) => `'${Buffer.from(t, 'utf8').toString('hex')}'`).join(',');
    this.conn.query(`DO $retina$
      DECLARE held text := ''; t text;
      BEGIN
        FOREACH t IN ARRAY ARRAY[${hex}]::text[] LOOP
          BEGIN
            PERFORM convert_from(decode(t, 'hex'), 'UTF8');
            held := held || '1';
          EXCEPTION WHEN untranslatable_character OR character_not_in_repertoire THEN
            held := held || '0';
          END;
        END LOOP;
        PERFORM set_config('retina.held_texts', held, false);
      END $retina$`);
    const rows = this.conn.query("SELECT current_setting('retina.held_texts') AS held").rows as {
      held: string;
    }[];
    const held = rows[0]?.held ?? '';
    return texts.map((_, i) => held[i] === '1');
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) {
      // Nested: a savepoint, as better-sqlite3 does for a transaction inside a transaction.
      const name = `s${this.depth}`;
      this.conn.query(`SAVEPOINT ${name}`);
      this.depth++;
      try {
        const result = fn();
        this.conn.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        this.conn.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw err;
      } finally {
        this.depth--;
      }
    }
    this.depth = 1;
    try {
      // One round trip for both.
      this.conn.query(`BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      // Under the lock: a newer RetinaStudio may have upgraded the database since this process opened it, and rows
      // written as this version knows them would miss what its schema keeps (as SqliteBackend.transaction checks).
      checkSchemaVersion(this.schemaVersion(), this.where, false);
      const result = fn();
      this.conn.query('COMMIT');
      return result;
    } catch (err) {
      try {
        this.conn.query('ROLLBACK');
      } catch {
        // The connection itself failed; the server rolls the transaction back when it notices.
      }
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  applyMigration(m: Migration, data?: () => void): void {
    this.transaction(() => {
      // Read again under the write lock: another process opening the same database at the same moment (a server
      // starting while `retina db init` runs) may have applied it since this one read the version.
      if (this.schemaVersion() >= m.version) return;
      const sql = postgresMigrationSql(m);
      if (sql.trim()) this.conn.query(sql);
      data?.();
      this.setMeta('schema_version', String(m.version));
    });
  }

  tables(): string[] {
    return (
      this.conn.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'retina_meta' ORDER BY tablename",
        [],
        'array',
      ).rows as string[][]
    ).map((r) => r[0]);
  }

  snapshot<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.conn.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    this.depth = 1;
    try {
      return fn();
    } finally {
      this.depth = 0;
      this.conn.query('COMMIT');
    }
  }

  scrubbing<T>(fn: () => T): T {
    // PostgreSQL keeps deleted rows' old tuples until VACUUM reclaims them (autovacuum does, soon after); SQL
    // cannot overwrite them in place. The rows are gone for every query at the commit.
    return fn();
  }

  compactAfterErasure(): string | null {
    return (
      'the team database (PostgreSQL) keeps old versions of the erased rows in its files until its VACUUM ' +
      'reclaims them (autovacuum does, usually within minutes), and in its write-ahead log until that is recycled'
    );
  }

  deferForeignKeys(): void {
    this.conn.query('SET CONSTRAINTS ALL DEFERRED');
  }

  afterBulkInsert(table: string): void {
    // Only identity keys have a sequence (the jobs table's key is a UUID given by pg-boss).
    const hasId = this.conn.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id' AND data_type = 'integer'",
      [table],
    ).rows.length;
    if (!hasId) return;
    this.conn.query(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false)`,
      [table],
    );
  }

  integrity(): string[] {
    // PostgreSQL checks its pages itself (and refuses to start on a damaged cluster); there is no cheap
    // whole-database check like SQLite's integrity_check to run here.
    return ['ok'];
  }

  foreignKeyViolations(): number {
    // Enforced on every statement (deferred ones at commit): a committed violation cannot exist.
    return 0;
  }

  translateError(err: unknown, action: string): unknown {
    return translatePostgresError(err, this.where, action);
  }

  close(): void {
    this.conn.close();
  }
}

/** PostgreSQL's SQLSTATEs as the store's errors; anything else passes through unchanged. */
export function translatePostgresError(err: unknown, where: string, action: string): unknown {
  if (err instanceof StoreError || !(err instanceof PgBridgeError)) return err;
  const code = err.code ?? '';
  if (code.startsWith('23')) return new ConstraintError(`cannot ${action}: ${err.message}`);
  if (code === '53100')
    return new StoreError(`${where}: cannot ${action}, the database server's disk is full`);
  if (code === '25006' || code === '42501') {
    return new StoreReadOnlyError(
      `${where}: cannot ${action}, the database is not writable (${err.message})`,
    );
  }
  if (connectionFailed(err)) {
    return new DatabaseUnreachableError(
      `${where}: cannot ${action}, the database server is unreachable (${err.message}); try again when it is back`,
    );
  }
  return new StoreError(`${where}: cannot ${action}: ${err.message}`);
}

function connect(url: string, where: string): PgConnection {
  try {
    return new PgConnection(url, `retinastudio@${hostname()}`);
  } catch (err) {
    const e = err as PgBridgeError;
    if (e.code === '3D000')
      throw new NotFoundError(`${where}: no such database (create it, then \`retina db init\`)`);
    // node-postgres's words for a server that asks for a password none was given for.
    if (/client password must be a string/.test(e.message))
      throw new StoreError(
        `${where}: PostgreSQL asks for a password and none was given: put it in the URL, or set PGPASSWORD ` +
          '(or a ~/.pgpass file)',
      );
    throw new StoreError(`${where}: cannot connect to PostgreSQL (${e.message})`);
  }
}

export function openPostgresStore(url: string, opts: OpenStoreOptions = {}): Store {
  const where = redactUrl(url);
  const readonly = opts.readonly ?? false;
  const create = opts.create ?? !readonly;
  const conn = connect(url, where);
  try {
    const backend = new PostgresBackend(conn, where);
    const hasMeta =
      (conn.query("SELECT to_regclass('retina_meta') IS NOT NULL AS present").rows[0] as { present: number })
        .present === 1;
    // A database whose schema was never made (only the version table an earlier, failed opening left) is no
    // study yet either: a command that only reads must not make one.
    const fresh = !hasMeta || backend.schemaVersion() === 0;
    if (fresh && !create)
      throw new NotFoundError(
        `${where}: not a RetinaStudio database yet (run \`retina db init --database URL --shared-dir DIR\`)`,
      );
    if (!hasMeta) conn.query(META_TABLE);
    checkSchemaVersion(backend.schemaVersion(), where, readonly || opts.upgrade === false);
    const sharedDir = sharedFolder(backend, opts, where, readonly, fresh);
    const store = new Store(backend, where, readonly, (name) => join(sharedDir, name));
    if (!readonly) migrate(store, opts.targetVersion ?? SCHEMA_VERSION);
    return store;
  } catch (err) {
    conn.close();
    throw translatePostgresError(err, where, 'open the database');
  }
}

/** The shared folder: as given (recorded when the database has none yet), else as recorded. */
function sharedFolder(
  backend: PostgresBackend,
  opts: OpenStoreOptions,
  where: string,
  readonly: boolean,
  fresh: boolean,
): string {
  const given = opts.sharedDir ?? process.env.RETINA_SHARED_DIR;
  const recorded = backend.meta('shared_dir');
  if (given) {
    const dir = resolve(given);
    if (recorded === null && !readonly) backend.setMeta('shared_dir', dir);
    return dir;
  }
  if (recorded !== null) return recorded;
  if (fresh)
    throw new StoreError(
      `${where}: not a RetinaStudio database yet: run \`retina db init --database URL --shared-dir DIR\` once ` +
        "(the shared folder holds the team's image and mask files)",
    );
  throw new StoreError(
    `${where}: a team database keeps its image and mask files in a shared folder; give it once with ` +
      '--shared-dir DIR (or RETINA_SHARED_DIR), e.g. at `retina db init`',
  );
}
