// Where the registry says a model's folder is. A folder in the database's own models folder (`<db>.models/`, a
// team's `<shared folder>/models/`) is named relative to it, as the `.files` blobs are: a study moved, renamed,
// copied to another disk or machine, or restored from a backup under another path keeps its models, and each team
// machine finds them where it mounts the share. Any other folder (a bundled model, one registered from elsewhere)
// keeps its absolute path.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SqlDatabase } from './sql.js';

/** The folder a registry row names: a relative one is in the database's own models folder `own`. */
export function modelDirIn(own: string, stored: string): string {
  return isAbsolute(stored) ? stored : join(own, stored);
}

/**
 * How the registry names `dir`: relative (with '/', so it reads on any system) when it is in `own`, else absolute
 * (a relative name means `own`'s, never the working directory's).
 */
export function storedModelDirIn(own: string, dir: string): string {
  const absolute = resolve(dir);
  const rel = relative(own, absolute);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  return inside ? rel.split(sep).join('/') : absolute;
}

/** A model folder shipped with the app: `<installation>/resources/models/<name>` (the app finds it again itself). */
export function isBundledModelDir(dir: string): boolean {
  return basename(dirname(dir)) === 'models' && basename(dirname(dirname(dir))) === 'resources';
}

/**
 * The relative name of a missing folder that an earlier version named absolutely in the study's models folder
 * before the study moved (`/old/study.db.models/retrain-1`, `/old-share/models/retrain-1`): the same folder under
 * `own`, when it is there. Null otherwise.
 */
function movedOwnModel(own: string, dir: string): string | null {
  if (existsSync(dir) || isBundledModelDir(dir)) return null;
  const parts = dir.split(sep);
  for (let i = parts.length - 2; i > 0; i--) {
    if (parts[i] !== 'models' && !parts[i].endsWith('.models')) continue;
    const rest = parts.slice(i + 1);
    if (existsSync(join(own, ...rest))) return rest.join('/');
  }
  return null;
}

/** Migration v13: every model folder in the study's own models folder named relative to it (see above). */
export function relativeModelDirs(db: SqlDatabase, own: string): void {
  const rows = db.prepare('SELECT id, dir_path FROM models').all() as { id: number; dir_path: string }[];
  const update = db.prepare('UPDATE models SET dir_path = ? WHERE id = ?');
  for (const r of rows) {
    if (!isAbsolute(r.dir_path)) continue;
    const stored = storedModelDirIn(own, r.dir_path);
    const named = !isAbsolute(stored) ? stored : movedOwnModel(own, r.dir_path);
    if (named !== null) update.run(named, r.id);
  }
}
