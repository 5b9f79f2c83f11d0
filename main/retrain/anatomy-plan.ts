// Step 1 of an anatomy retrain: the task's model to start from (its active model, or the one predictions use,
// registered as its first) and what the run will do (anatomy-snapshot.ts), or why the task is skipped.
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import { readManifest } from '../ml/model/model-dir.js';
import type { LoadedModel } from '../ml/model/model-loader.js';
import type { ModelManifest } from '../ml/types.js';
import {
  activeModel,
  findModelByName,
  promoteModel,
  registerModel,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import {
  planAnatomySnapshot,
  taskCorrections,
  TASK_LABEL,
  type AnatomySnapshot,
} from './anatomy-snapshot.js';
import { anatomyTaskKit, type AnatomyTaskKit } from './anatomy-tasks.js';
import type { RetrainSettings } from './settings.js';

/**
 * The task's active model; when none is registered yet, the model predictions use is registered and made the
 * task's first active model (so a candidate has a parent to be compared with and rolled back to).
 */
export async function anatomyBase(
  store: Store,
  task: AnatomyTask,
  fallbackDir: string | null,
  actor: string,
): Promise<ModelRecord | null> {
  const active = activeModel(store, task);
  if (active || !fallbackDir) return active;
  const manifest = await readManifest(fallbackDir);
  if (manifest.anatomy?.task !== task) return null;
  let name = manifest.name;
  for (let n = 2; findModelByName(store, name); n++) name = `${manifest.name}-${n}`;
  const model = registerModel(
    store,
    { name, dirPath: fallbackDir, architecture: manifest.architecture, task },
    actor,
  );
  return promoteModel(store, model.id, actor, { reason: `first active ${TASK_LABEL[task]} model` });
}

export interface AnatomyPlan {
  task: AnatomyTask;
  base: ModelRecord;
  manifest: ModelManifest;
  kit: AnatomyTaskKit;
  snapshot: AnatomySnapshot;
}

export type AnatomyPlanResult = { plan: AnatomyPlan } | { skipped: string; corrections: number };

/** What the task's retrain will do from its active model, or why it is skipped (before any run row exists). */
export async function planAnatomyTask(
  store: Store,
  task: AnatomyTask,
  vessel: LoadedModel,
  opts: { fallbackDir: string | null; actor: string; settings: RetrainSettings },
): Promise<AnatomyPlanResult> {
  const label = TASK_LABEL[task];
  const corrections = taskCorrections(store, task).length;
  const base = await anatomyBase(store, task, opts.fallbackDir, opts.actor);
  if (!base) return { skipped: `${label}: no ${label} model to retrain`, corrections };
  const manifest = await readManifest(base.dirPath);
  const kit = await anatomyTaskKit(task, manifest);
  if (manifest.anatomy?.downsample !== kit.downsample) {
    return {
      skipped: `${label}: ${base.name} works at 1/${manifest.anatomy?.downsample} of the frame, the trainer at 1/${kit.downsample}`,
      corrections,
    };
  }
  if (!vessel.manifest.frame) {
    return {
      skipped: `${label}: the vessel model ${vessel.manifest.name} has no canonical frame`,
      corrections,
    };
  }
  const step = await planAnatomySnapshot(store, task, base, manifest, opts.settings);
  return 'skipped' in step
    ? { ...step, corrections }
    : { plan: { task, base, manifest, kit, snapshot: step.snapshot } };
}
