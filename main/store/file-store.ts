// The blob store: image and mask files addressed by the SHA-256 of their bytes, behind one interface (BlobStore)
// so that where they live is one decision. The one implementation is a folder (`<db>.files/ab/cdef...` beside a
// SQLite file; a PostgreSQL store's shared folder, an NFS or SMB mount every team machine sees, for a team).
// Blobs are written before the transaction that references them commits (temp file, fsync, rename within the
// blob's own directory, which is atomic on local disks and on NFS alike), so a committed row never points at a
// missing or partial blob; a blob whose transaction never committed is an orphan, harmless, which `retina db compact`
// removes once old (leftover-files.ts).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from './database.js';
import { StoreError, StoreReadOnlyError } from './errors.js';

export interface BlobStore {
  /** Where the blobs are, for messages. */
  readonly location: string;
  /** Stores `bytes` (once) and returns their hash. */
  put(bytes: Uint8Array, knownHash?: string): Promise<string>;
  get(hash: string): Promise<Buffer>;
  has(hash: string): boolean;
  /** A local file holding the blob, for code that reads files itself (decoders, exports, backups). */
  path(hash: string): string;
  /** Removes a blob nothing refers to any more (the caller checks that); absent blobs are fine. */
  delete(hash: string): Promise<void>;
  /** The same, at once (inside a write, so that no import of the same bytes commits between check and removal); the bytes freed. */
  deleteNow(hash: string): number;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkAddress(hash: string): void {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new StoreError(`not a blob address: ${hash}`);
}

/** Blobs as files in a folder, two hex digits of fan-out. */
export class FolderBlobStore implements BlobStore {
  constructor(
    readonly location: string,
    private readonly opts: {
      readonly: boolean;
      owner: string;
      /** Mode of the folders made (a single user's study: 0o700); default: the umask's (a team's shared folder). */
      folderMode?: number;
    },
  ) {}

  path(hash: string): string {
    checkAddress(hash);
    return join(this.location, hash.slice(0, 2), hash.slice(2));
  }

  has(hash: string): boolean {
    return existsSync(this.path(hash));
  }

  async put(bytes: Uint8Array, knownHash?: string): Promise<string> {
    if (this.opts.readonly)
      throw new StoreReadOnlyError(`${this.opts.owner}: opened read-only, cannot store files`);
    const hash = knownHash ?? sha256(bytes);
    const target = this.path(hash);
    // A file already there may be a leftover (an import killed before its commit) that `retina db compact` removes
    // once old: its mtime made now keeps it for the row about to name it. Gone meanwhile: written anew.
    if (existsSync(target) && (await refreshed(target))) return hash;
    const dir = join(this.location, hash.slice(0, 2));
    // Unique per process and call: two machines writing the same blob at once each rename a whole file.
    const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true, mode: this.opts.folderMode });
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
        throw new StoreReadOnlyError(`${this.location}: file store is not writable (${code})`);
      }
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw new StoreError(`${this.location}: the disk is full (${code})`);
      throw err;
    }
    return hash;
  }

  async get(hash: string): Promise<Buffer> {
    const path = this.path(hash);
    try {
      return await readFile(path);
    } catch (err) {
      throw new StoreError(
        `${path}: blob missing or unreadable (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
  }

  async delete(hash: string): Promise<void> {
    this.refuseIfReadOnly();
    await rm(this.path(hash), { force: true });
  }

  deleteNow(hash: string): number {
    this.refuseIfReadOnly();
    let size = 0;
    try {
      size = statSync(this.path(hash)).size;
    } catch {
      return 0; // already gone
    }
    rmSync(this.path(hash), { force: true });
    return size;
  }

  private refuseIfReadOnly(): void {
    if (this.opts.readonly)
      throw new StoreReadOnlyError(`${this.opts.owner}: opened read-only, cannot remove files`);
  }
}

/** Sets `file`'s mtime to now; false when it is gone. Best effort otherwise (a team folder's file another user owns). */
async function refreshed(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(file, now, now);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
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

const blobStores = new WeakMap<Store, BlobStore>();

/** The store's blob store (one per open store). */
export function blobStore(store: Store): BlobStore {
  let blobs = blobStores.get(store);
  if (!blobs) {
    blobs = new FolderBlobStore(store.filesDir, {
      readonly: store.readonly,
      owner: store.path,
      // Patient data: a single user's study folders are theirs alone, whatever the umask. A team's shared folder
      // keeps the umask's modes: workers on other machines, perhaps as other users, read and write it.
      folderMode: store.backend.kind === 'sqlite' ? 0o700 : undefined,
    });
    blobStores.set(store, blobs);
  }
  return blobs;
}

export function blobPath(store: Store, hash: string): string {
  return blobStore(store).path(hash);
}

export function hasBlob(store: Store, hash: string): boolean {
  return blobStore(store).has(hash);
}

/** Stores `bytes` (once) and returns their hash. */
export function putBlob(store: Store, bytes: Uint8Array, knownHash?: string): Promise<string> {
  return blobStore(store).put(bytes, knownHash);
}

export function readBlob(store: Store, hash: string): Promise<Buffer> {
  return blobStore(store).get(hash);
}
