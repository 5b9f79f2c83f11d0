// Online backup: SQLite's backup API copies a consistent snapshot while the store stays in use; the blobs that
// snapshot refers to are copied beside it (`<backup>.files/`), skipping those already there, so repeated backups
// to the same place are incremental.
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { checkIntegrity, type Store } from './database.js';
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
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    const result = await store.db.backup(tmp, {
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
      bytes: result.totalPages * (store.db.pragma('page_size', { simple: true }) as number),
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
