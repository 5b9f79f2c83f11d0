// A backup or copy is a database with its own `<dest>.files` and `<dest>.models` folders. Written into the study's
// own folders, it would lie among the study's image files (found by hash, never listed: invisible to the user, and
// gone with the study); with its folders over the study's, the two would share files that either may remove.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Store } from './database.js';
import { isPostgresUrl } from './sql.js';
import { StoreError } from './errors.js';

/** Refuses `dest` (a SQLite file's path) when it or its folders overlap the study's database or folders. */
export function assertApartFromStudy(study: Store, dest: string, what: 'backup' | 'copy'): void {
  const why = overlap(study, dest, what);
  if (why)
    throw new StoreError(`${dest}: ${why}; give a path outside the study's folders (nothing was written)`);
}

function overlap(study: Store, dest: string, what: string): string | null {
  const ours = (['files', 'models'] as const).map((f) => [f, real(study.beside(f))] as const);
  const target = real(dest);
  for (const [folder, path] of ours)
    if (within(target, path))
      return `the ${what} would be inside the study's own ${folder} folder (${study.beside(folder)})`;
  // The destination's folders: over the study's (one containing the other), or holding the study's database.
  const studyFile = isPostgresUrl(study.path) ? null : real(study.path);
  for (const f of ['files', 'models'] as const) {
    const theirs = real(`${dest}.${f}`);
    if (studyFile && within(studyFile, theirs))
      return `the ${what}'s ${f} folder (${dest}.${f}) would hold the study itself (${study.path})`;
    for (const [folder, path] of ours)
      if (within(theirs, path) || within(path, theirs))
        return `the ${what}'s ${f} folder (${dest}.${f}) would overlap the study's ${folder} folder (${study.beside(folder)})`;
  }
  return null;
}

/** `path` with symbolic links resolved, also when it (or the folders above it) does not exist yet. */
function real(path: string): string {
  const p = resolve(path);
  if (existsSync(p)) return realpathSync(p);
  const parent = dirname(p);
  return parent === p ? p : join(real(parent), basename(p));
}

/** Whether `path` is `folder` or lies inside it. */
function within(path: string, folder: string): boolean {
  const r = relative(folder, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}
