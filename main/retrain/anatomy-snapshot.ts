// What an anatomy retrain trains and judges on, fixed before it starts, by the vessel retrain's rules: the
// approvals a person corrected for the task (labels that differ from the prediction's, a disc placed, moved or
// removed by hand), the held-out ones (earlier held-out images stay held out; new ones are picked by a stable hash
// among corrections whose eye or photograph the model's lineage never saw, in the store or in its manifests'
// datasets, each held out with its eye's other visits and any copy of the photograph: held-out-groups.ts), the
// corrections new to the model (not seen by its lineage, not tried by an earlier candidate from it), and a replay
// sample of the model's own training images when they are on this machine, less those a person corrected in the
// store. A task with too few corrections is skipped with the reason, before any run row exists.
import { existsSync } from 'node:fs';
import { arteryVeinSplits, opticDiscSplits, type AnatomyRef } from '../ml/anatomy/anatomy-datasets.js';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import type { ModelManifest } from '../ml/types.js';
import { datasetsRoot } from '../node/package-root.js';
import {
  anatomyApprovals,
  getImage,
  listTrainingRuns,
  type AnatomyApproval,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import { GROUP_NOTE, inGroups } from './gate.js';
import { pickGroups } from '../ml/data/sample-groups.js';
import { recordedGroups, storeGroupOf } from './held-out-groups.js';
import type { RetrainSettings } from './settings.js';
import { isKnownSample, mixedSample } from '../ml/model/known-samples.js';
import {
  learntCopies,
  lineageSamples,
  pick,
  seenMaskVersions,
  triedMaskVersions,
  withoutStoreImages,
  type SnapshotMask,
} from './snapshot.js';
import { ANATOMY_RUN_KIND } from './run-kinds.js';

export { ANATOMY_RUN_KIND };

export interface AnatomySnapshot {
  task: AnatomyTask;
  baseModelId: number;
  /** Corrections new to the base model: fitted (and scored each epoch to pick the best one). */
  train: SnapshotMask[];
  /** Corrections both models are compared on; never trained on. */
  heldOut: SnapshotMask[];
  /**
   * The held-out images the gate judges on, by image id, when some cannot (their eye or photograph trained the
   * model's lineage: held out, scored, not counted); absent when all judge.
   */
  usableHeldOut?: number[];
  /**
   * Held-out images that are one group (visits of one eye, copies of one photograph), by image id, groups of two
   * or more only: the gate judges a group as one sample. Absent when every held-out image is its own group.
   */
  heldOutGroups?: number[][];
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
export async function planAnatomySnapshot(
  store: Store,
  task: AnatomyTask,
  base: ModelRecord,
  baseManifest: ModelManifest,
  settings: RetrainSettings,
): Promise<AnatomyPlanStep> {
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
  // Another visit of the same eye, or the same photograph imported again, is one image to the held-out line.
  const groupOf = await storeGroupOf(store, [...corrections.map((a) => a.imageId), ...seen.values()]);
  const group = (a: AnatomyApproval): number => groupOf(a.imageId);
  // Learnt: corrections the lineage trained on in the store, and images its manifests name (the bundled models'
  // datasets: RITE, LES-AV, DRIVE-OD, DRIONS-DB, AV-WIDE imported into the study) with their eyes and copies.
  // A photograph of those imported as a plain file (another name or format) is found by its fingerprint.
  const learnt = await lineageSamples(store, base.id);
  const copies = await learntCopies(
    store,
    base.id,
    corrections.map((a) => a.imageId),
  );
  const learntGroups = new Set([
    ...[...seen.values()].map(groupOf),
    ...corrections
      .filter((a) => copies.has(a.imageId) || isKnownSample(getImage(store, a.imageId), learnt))
      .map(group),
  ]);
  // A correction whose eye or photograph the lineage learnt cannot judge it (one held out earlier stays held out).
  const judges = (a: AnatomyApproval): boolean => !learntGroups.has(group(a));
  const held = new Set(corrections.filter((a) => earlier.has(a.imageId)).map(group));
  const judgedGroups = (): number =>
    new Set(corrections.filter((a) => held.has(group(a)) && judges(a)).map(group)).size;
  // The gate's samples are groups, not images: count and pick whole groups.
  const groups = new Set(corrections.map(group)).size;
  const wanted = Math.max(settings.minHeldOut, Math.round(settings.heldOutFraction * groups));
  const unseen = corrections.filter((a) => !held.has(group(a)) && judges(a));
  const ordered = pick(unseen, unseen.length, settings.seed + 1, (a) => `${task}:${a.imageId}`);
  pickGroups(ordered, wanted - judgedGroups(), group, held);
  // The rest of a held-out image's group is held out with it: never trained on, and judged like it.
  const heldOut = corrections.filter((a) => held.has(group(a)));
  const judged = heldOut.filter(judges).map((a) => a.imageId);
  const judgedCount = judgedGroups();
  if (judgedCount < settings.minHeldOut) {
    const grouped = judgedCount < judged.length;
    return {
      skipped:
        `${label}: only ${judged.length} corrected image${judged.length === 1 ? '' : 's'}` +
        `${inGroups(judged.length, judgedCount)} can be held out (the others trained ${base.name}'s lineage` +
        `${grouped ? `; ${GROUP_NOTE}` : ''}); the comparison needs ${settings.minHeldOut}`,
    };
  }
  const heldIds = new Set(heldOut.map((a) => a.imageId));
  const train = corrections.filter(
    (a) => !heldIds.has(a.imageId) && !seen.has(a.maskVersionId) && !tried.has(a.maskVersionId),
  );
  if (train.length === 0) {
    return {
      skipped: `${label}: no correction new to ${base.name} (approve more corrections, then retrain)`,
    };
  }
  // A training photograph a person corrected in the store (imported by name, or as another file) is not replayed:
  // its approved correction is the label used, never fitted beside the dataset's.
  const replayable =
    settings.replayImages > 0
      ? await withoutStoreImages(
          store,
          anatomyTrainingRefs(task, baseManifest),
          (r) => mixedSample(r.id),
          () => (r) => r.imagePath,
          corrections.map((a) => a.imageId),
          copies,
        )
      : [];
  const replay = pick(replayable, settings.replayImages, settings.seed + 2, (r) => r.id).map((r) => r.id);
  // Recorded, so the gate judges by the groups the held-out line was drawn by.
  const sameGroup = recordedGroups(heldIds, groupOf);
  const byImage = (a: SnapshotMask, b: SnapshotMask): number => a.imageId - b.imageId;
  return {
    snapshot: {
      task,
      baseModelId: base.id,
      train: train.map(entry).sort(byImage),
      heldOut: heldOut.map(entry).sort(byImage),
      ...(judged.length < heldOut.length ? { usableHeldOut: judged.sort((a, b) => a - b) } : {}),
      ...(sameGroup.length > 0 ? { heldOutGroups: sameGroup } : {}),
      replay: replay.sort(),
    },
  };
}
