// The model folders a database keeps beside itself (`<db>.models/`, a team's `<shared folder>/models/`: its
// retrained models, the active one among them). A backup or a copy takes them along and names the copies in its
// registry: left naming the originals, a study restored after the disk was lost, or a copy made before the old
// study (or its backup) was deleted, named models that no longer exist, and the first retrain failed on them.
import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Store } from './database.js';

export interface MovedModel {
  id: number;
  /** The copy's folder, as the copy's registry is to name it. */
  to: string;
}

/**
 * Copies `store`'s own model folders into `into` (same layout) and says where each is to be named: under
 * `namedAt`, the folder `into` will be known by (a copy made under a temporary name takes its own last). A folder
 * already there is kept (a registered model's files never change); models elsewhere (the bundled ones, a folder
 * trained by hand) are not the database's and keep their paths.
 */
export async function copyOwnModels(store: Store, into: string, namedAt = into): Promise<MovedModel[]> {
  const own = store.beside('models');
  const models = store.db.prepare('SELECT id, dir_path FROM models').all() as {
    id: number;
    dir_path: string;
  }[];
  const moved: MovedModel[] = [];
  for (const m of models) {
    const rel = relative(own, m.dir_path);
    if (!rel || rel.startsWith('..') || rel.startsWith(sep) || !existsSync(m.dir_path)) continue;
    const to = join(into, rel);
    if (!existsSync(to)) {
      await mkdir(dirname(to), { recursive: true });
      // A copy an interrupted backup left half-made is not merged into.
      await rm(`${to}.tmp`, { recursive: true, force: true });
      await cp(m.dir_path, `${to}.tmp`, { recursive: true });
      await rename(`${to}.tmp`, to);
    }
    moved.push({ id: m.id, to: join(namedAt, rel) });
  }
  return moved;
}
