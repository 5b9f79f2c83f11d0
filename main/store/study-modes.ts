// A single user's study is theirs alone: a new one is made 0600 (the database; SQLite gives its -wal and -shm the
// same mode) and 0700 (`<file>.files` and its folders). Studies made by earlier versions kept the umask's modes
// (0644, 0755), readable by every account of the machine; upgrading one brings it to the modes of a new one.
// `<file>.runs` and `<file>.models` are made 0700 too (main/store/run-files.ts).
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Takes group's and others' rights from the database, its -wal and -shm, and its files folder and the folders in
 * it (the blobs in them are unreachable through a 0700 folder, as in a new study, so thousands of files are not
 * each changed). What this user does not own, or cannot change (read-only media), is left as it is.
 */
export function makeStudyPrivate(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) removeOthersRights(f);
  const filesDir = `${file}.files`;
  removeOthersRights(filesDir);
  for (const sub of foldersIn(filesDir)) removeOthersRights(join(filesDir, sub));
  // Retrain runs (overlays drawn on photographs) and retrained models (cards naming the images trained on).
  for (const side of [`${file}.runs`, `${file}.models`]) removeOthersRights(side);
}

/** Clears the group and other bits of `path`, keeping the owner's; a missing or foreign path is left alone. */
function removeOthersRights(path: string): void {
  try {
    const st = statSync(path);
    // Another account's file (root upgrading a user's study, a shared copy) keeps the modes its owner chose.
    if (process.getuid && st.uid !== process.getuid()) return;
    if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o7700);
  } catch {
    // Missing (no WAL, no files yet), read-only media, a file system without modes: nothing to do, or nothing
    // that can be done; the upgrade itself goes on.
  }
}

function foldersIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}
