// Copies one study database into another, empty one, across backends (a single user's SQLite file into a team's
// PostgreSQL database, or a team database into a SQLite snapshot for a backup): every table's rows with their
// ids, then every file the rows refer to. Nothing is taken on trust: afterwards both sides' row counts and content
// hashes are compared table by table, and every copied file's bytes are hashed against its name.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from './database.js';
import { COMPACTION_SINCE, referencedBlobs } from './blobs-referenced.js';
import { StoreError } from './errors.js';
import { sha256 } from './file-store.js';

export interface TableCopy {
  table: string;
  rows: number;
  /** SHA-256 over the table's rows (sorted, canonical JSON): equal on both sides. */
  hash: string;
}

export interface CopyReport {
  from: string;
  to: string;
  schemaVersion: number;
  tables: TableCopy[];
  blobsCopied: number;
  blobsPresent: number;
}

const NAME = /^[a-z_][a-z0-9_]*$/;
const BATCH = 500;

type Row = Record<string, unknown>;

function checkedName(table: string): string {
  if (!NAME.test(table)) throw new StoreError(`unexpected table name '${table}'`);
  return table;
}

/** The table's rows, by id where it has one (so a copy inserts them in their original order). */
function readTable(store: Store, table: string): Row[] {
  const first = store.db.prepare(`SELECT * FROM ${checkedName(table)} LIMIT 1`).get() as Row | undefined;
  if (!first) return [];
  const order = 'id' in first ? ' ORDER BY id' : '';
  return store.db.prepare(`SELECT * FROM ${table}${order}`).all() as Row[];
}

/** A value as both backends give it back: bytes as hex, everything else as JSON has it. */
function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return value;
}

/** Independent of row order and of each backend's text collation: the rows' canonical lines, sorted. */
function tableHash(rows: readonly Row[]): string {
  const lines = rows.map((row) =>
    JSON.stringify(
      Object.keys(row)
        .sort()
        .map((k) => [k, canonical(row[k])]),
    ),
  );
  lines.sort();
  const h = createHash('sha256');
  for (const line of lines) h.update(line + '\n');
  return h.digest('hex');
}

function insertRows(store: Store, table: string, rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]).map(checkedName);
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    store.db
      .prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${batch.map(() => tuple).join(', ')}`)
      .run(...batch.flatMap((r) => columns.map((c) => r[c])));
  }
}

function summarise(store: Store, tables: readonly string[]): TableCopy[] {
  return store.backend.snapshot(() =>
    tables.map((table) => {
      const rows = readTable(store, table);
      return { table, rows: rows.length, hash: tableHash(rows) };
    }),
  );
}

/** Copies `from` into `to`, which must be empty and at the same schema version. */
export async function copyStore(
  from: Store,
  to: Store,
  opts: { blobsTo?: string | null; onProgress?: (message: string) => void } = {},
): Promise<CopyReport> {
  if (from.schemaVersion !== to.schemaVersion) {
    throw new StoreError(
      `${from.path} is at schema v${from.schemaVersion} and ${to.path} at v${to.schemaVersion}: open both ` +
        'with this RetinaStudio first',
    );
  }
  const tables = from.backend.tables();
  const missing = tables.filter((t) => !to.backend.tables().includes(t));
  if (missing.length > 0) throw new StoreError(`${to.path} lacks the tables ${missing.join(', ')}`);
  const { data, blobs } = from.backend.snapshot(() => ({
    data: tables.map((table) => ({ table, rows: readTable(from, table) })),
    blobs: referencedBlobs(from.db, from.schemaVersion >= COMPACTION_SINCE),
  }));
  to.write('copy a database', () => {
    const busy = tables.filter((t) => to.db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined);
    if (busy.length > 0) {
      throw new StoreError(
        `${to.path} is not empty (${busy.join(', ')} hold rows): copy into a new database`,
      );
    }
    to.backend.deferForeignKeys();
    for (const { table, rows } of data) {
      opts.onProgress?.(`${table}: ${rows.length} rows`);
      insertRows(to, table, rows);
      to.backend.afterBulkInsert(table);
    }
  });

  // null: rows only (a backup without its files).
  const blobDir = opts.blobsTo === undefined ? to.filesDir : opts.blobsTo;
  let copied = 0;
  let present = 0;
  for (const hash of blobs) {
    if (blobDir === null) break;
    const target = join(blobDir, hash.slice(0, 2), hash.slice(2));
    if (existsSync(target)) {
      present++;
      continue;
    }
    const source = join(from.filesDir, hash.slice(0, 2), hash.slice(2));
    if (!existsSync(source))
      throw new StoreError(`${from.path}: file ${hash} is missing (run \`retina db check\`)`);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    await copyFile(source, tmp);
    if (sha256(await readFile(tmp)) !== hash) {
      await rm(tmp, { force: true });
      throw new StoreError(
        `${from.path}: file ${hash} does not hash to its name (run \`retina db check --verify\`)`,
      );
    }
    await rename(tmp, target);
    copied++;
  }

  const expected = data.map(({ table, rows }) => ({ table, rows: rows.length, hash: tableHash(rows) }));
  const actual = summarise(to, tables);
  for (const [i, e] of expected.entries()) {
    const a = actual[i];
    if (a.rows !== e.rows || a.hash !== e.hash) {
      throw new StoreError(
        `${to.path}: table ${e.table} differs after the copy (${a.rows} rows, expected ${e.rows}); ` +
          'the copy is not complete',
      );
    }
  }
  return {
    from: from.path,
    to: to.path,
    schemaVersion: to.schemaVersion,
    tables: expected,
    blobsCopied: copied,
    blobsPresent: present,
  };
}
