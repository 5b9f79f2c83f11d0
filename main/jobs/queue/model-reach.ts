// Which model folder a worker predicts with for a team job: its own view of the shared folders, as folders may be
// mounted on some machines only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../../ml/model/model-dir.js';
import { NotFoundError, getModel, type Store } from '../../store/index.js';
import type { TeamWork } from './team-work.js';

type PredictWork = Extract<TeamWork, { kind: 'predict' }>;

/**
 * The job's model folder when this machine sees it, else the worker's --model, else the folder the model is
 * registered at; null when none of them is reachable here.
 */
export function reachableModelDir(
  store: Store,
  work: PredictWork,
  fallback: string | undefined,
): string | null {
  const usable = (dir: string | undefined): dir is string =>
    dir !== undefined && existsSync(join(dir, MANIFEST_FILE));
  if (usable(work.modelDir)) return work.modelDir;
  if (usable(fallback)) return fallback;
  let registered: string | undefined;
  try {
    registered = getModel(store, work.modelId).dirPath;
  } catch (err) {
    // A model deleted since: its folder is the job's own, already found unreachable.
    if (!(err instanceof NotFoundError)) throw err;
  }
  return usable(registered) ? registered : null;
}

/** What to do about a model folder a worker cannot reach, for the job's message. */
export const REACH_ADVICE = 'keep models in the shared folder, or give the workers --model DIR';
