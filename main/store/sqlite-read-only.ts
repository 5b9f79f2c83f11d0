// A read-only opening of a SQLite study that leaves its folder exactly as it found it. SQLite reads a WAL database
// through a -wal and a -shm file, which a read-only connection makes when they are missing but, unable to
// checkpoint, never removes: `db check`, `db export` or `db copy --from` left an empty pair beside the study.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { openSqliteFile, openSqliteImage } from './sqlite-open.js';
import { StoreReadOnlyError } from './errors.js';

/**
 * A study whose -wal and -shm are absent (no connection has it open, and the app closed it cleanly: the file alone
 * holds every committed row) is read from a copy in memory (the rows only: images and masks stay in their files).
 * Otherwise it is opened where it is (those files are there already), falling back to the copy on read-only media.
 * SQLite's `immutable=1` would do the same, but better-sqlite3 is built without URIs.
 */
export function openSqliteReadOnly(file: string, fileMustExist: boolean): Database.Database {
  const image = closedWalImage(file);
  if (image) return openSqliteImage(image);
  return readableOnReadOnlyMedia(openSqliteFile(file, { readonly: true, fileMustExist }), file);
}

/** Whether SQLite's header (bytes 18-19) says the file is a WAL database. */
export function isWalDatabase(file: string): boolean {
  const header = Buffer.alloc(20);
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2;
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** A closed WAL database's bytes as a rollback-journal database; null when it is not one, or changed as it was read. */
function closedWalImage(file: string): Buffer | null {
  const journals = (): boolean => existsSync(`${file}-wal`) || existsSync(`${file}-shm`);
  if (journals() || !isWalDatabase(file)) return null;
  const before = statSync(file);
  const bytes = readFileSync(file);
  const after = statSync(file);
  // Opened by another program while it was read (its checkpoint may have written pages mid-read): read in place.
  if (journals() || before.size !== after.size || before.mtimeMs !== after.mtimeMs) return null;
  return withoutWalMode(bytes);
}

/**
 * A WAL study on read-only media (a DVD, a share mounted read-only, a folder this user cannot write) with a -wal
 * or -shm beside it: SQLite cannot make the missing one. When the -wal is absent or empty, the database file alone
 * holds every committed row, and it is read from a copy in memory.
 */
function readableOnReadOnlyMedia(db: Database.Database, file: string): Database.Database {
  try {
    db.pragma('user_version'); // the first read: where SQLite wants the -shm
    return db;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('SQLITE_READONLY') && code !== 'SQLITE_CANTOPEN') throw err;
    db.close();
    if (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size)
      throw new StoreReadOnlyError(
        `${file}: cannot read it where it is: its -wal file holds changes not yet in the database, and its folder ` +
          'is not writable; copy the study (with its -wal file) to a writable folder and open that copy',
      );
    return openSqliteImage(withoutWalMode(readFileSync(file)));
  }
}

/** The database's header says rollback journal instead of WAL (bytes 18-19), so that SQLite opens it in memory. */
function withoutWalMode(bytes: Buffer): Buffer {
  if (bytes[18] === 2 && bytes[19] === 2) bytes.fill(1, 18, 20);
  return bytes;
}
