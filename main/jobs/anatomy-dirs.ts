// Where the prediction job finds its anatomy models: the directories named by RETINA_ANATOMY_MODELS (a folder
// holding artery-vein/ and optic-disc/, the layout of resources/models), else the bundled ones. Both must be
// present: without either, predictions carry no artery/vein map and no disc, exactly as before anatomy existed.
// A store's active model of a task (a retrain promoted it) takes that task's place.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundledAnatomyDir } from '../ml/anatomy/anatomy-models.js';
import { MANIFEST_FILE } from '../ml/model/model-dir.js';
import { activeModel, type Store } from '../store/index.js';

export interface AnatomyDirs {
  arteryVein: string;
  opticDisc: string;
}

export const ANATOMY_MODELS_ENV = 'RETINA_ANATOMY_MODELS';

/** The anatomy model directories to use, or null when they are not both there. */
export function findAnatomyDirs(
  root: string | undefined = process.env[ANATOMY_MODELS_ENV],
): AnatomyDirs | null {
  const dirs: AnatomyDirs = root
    ? { arteryVein: join(root, 'artery-vein'), opticDisc: join(root, 'optic-disc') }
    : { arteryVein: bundledAnatomyDir('artery-vein'), opticDisc: bundledAnatomyDir('optic-disc') };
  const present = [dirs.arteryVein, dirs.opticDisc].every((d) => existsSync(join(d, MANIFEST_FILE)));
  return present ? dirs : null;
}

/** `dirs` with each task's active model in the store in its place; null when a task then has no model. */
export function withActiveAnatomy(store: Store, dirs: AnatomyDirs | null): AnatomyDirs | null {
  const arteryVein = activeModel(store, 'artery-vein')?.dirPath ?? dirs?.arteryVein;
  const opticDisc = activeModel(store, 'optic-disc')?.dirPath ?? dirs?.opticDisc;
  return arteryVein && opticDisc ? { arteryVein, opticDisc } : null;
}

/**
 * Whether a prediction here gets an artery/vein map and a disc: each task has a model (the store's active one, else
 * the installed one) and its directory is there. The viewer's "anatomy models available" flag.
 */
export function anatomyAvailable(store: Store, dirs: AnatomyDirs | null): boolean {
  const used = withActiveAnatomy(store, dirs);
  return used !== null && [used.arteryVein, used.opticDisc].every((d) => existsSync(join(d, MANIFEST_FILE)));
}
