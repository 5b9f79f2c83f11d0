// Online backup: SQLite's backup API copies a consistent snapshot while the store stays in use; the blobs that
// snapshot refers to are copied beside it (`<backup>.files/`), skipping those already there, so repeated backups
// to the same place are incremental. A team (PostgreSQL) database is backed up the same way into a SQLite file:
// one consistent snapshot copied row for row (copy.ts), which any RetinaStudio opens and `db copy` restores.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
}

export async function backupStore(
  store: Store,
  destination: string,
  opts: { includeFiles?: boolean; onProgress?: (remainingPages: number, totalPages: number) => void } = {},
): Promise<BackupResult> {
  const dest = resolve(destination);
  if (dest === store.path) throw new StoreError(`${dest}: a backup cannot overwrite the database itself`);
  await mkdir(dirname(dest), { recursive: true });
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
    // The copy is verified before it replaces an older backup.
    const copy = new Database(tmp, { readonly: true });
    try {
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
    };
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      `${dest}: backup failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    );
  }
}

/** A team database's snapshot as a new SQLite file (replacing an older backup only once it is complete). */
async function backupToSqlite(store: Store, dest: string, includeFiles: boolean): Promise<BackupResult> {
  const tmp = `${dest}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  const copy = openSqliteStore(tmp);
  try {
    const r = await copyStore(store, copy, { blobsTo: includeFiles ? `${dest}.files` : null });
    copy.close();
    await rename(tmp, dest);
    return {
      path: dest,
      bytes: (await stat(dest)).size,
      blobsCopied: r.blobsCopied,
      blobsPresent: r.blobsPresent,
    };
  } catch (err) {
    copy.close();
    await rm(tmp, { force: true });
    throw err;
  }
}
