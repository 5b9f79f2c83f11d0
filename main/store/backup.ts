// Online backup: SQLite's backup API copies a consistent snapshot while the store stays in use; the blobs that
// snapshot refers to are copied beside it (`<backup>.files/`), skipping those already there, so repeated backups
// to the same place are incremental. A team (PostgreSQL) database is backed up the same way into a SQLite file:
// one consistent snapshot copied row for row (copy.ts), which any RetinaStudio opens and `db copy` restores.
import { processAlive } from '../node/process-alive.js';
import { chmod, copyFile, mkdir, readdir, realpath, rename, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteFile } from './sqlite-open.js';
import { isWalDatabase, openSqliteReadOnly } from './sqlite-read-only.js';
import type { Store } from './database.js';
import { checkIntegrity, openSqliteStore, sqliteConnection } from './sqlite-backend.js';
import { copyStore } from './copy.js';
import { copyOwnModels } from './own-models.js';
import { COMPACTION_SINCE, referencedBlobs } from './blobs-referenced.js';
import { StoreError } from './errors.js';
import { blobPath } from './file-store.js';
import { makeDestinationFolder } from './destination-folder.js';
import { removeDatabaseFile, removeIfThere } from './database-file.js';
import { assertApartFromStudy } from './destination-overlap.js';
import { writeFailureWords } from '../node/atomic-fs.js';

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
  const made = await assertBackupTarget(store, dest);
  // What a failed backup made is removed with it (the folders it made; a .files or .models folder it began):
  // one cut short by a full disk leaves nothing but an earlier backup, whole.
  const begun = ['files', 'models'].map((f) => `${dest}.${f}`).filter((f) => !existsSync(f));
  const undo = async (): Promise<void> => {
    for (const f of made ? [made] : begun) await removeIfThere(f);
  };
  const sqlite = sqliteConnection(store);
  if (!sqlite)
    return backupToSqlite(store, dest, opts.includeFiles ?? true).catch(async (err: unknown) => {
      await undo();
      throw err;
    });
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
    const copy = openSqliteFile(tmp);
    let hashes: string[];
    try {
      copy.pragma('journal_mode = DELETE');
      checkIntegrity(copy, tmp);
      hashes = referencedBlobs(copy, store.schemaVersion >= COMPACTION_SINCE);
    } finally {
      copy.close();
    }
    // Everything the snapshot refers to is in place before it takes the backup's name: a backup cut short (a full
    // disk, a kill) leaves the previous one whole, never a database whose files are missing.
    let copied = 0;
    let present = 0;
    if (opts.includeFiles ?? true) {
      for (const hash of hashes) {
        const target = join(`${dest}.files`, hash.slice(0, 2), hash.slice(2));
        if (existsSync(target)) {
          present++;
          continue;
        }
        // A file lost from the study (a failing disk: when a backup matters most) is named with what to do, not
        // as a bare ENOENT of a hash path.
        if (!existsSync(blobPath(store, hash)))
          throw new StoreError(
            `${dest}: backup failed (the study's file ${blobPath(store, hash)} is missing: \`retina db check\` ` +
              'names its image; --no-files backs up the database alone); any earlier backup there is unchanged',
          );
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        await copyFile(blobPath(store, hash), `${target}.tmp`);
        await rename(`${target}.tmp`, target);
        copied++;
      }
    }
    const modelsCopied = opts.includeFiles === false ? 0 : await copyOwnModels(store, `${dest}.models`);
    await chmod(tmp, 0o600); // patient data, as the database itself
    await rename(tmp, dest);
    return {
      path: dest,
      bytes: result.totalPages * (sqlite.pragma('page_size', { simple: true }) as number),
      blobsCopied: copied,
      blobsPresent: present,
      modelsCopied,
    };
  } catch (err) {
    await removeDatabaseFile(tmp);
    await undo();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${dest}: backup failed (${whyFailed(err)}); any earlier backup there is unchanged`);
  }
}

/**
 * Where a backup may go: a file's path (not a folder) in a folder this user can write (made when missing), and
 * never over a database in use. A file already there is replaced only when it is an earlier backup: a
 * RetinaStudio database in rollback-journal mode with no journal beside it. Every working database runs in WAL
 * mode (a backup is switched out of it), so a mistyped destination, or the default database when --database was
 * forgotten, is refused instead of silently replaced by another study; one open in a running app would be corrupted.
 * Nor inside the study's own folders, nor with its .files/.models over theirs (destination-overlap.ts).
 */
async function assertBackupTarget(store: Store, dest: string): Promise<string | undefined> {
  const existing = await stat(dest).catch(() => null);
  if (existing?.isDirectory())
    throw new StoreError(
      `${dest} is a folder: give the backup file's path, e.g. ${join(dest, 'retina-backup.db')}`,
    );
  if (existing) {
    const real = await realpath(dest);
    if (real === (await realpath(store.path).catch(() => store.path)))
      throw new StoreError(`${dest}: a backup cannot overwrite the database itself`);
    const why = await notAnEarlierBackup(real);
    if (why)
      throw new StoreError(
        `${dest} ${why}: a backup only replaces an earlier backup. Give a new file's path (nothing was written)`,
      );
  }
  assertApartFromStudy(store, dest, 'backup');
  let made: string | undefined;
  try {
    made = await makeDestinationFolder(dirname(dest));
  } catch (err) {
    throw new StoreError(
      `${dest}: cannot write the backup there: ${(err as Error).message} (nothing was written)`,
    );
  }
  // Snapshots a killed backup left behind (named after its process, no longer running) are not backups: they go.
  const base = basename(dest);
  for (const name of await readdir(dirname(dest)).catch(() => [] as string[])) {
    const pid = name.startsWith(base) ? /^\.tmp-(\d+)$/.exec(name.slice(base.length))?.[1] : undefined;
    if (pid && !processAlive(Number(pid))) await removeDatabaseFile(join(dirname(dest), name));
  }
  return made;
}

/** A failed backup's cause in words: "the disk is full (ENOSPC)" rather than the system's line naming a blob's path. */
function whyFailed(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'SQLITE_FULL') return 'the disk is full (SQLITE_FULL)';
  const words = writeFailureWords(code);
  if (words) return `${words} (${code})`;
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Why the existing file at `path` is not an earlier backup to replace, or null when it is one. */
async function notAnEarlierBackup(path: string): Promise<string | null> {
  if (existsSync(`${path}-wal`) || existsSync(`${path}-shm`))
    return 'is a database in use (its -wal/-shm files are beside it)';
  let db: Database.Database | null = null;
  try {
    // Opened without a trace: a plain read-only opening of a WAL database leaves a -wal and -shm beside it.
    db = openSqliteReadOnly(path, true);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'mask_versions'")
      .pluck()
      .all();
    if (tables.length === 0) return 'is not a RetinaStudio database';
    if (isWalDatabase(path)) return 'is a working study database (opened by RetinaStudio), not a backup';
    return null;
  } catch {
    return 'is not a RetinaStudio database';
  } finally {
    db?.close();
  }
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
    const modelsCopied = includeFiles ? await copyOwnModels(store, `${dest}.models`) : 0;
    await rename(tmp, dest);
    return {
      path: dest,
      bytes: (await stat(dest)).size,
      blobsCopied: r.blobsCopied,
      blobsPresent: r.blobsPresent,
      modelsCopied,
    };
  } catch (err) {
    copy.close();
    await removeDatabaseFile(tmp);
    throw err;
  }
}
