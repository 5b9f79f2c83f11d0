// Online backup: SQLite's backup API copies a consistent snapshot while the store stays in use; the blobs that
// snapshot refers to are copied beside it (`<backup>.files/`), skipping those already there, so repeated backups
// to the same place are incremental. A team (PostgreSQL) database is backed up the same way into a SQLite file:
// one consistent snapshot copied row for row (copy.ts), which any RetinaStudio opens and `db copy` restores.
import { access, copyFile, cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './database.js';
import { checkIntegrity, openSqliteStore, sqliteConnection } from './sqlite-backend.js';
import { copyStore } from './copy.js';
import { referencedBlobs } from './blobs-referenced.js';
import { StoreError } from './errors.js';
import { blobPath } from './file-store.js';

export interface BackupResult {
  path: string;
  bytes: number;
  blobsCopied: number;
  blobsPresent: number;
  /** Model folders of the database's own (its retrained models, `<db>.models/`) copied to `<backup>.models/`. */
  modelsCopied: number;
}

export async function backupStore(
  store: Store,
  destination: string,
  opts: { includeFiles?: boolean; onProgress?: (remainingPages: number, totalPages: number) => void } = {},
): Promise<BackupResult> {
  const dest = resolve(destination);
  if (dest === store.path) throw new StoreError(`${dest}: a backup cannot overwrite the database itself`);
  await assertBackupTarget(dest);
  const sqlite = sqliteConnection(store);
  if (!sqlite) return backupToSqlite(store, dest, opts.includeFiles ?? true);
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    const result = await sqlite.backup(tmp, {
      progress: ({ totalPages, remainingPages }) => {
        opts.onProgress?.(remainingPages, totalPages);
        return 256;
      },
    });
    // The copy is verified before it replaces an older backup, and made one self-contained file: the snapshot
    // keeps the database's WAL mode, whose every opening leaves -wal and -shm files beside it.
    const copy = new Database(tmp);
    try {
      copy.pragma('journal_mode = DELETE');
      checkIntegrity(copy, tmp);
    } finally {
      copy.close();
    }
    await rename(tmp, dest);
    let copied = 0;
    let present = 0;
    if (opts.includeFiles ?? true) {
      const snapshot = new Database(dest, { readonly: true });
      let hashes: string[];
      try {
        hashes = referencedBlobs(snapshot);
      } finally {
        snapshot.close();
      }
      for (const hash of hashes) {
        const target = join(`${dest}.files`, hash.slice(0, 2), hash.slice(2));
        if (existsSync(target)) {
          present++;
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        await copyFile(blobPath(store, hash), `${target}.tmp`);
        await rename(`${target}.tmp`, target);
        copied++;
      }
    }
    return {
      path: dest,
      bytes: result.totalPages * (sqlite.pragma('page_size', { simple: true }) as number),
      blobsCopied: copied,
      blobsPresent: present,
      modelsCopied: opts.includeFiles === false ? 0 : await copyOwnModels(store, dest),
    };
  } catch (err) {
    await removeDatabaseFile(tmp);
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      `${dest}: backup failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    );
  }
}

/**
 * The model folders the database keeps beside itself (`<db>.models/`: its retrained models, the active one among
 * them), copied to `<backup>.models/` and the backup's registry pointed at the copies. Without them a backup
 * restored after the disk was lost named models that no longer exist, and the first retrain failed on them. A
 * folder already in the backup is kept (a registered model's files never change); models elsewhere (the bundled
 * ones, a folder trained by hand) are not the database's and keep their paths.
 */
async function copyOwnModels(store: Store, dest: string): Promise<number> {
  const own = store.beside('models');
  const models = store.db.prepare('SELECT id, dir_path FROM models').all() as {
    id: number;
    dir_path: string;
  }[];
  const moved: { id: number; to: string }[] = [];
  for (const m of models) {
    const rel = relative(own, m.dir_path);
    if (!rel || rel.startsWith('..') || rel.startsWith(sep) || !existsSync(m.dir_path)) continue;
    const to = join(`${dest}.models`, rel);
    if (!existsSync(to)) {
      await mkdir(dirname(to), { recursive: true });
      // A copy an interrupted backup left half-made is not merged into.
      await rm(`${to}.tmp`, { recursive: true, force: true });
      await cp(m.dir_path, `${to}.tmp`, { recursive: true });
      await rename(`${to}.tmp`, to);
    }
    moved.push({ id: m.id, to });
  }
  if (moved.length > 0) {
    const backup = new Database(dest);
    try {
      const update = backup.prepare('UPDATE models SET dir_path = ? WHERE id = ?');
      backup.transaction(() => moved.forEach((m) => update.run(m.to, m.id)))();
    } finally {
      backup.close();
    }
  }
  return moved.length;
}

/** Where a backup may go: a file's path (not a folder) in a folder this user can write (made when missing). */
async function assertBackupTarget(dest: string): Promise<void> {
  if ((await stat(dest).catch(() => null))?.isDirectory())
    throw new StoreError(
      `${dest} is a folder: give the backup file's path, e.g. ${join(dest, 'retina-backup.db')}`,
    );
  try {
    await mkdir(dirname(dest), { recursive: true });
    await access(dirname(dest), constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new StoreError(`${dest}: cannot write the backup in ${dirname(dest)} (${code})`);
  }
}

/** A SQLite file and the journal files an interrupted opening may have left beside it. */
async function removeDatabaseFile(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(path + suffix, { force: true });
}

/** A team database's snapshot as a new SQLite file (replacing an older backup only once it is complete). */
async function backupToSqlite(store: Store, dest: string, includeFiles: boolean): Promise<BackupResult> {
  const tmp = `${dest}.tmp-${process.pid}`;
  await removeDatabaseFile(tmp);
  const copy = openSqliteStore(tmp);
  try {
    const r = await copyStore(store, copy, { blobsTo: includeFiles ? `${dest}.files` : null });
    sqliteConnection(copy)?.pragma('journal_mode = DELETE');
    copy.close();
    await rename(tmp, dest);
    return {
      path: dest,
      bytes: (await stat(dest)).size,
      blobsCopied: r.blobsCopied,
      blobsPresent: r.blobsPresent,
      modelsCopied: includeFiles ? await copyOwnModels(store, dest) : 0,
    };
  } catch (err) {
    copy.close();
    await removeDatabaseFile(tmp);
    throw err;
  }
}
