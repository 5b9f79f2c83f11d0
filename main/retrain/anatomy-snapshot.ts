// What an anatomy retrain trains and judges on, fixed before it starts, by the vessel retrain's rules: the
// approvals a person corrected for the task (labels that differ from the prediction's, a disc placed, moved or
// removed by hand), the held-out ones (earlier held-out images stay held out; new ones are picked by a stable hash
// among corrections the model's lineage never saw), the corrections new to the model (not seen by its lineage, not
// tried by an earlier candidate from it), and a replay sample of the model's own training images when they are on
// this machine. A task with too few corrections is skipped with the reason, before any run row exists.
import { existsSync } from 'node:fs';
import { arteryVeinSplits, opticDiscSplits, type AnatomyRef } from '../ml/anatomy/anatomy-datasets.js';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import type { ModelManifest } from '../ml/types.js';
import { datasetsRoot } from '../node/package-root.js';
import {
  anatomyApprovals,
  listTrainingRuns,
  type AnatomyApproval,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import type { RetrainSettings } from './settings.js';
import { pick, seenMaskVersions, triedMaskVersions, type SnapshotMask } from './snapshot.js';
import { ANATOMY_RUN_KIND } from './run-kinds.js';

export { ANATOMY_RUN_KIND };

export interface AnatomySnapshot {
  task: AnatomyTask;
  baseModelId: number;
  /** Corrections new to the base model: fitted (and scored each epoch to pick the best one). */
  train: SnapshotMask[];
  /** Corrections both models are compared on; never trained on. */
  heldOut: SnapshotMask[];
  /** Ids of the base model's own training images mixed in (AnatomyRef ids). */
  replay: string[];
}

/** The words a reason uses for a task's corrections. */
export const CORRECTION_NOUN: Record<AnatomyTask, string> = {
  'artery-vein': 'corrected artery/vein labels',
  // Set: placed, moved, resized or removed.
  'optic-disc': 'a disc set by hand',
};

export const TASK_LABEL: Record<AnatomyTask, string> = {
  'artery-vein': 'artery/vein',
  'optic-disc': 'optic disc',
};

/** Standing approvals a person corrected for the task. */
export function taskCorrections(store: Store, task: AnatomyTask): AnatomyApproval[] {
  return anatomyApprovals(store).filter((a) => (task === 'artery-vein' ? a.avCorrected : a.discMoved));
}

interface AnatomyRunConfig {
  kind?: string;
  task?: string;
  snapshot?: { heldOut?: SnapshotMask[] };
}

/** Images held out by any earlier retrain of the task (whatever its outcome): they stay held out. */
function previousHeldOut(store: Store, task: AnatomyTask): Set<number> {
  const out = new Set<number>();
  for (const run of listTrainingRuns(store, { limit: 1_000_000 })) {
    const cfg = run.config as AnatomyRunConfig | null;
    if (cfg?.kind !== ANATOMY_RUN_KIND || cfg.task !== task) continue;
    for (const h of cfg.snapshot?.heldOut ?? []) out.add(h.imageId);
  }
  return out;
}

/** The base model's training images found under the datasets root (none when they are not on this machine). */
export function anatomyTrainingRefs(task: AnatomyTask, manifest: ModelManifest): AnatomyRef[] {
  const ids = manifest.provenance?.trainIds ?? [];
  const root = datasetsRoot();
  if (ids.length === 0 || !existsSync(root)) return [];
  try {
    const splits = task === 'artery-vein' ? arteryVeinSplits(root) : opticDiscSplits(root);
    return splits.train.filter((r) => ids.includes(r.id));
  } catch {
    return [];
  }
}

export type AnatomyPlanStep = { snapshot: AnatomySnapshot } | { skipped: string };

/** Why a task with `n` corrections cannot be retrained (too few to hold out enough and train on one), or null. */
export function tooFewCorrections(task: AnatomyTask, n: number, settings: RetrainSettings): string | null {
  const needed = settings.minHeldOut + 1;
  if (n >= needed) return null;
  return (
    `${TASK_LABEL[task]}: ${n === 0 ? 'no' : `only ${n}`} approved image${n === 1 ? '' : 's'} with ` +
    `${CORRECTION_NOUN[task]}; a retrain needs ${needed} (${settings.minHeldOut} held out to judge the ` +
    'candidate, at least one to train on)'
  );
}

/** The snapshot of a task's retrain from `base`, or why there is nothing to do. */
export function planAnatomySnapshot(
  store: Store,
  task: AnatomyTask,
  base: ModelRecord,
  baseManifest: ModelManifest,
  settings: RetrainSettings,
): AnatomyPlanStep {
  const corrections = taskCorrections(store, task);
  const few = tooFewCorrections(task, corrections.length, settings);
  if (few) return { skipped: few };
  const label = TASK_LABEL[task];
  const seen = seenMaskVersions(store, base.id);
  const tried = triedMaskVersions(store, base.id);
  const earlier = previousHeldOut(store, task);
  const entry = (a: AnatomyApproval): SnapshotMask => ({
    imageId: a.imageId,
    maskVersionId: a.maskVersionId,
  });
  const heldOut = corrections.filter((a) => earlier.has(a.imageId));
  const wanted = Math.max(settings.minHeldOut, Math.round(settings.heldOutFraction * corrections.length));
  const unseen = corrections.filter((a) => !earlier.has(a.imageId) && !seen.has(a.maskVersionId));
  const picked = pick(unseen, wanted - heldOut.length, settings.seed + 1, (a) => `${task}:${a.imageId}`);
  heldOut.push(...picked);
  const heldIds = new Set(heldOut.map((a) => a.imageId));
  if (heldOut.length < settings.minHeldOut) {
    return {
      skipped:
        `${label}: only ${heldOut.length} corrected image${heldOut.length === 1 ? '' : 's'} can be held out ` +
        `(the others trained ${base.name}'s lineage); the comparison needs ${settings.minHeldOut}`,
    };
  }
  const train = corrections.filter(
    (a) => !heldIds.has(a.imageId) && !seen.has(a.maskVersionId) && !tried.has(a.maskVersionId),
  );
  if (train.length === 0) {
    return {
      skipped: `${label}: no correction new to ${base.name} (approve more corrections, then retrain)`,
    };
  }
  const replay = pick(
    anatomyTrainingRefs(task, baseManifest),
    settings.replayImages,
    settings.seed + 2,
    (r) => r.id,
  ).map((r) => r.id);
  const byImage = (a: SnapshotMask, b: SnapshotMask): number => a.imageId - b.imageId;
  return {
    snapshot: {
      task,
      baseModelId: base.id,
      train: train.map(entry).sort(byImage),
      heldOut: heldOut.map(entry).sort(byImage),
      replay: replay.sort(),
    },
  };
}
