// The model folders a database keeps beside itself (`<db>.models/`, a team's `<shared folder>/models/`: its
// retrained models, the active one among them). A backup or a copy takes them along: its registry names them
// relative to its own models folder (model-paths.ts), so the copies are the ones it uses. Left behind, a study
// restored after the disk was lost, or a copy made before the old study (or its backup) was deleted, had models
// that no longer exist, and the first retrain failed on them.
import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Store } from './database.js';
import { modelDir } from './models.js';

/**
 * Copies `store`'s own model folders into `into` (same layout), the models folder of the backup or copy; returns
 * how many. A folder already there is kept (a registered model's files never change); models elsewhere (the
 * bundled ones, a folder trained by hand) are not the database's and keep their paths.
 */
export async function copyOwnModels(store: Store, into: string): Promise<number> {
  const models = store.db.prepare('SELECT dir_path FROM models').pluck().all() as string[];
  let copied = 0;
  for (const stored of models) {
    const from = modelDir(store, stored);
    if (isAbsolute(stored) || !existsSync(from)) continue;
    const to = join(into, stored);
    if (!existsSync(to)) {
      await mkdir(dirname(to), { recursive: true });
      // A copy an interrupted backup left half-made is not merged into.
      await rm(`${to}.tmp`, { recursive: true, force: true });
      await cp(from, `${to}.tmp`, { recursive: true });
      await rename(`${to}.tmp`, to);
    }
    copied++;
  }
  return copied;
}
