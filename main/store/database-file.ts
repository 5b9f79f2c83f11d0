// Removing what a failed backup or copy began. rm's `force` ignores only ENOENT: a path under a file (ENOTDIR) is
// not there either, and a cleanup that threw on it would replace the reason the backup or copy failed.
import { rm } from 'node:fs/promises';

/** Removes `path` (a folder with what it holds) when it is there; a path under a file is not. */
export async function removeIfThere(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
  }
}

/** A SQLite file and the journal files an interrupted opening may have left beside it. */
export async function removeDatabaseFile(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await removeIfThere(path + suffix);
}
