// The content-addressed blob store beside the database: `<db>.files/ab/cdef...` named by the SHA-256 of the
// bytes. Blobs are written before the transaction that references them commits (temp file, fsync, rename), so a
// committed row never points at a missing or partial blob; a blob whose transaction never committed is an
// orphan, which is harmless.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from './database.js';
import { StoreError, StoreReadOnlyError } from './errors.js';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function blobPath(store: Store, hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new StoreError(`not a blob address: ${hash}`);
  return join(store.filesDir, hash.slice(0, 2), hash.slice(2));
}

export function hasBlob(store: Store, hash: string): boolean {
  return existsSync(blobPath(store, hash));
}

/** Stores `bytes` (once) and returns their hash. */
export async function putBlob(store: Store, bytes: Uint8Array, knownHash?: string): Promise<string> {
  if (store.readonly) throw new StoreReadOnlyError(`${store.path}: opened read-only, cannot store files`);
  const hash = knownHash ?? sha256(bytes);
  const target = blobPath(store, hash);
  if (existsSync(target)) return hash;
  const dir = join(store.filesDir, hash.slice(0, 2));
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    await syncDir(dir);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
      throw new StoreReadOnlyError(`${store.filesDir}: file store is not writable (${code})`);
    }
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new StoreError(`${store.filesDir}: the disk is full (${code})`);
    throw err;
  }
  return hash;
}

/** fsync of the folder makes the rename itself durable; not supported on every platform, hence best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open folders for fsync; NTFS journals the rename anyway.
  }
}

export async function readBlob(store: Store, hash: string): Promise<Buffer> {
  const path = blobPath(store, hash);
  try {
    return await readFile(path);
  } catch (err) {
    throw new StoreError(
      `${path}: blob missing or unreadable (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
}
