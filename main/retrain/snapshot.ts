// What a retrain trains and judges on, fixed before it starts: the approved mask versions the active model has
// not seen (by the store's trained-on table, over its whole lineage), the held-out images (kept out of training
// for good: earlier held-out images stay held out, a dataset's test split is always held out, new ones are picked
// among the approvals a person corrected, by a stable hash, each with its eye's other visits and any copy of the
// photograph, see image-groups.ts), the validation images, and the replay sample of
// earlier training data. With too few held-out references a person made, the gate could not judge the candidate,
// so the retrain is refused before it trains, saying what would help.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../ml/data/datasets.js';
import { mixFolders } from '../ml/data/dataset-mix.js';
import { datasetsRoot } from '../node/package-root.js';
import { readManifest } from '../ml/model/model-dir.js';
import type { DatasetRef, ModelManifest } from '../ml/types.js';
import {
  getImage,
  getModel,
  latestApprovedMasks,
  listModels,
  listTrainingRuns,
  modelTrainingMasks,
  type MaskVersion,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import { RetrainError } from './errors.js';
import { pickGroups, validationGroups } from '../ml/data/sample-groups.js';
import { recordedGroups, storeGroupOf } from './held-out-groups.js';
import { copiesOf, datasetFileHash, filesCopying } from './image-groups.js';
import {
  isKnownSample,
  manifestFingerprints,
  manifestSamples,
  sampleFolder,
  samplePhotographs,
  type KnownSample,
} from '../ml/model/known-samples.js';
import { ANATOMY_RUN_KIND } from './run-kinds.js';
import { referenceKind } from './reference.js';
import type { RetrainSettings } from './settings.js';

/** One approved mask version of a store image. */
export interface SnapshotMask {
  imageId: number;
  maskVersionId: number;
}

/** A sample of a dataset folder (the replay of a parent trained outside the store, e.g. the bundled model). */
export interface DatasetSample {
  datasetRoot: string;
  datasetKind: string;
  sampleId: string;
}

export interface RetrainSnapshot {
  baseModelId: number;
  /** New approvals the candidate is fitted on. */
  train: SnapshotMask[];
  /** New approvals used for validation (threshold, best epoch): not fitted, not held out. */
  validation: SnapshotMask[];
  /** Approved images both models are compared on; never trained on. */
  heldOut: SnapshotMask[];
  /**
   * The held-out images the promotion gate judges on (a person's or a dataset's reference), by image id; the
   * others are scored and shown but not counted. Absent in runs recorded before the gate checked references.
   */
  usableHeldOut?: number[];
  /**
   * Held-out images that are one group (visits of one eye, copies of one photograph), by image id, groups of two
   * or more only: the gate judges a group as one sample. Every other held-out image is its own group; absent when
   * all are (and in runs recorded before the gate counted groups).
   */
  heldOutGroups?: number[][];
  /**
   * With no validation images of its own (too few new approvals), the trainer chooses them among the fitted store
   * images and the dataset replay: the store images among them that are one group (two or more), by image id, so
   * it takes each group whole. Absent when there are none (and in runs recorded before the trainer was told).
   */
  fitGroups?: number[][];
  replay: { store: SnapshotMask[]; dataset: DatasetSample[] };
  /** Approved images the lineage has already seen (what a replay may draw from). */
  seenCount: number;
}

/** The model and its ancestors, nearest first. */
export function lineage(store: Store, modelId: number): ModelRecord[] {
  const out: ModelRecord[] = [];
  const seen = new Set<number>();
  let next: number | null = modelId;
  while (next !== null && !seen.has(next)) {
    seen.add(next);
    const m = getModel(store, next);
    out.push(m);
    next = m.parentModelId;
  }
  return out;
}

/** Mask versions any model of the lineage was trained or validated on. */
export function seenMaskVersions(store: Store, modelId: number): Map<number, number> {
  const byVersion = new Map<number, number>();
  for (const m of lineage(store, modelId)) {
    for (const t of modelTrainingMasks(store, m.id)) byVersion.set(t.maskVersionId, t.imageId);
  }
  return byVersion;
}

interface RunConfigShape {
  kind?: string;
  snapshot?: { heldOut?: SnapshotMask[] };
}

/**
 * Images held out by any earlier vessel retrain (whatever its outcome): they stay held out. An artery/vein or disc
 * retrain holds out images for its own judge only; those stay free for the vessel model.
 */
export function previousHeldOutImages(store: Store): Set<number> {
  const out = new Set<number>();
  for (const run of listTrainingRuns(store, { limit: 1_000_000 })) {
    const cfg = run.config as RunConfigShape | null;
    if (cfg?.kind === ANATOMY_RUN_KIND) continue;
    for (const h of cfg?.snapshot?.heldOut ?? []) out.add(h.imageId);
  }
  return out;
}

function stableOrder(seed: number, key: string): string {
  return createHash('sha256').update(`${seed}:${key}`).digest('hex');
}

/** Mask versions a candidate fine-tuned from the model was trained or validated on (kept or not). */
export function triedMaskVersions(store: Store, modelId: number): Set<number> {
  const out = new Set<number>();
  for (const child of listModels(store, { task: 'any' })) {
    if (child.parentModelId !== modelId) continue;
    for (const t of modelTrainingMasks(store, child.id)) out.add(t.maskVersionId);
  }
  return out;
}

/**
 * Latest approvals that are new since the model's last retrain: not seen by its lineage, not held out, and not
 * already used by a retrain from it (whose candidate was kept or not). Retraining again on the same approvals
 * gives the same result, so they do not count (nor trigger an automatic retrain) twice.
 */
export function newApprovals(store: Store, modelId: number): MaskVersion[] {
  const seen = seenMaskVersions(store, modelId);
  const tried = triedMaskVersions(store, modelId);
  const heldOut = previousHeldOutImages(store);
  return latestApprovedMasks(store, { standing: true }).filter(
    (v) => !seen.has(v.id) && !tried.has(v.id) && !heldOut.has(v.imageId),
  );
}

/** Image ids of the approvals whose reference a person made or a dataset gave (what the gate may judge on). */
async function usableReferences(store: Store, versions: MaskVersion[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (const v of versions) if ((await referenceKind(store, v)) !== 'model') out.add(v.imageId);
  return out;
}

/** The refusal when too few held-out references (independent groups of them) could judge the candidate. */
function tooFewReferences(
  usable: number,
  images: number,
  needed: number,
  learnt = 0,
  model = '',
): RetrainError {
  const missing = needed - usable;
  const grouped =
    images > usable
      ? ` (${images} images: other visits of one eye and copies of one photograph count once)`
      : '';
  const learntNote =
    learnt > 0
      ? ` (${learnt} of the new approvals ${learnt === 1 ? 'is an image' : 'are images'} ${model} was trained on, ` +
        'which cannot judge it)'
      : '';
  return new RetrainError(
    `Not enough corrected images to judge a new model: the comparison needs ${needed} images that a person ` +
      `corrected (or that came from a dataset), kept out of training, and ${usable === 0 ? 'none is' : `only ${usable} ${usable === 1 ? 'is' : 'are'}`} ` +
      `available${grouped}${learntNote}; approving the model's own predictions unchanged cannot show whether a new model is better. ` +
      `Approve ${missing} more image${missing === 1 ? '' : 's'} that you corrected${images > usable ? ', each of another eye' : ''}, then retrain.`,
  );
}

/** The manifests of the model and its ancestors, nearest first; one whose folder is gone is left out. */
async function lineageManifests(store: Store, modelId: number): Promise<ModelManifest[]> {
  const out: ModelManifest[] = [];
  for (const m of lineage(store, modelId)) {
    try {
      out.push(await readManifest(m.dirPath));
    } catch {
      continue; // its store masks still count through the trained-on table
    }
  }
  return out;
}

/** The dataset samples any model of the lineage was trained or validated on, by its manifest. */
export async function lineageSamples(store: Store, modelId: number): Promise<KnownSample[]> {
  return (await lineageManifests(store, modelId)).flatMap((m) => manifestSamples(m));
}

/**
 * Fingerprints of the photographs any model of the lineage learnt outside the store: those its manifest records,
 * or, for an older manifest without them, those of its dataset's photographs when they are on this machine.
 */
async function lineageFingerprints(store: Store, modelId: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const manifest of await lineageManifests(store, modelId)) {
    if (manifest.sampleFingerprints) {
      out.push(...manifestFingerprints(manifest));
      continue;
    }
    for (const { path } of samplePhotographs(manifestSamples(manifest), datasetsRoot())) {
      const fp = await datasetFileHash(path);
      if (fp) out.push(fp);
    }
  }
  return out;
}

/**
 * The images among `imageIds` that are a photograph the lineage learnt outside the store, imported as a plain file
 * (another name, format or size), which the dataset's name and sample id on the image cannot show.
 */
export async function learntCopies(store: Store, modelId: number, imageIds: number[]): Promise<Set<number>> {
  if (imageIds.length === 0) return new Set();
  return copiesOf(
    store,
    imageIds,
    (id) => getImage(store, id).fileHash,
    await lineageFingerprints(store, modelId),
  );
}

/** Deterministic shuffle by a seeded hash of each key. */
export function pick<T>(items: T[], n: number, seed: number, key: (t: T) => string): T[] {
  return [...items]
    .map((t) => ({ t, k: stableOrder(seed, key(t)) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, Math.max(0, n))
    .map((x) => x.t);
}

export interface ReplaySource {
  root: string;
  kind: string;
  ids: string[];
}

/**
 * The folders (and sample ids) a model was trained on, found again under the datasets root: its dataset folder,
 * or for a training mix (the bundled model's `mix-generalist`) each part's own folder with the mix's prefix taken
 * off the ids. Empty when they are not on this machine.
 */
export function trainingSources(manifest: ModelManifest): ReplaySource[] {
  const p = manifest.provenance;
  if (!p?.dataset || !Array.isArray(p.trainIds) || p.trainIds.length === 0) return [];
  const wanted = p.dataset.startsWith('mix-')
    ? mixFolders(p.dataset.slice(4)).map((folder) => {
        const prefix = `${folder.toLowerCase()}/`;
        const ids = p.trainIds.filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length));
        return { root: join(datasetsRoot(), folder), kind: undefined, ids };
      })
    : [
        {
          root: join(datasetsRoot(), p.dataset),
          kind: p.datasetKind as 'drive' | 'stare' | 'generic',
          ids: p.trainIds,
        },
      ];
  const found: ReplaySource[] = [];
  for (const w of wanted) {
    if (w.ids.length === 0 || !existsSync(w.root)) continue;
    try {
      const ref = openDataset(w.root, w.kind);
      const ids = ref.splits.all.filter((s) => s.maskPath && w.ids.includes(s.id)).map((s) => s.id);
      if (ids.length > 0) found.push({ root: ref.root, kind: ref.kind, ids });
    } catch {
      continue;
    }
  }
  return found;
}

/** The nearest model of the lineage whose training images are found under the datasets root. */
async function replayDataset(store: Store, modelId: number): Promise<ReplaySource[]> {
  for (const manifest of await lineageManifests(store, modelId)) {
    const sources = trainingSources(manifest);
    if (sources.length > 0) return sources;
  }
  return [];
}

/**
 * `samples` (of the lineage's datasets) less those that are one of the store images `imageIds` (what the snapshot
 * fits, validates, replays or holds out): the same dataset and sample id, or, for a photograph the lineage learnt
 * (`learnt`) imported under another name, format or size, the same content (`paths` gives each sample's photograph,
 * asked only then). The store holds the clinic's approved reference of that photograph; replayed beside it, the
 * dataset's copy would be fitted where the store image validates or is held out (or validate where it is fitted),
 * and fit a second label of one photograph.
 */
export async function withoutStoreImages<T>(
  store: Store,
  samples: readonly T[],
  sampleOf: (s: T) => KnownSample | null,
  paths: () => (s: T) => string | undefined,
  imageIds: readonly number[],
  learnt: ReadonlySet<number>,
): Promise<T[]> {
  const images = imageIds.map((id) => getImage(store, id));
  const named = samples.filter((s) => {
    const sample = sampleOf(s);
    return !sample || !images.some((img) => isKnownSample(img, [sample]));
  });
  const copied = imageIds.filter((id) => learnt.has(id));
  // Only a learnt photograph can be one of the lineage's dataset samples: no file is read without one.
  if (copied.length === 0) return named;
  const pathOf = paths();
  const copies = await filesCopying(
    store,
    copied,
    (id) => getImage(store, id).fileHash,
    named.flatMap((s) => pathOf(s) ?? []),
  );
  return named.filter((s) => {
    const path = pathOf(s);
    return path === undefined || !copies.has(path);
  });
}

/** The dataset samples of `sources` to replay, less those that are store images of the snapshot. */
async function replaySamples(
  store: Store,
  sources: ReplaySource[],
  imageIds: number[],
  learnt: ReadonlySet<number>,
): Promise<DatasetSample[]> {
  const out: DatasetSample[] = [];
  for (const ds of sources) {
    const kept = await withoutStoreImages(
      store,
      ds.ids,
      (id) => ({ folder: sampleFolder(ds.root), id }),
      () => {
        const byId = new Map(
          openDataset(ds.root, ds.kind as DatasetRef['kind']).splits.all.map((r) => [r.id, r.imagePath]),
        );
        return (id) => byId.get(id);
      },
      imageIds,
      learnt,
    );
    out.push(...kept.map((sampleId) => ({ datasetRoot: ds.root, datasetKind: ds.kind, sampleId })));
  }
  return out;
}

export async function planSnapshot(
  store: Store,
  base: ModelRecord,
  settings: RetrainSettings,
): Promise<RetrainSnapshot> {
  // An approval reopened for editing is not training data until it is approved again.
  const approved = latestApprovedMasks(store, { standing: true });
  const seen = seenMaskVersions(store, base.id);
  const seenImages = new Set(seen.values());
  const earlierHeldOut = previousHeldOutImages(store);
  const asEntry = (v: MaskVersion): SnapshotMask => ({ imageId: v.imageId, maskVersionId: v.id });

  // Held out: earlier held-out images and a dataset's test split, then fresh picks among the new approvals a
  // person corrected (an unchanged prediction as the reference cannot judge, so it is better trained on).
  const fresh = approved.filter((v) => !seen.has(v.id));
  if (fresh.length === 0) {
    throw new RetrainError(
      `no new approved masks: model ${base.name} has seen all ${approved.length} approvals`,
    );
  }
  const forced = approved.filter(
    (v) => earlierHeldOut.has(v.imageId) || getImage(store, v.imageId).datasetSplit === 'test',
  );
  const forcedIds = new Set(forced.map((v) => v.imageId));
  // Another visit of the same eye, or the same photograph imported again, is one image to the held-out line.
  const groupOf = await storeGroupOf(store, [...approved.map((v) => v.imageId), ...seenImages]);
  const seenGroups = new Set([...seenImages].map(groupOf));
  // Images the lineage learnt outside the store (the bundled model's datasets) may be trained on, never judge:
  // by dataset and sample id, or, for one of those photographs imported under another name (a plain file, or
  // another dataset's folder: a clinic's export), by its content.
  const learnt = await lineageSamples(store, base.id);
  const copies = await learntCopies(store, base.id, [...approved.map((v) => v.imageId), ...seenImages]);
  const knownToModel = (v: MaskVersion): boolean =>
    copies.has(v.imageId) || isKnownSample(getImage(store, v.imageId), learnt);
  const candidates = fresh.filter(
    (v) => !forcedIds.has(v.imageId) && !seenGroups.has(groupOf(v.imageId)) && !knownToModel(v),
  );
  // A held-out image whose eye or copy the lineage learnt stays held out but cannot judge (after a rollback, or
  // in a study whose runs grouped no images).
  const usable = await usableReferences(
    store,
    [...forced, ...candidates].filter((v) => !seenGroups.has(groupOf(v.imageId)) && !knownToModel(v)),
  );
  // The gate's samples are groups, not images: count and pick whole groups.
  const usableForcedGroups = new Set(
    forced.filter((v) => usable.has(v.imageId)).map((v) => groupOf(v.imageId)),
  );
  const usableGroups = new Set([...usable].map(groupOf));
  const wanted = Math.max(settings.minHeldOut, Math.ceil(settings.heldOutFraction * usableGroups.size));
  const unforced = fresh.filter((v) => !forcedIds.has(v.imageId));
  // The rest of a held-out image's group is held out with it: never trained on, and judged like it.
  const heldOutGroups = new Set(forced.map((v) => groupOf(v.imageId)));
  const unforcedHeldOut = (): number => unforced.filter((v) => heldOutGroups.has(groupOf(v.imageId))).length;
  const ordered = candidates.filter((v) => usable.has(v.imageId));
  const picked = [
    ...forced,
    ...pickGroups(
      pick(ordered, ordered.length, settings.seed, (c) => getImage(store, c.imageId).fileHash),
      wanted - usableForcedGroups.size,
      (v) => groupOf(v.imageId),
      heldOutGroups,
      // Never hold out so many that nothing new is left to train on.
      () => unforcedHeldOut() < unforced.length,
    ),
  ];
  const pickedIds = new Set(picked.map((v) => v.imageId));
  const heldOutVersions = [
    ...picked,
    ...fresh.filter((v) => !pickedIds.has(v.imageId) && heldOutGroups.has(groupOf(v.imageId))),
  ];
  const heldOutIds = new Set(heldOutVersions.map((v) => v.imageId));
  const usableHeldOut = [...heldOutIds].filter((id) => usable.has(id)).sort((a, b) => a - b);

  const trainable = fresh.filter((v) => !heldOutIds.has(v.imageId));
  if (trainable.length === 0) {
    throw new RetrainError(
      'every new approval is held out for the comparison: approve more images, then retrain',
    );
  }
  const judgedGroups = new Set(usableHeldOut.map(groupOf)).size;
  if (judgedGroups < settings.minHeldOut) {
    const learntApprovals = fresh.filter((v) => !forcedIds.has(v.imageId) && knownToModel(v)).length;
    throw tooFewReferences(
      judgedGroups,
      usableHeldOut.length,
      settings.minHeldOut,
      learntApprovals,
      base.name,
    );
  }
  // Recorded, so the gate (and any later judging of the run) uses the groups the held-out line was drawn by.
  const sameGroup = recordedGroups(heldOutIds, groupOf);
  // Validation (threshold, best epoch) on the clinic's own images when there are enough of them.
  // Whole groups: a validation image whose other visit or copy is fitted would choose the epoch and threshold
  // on what the candidate learnt.
  const nVal = trainable.length >= 6 ? 2 : trainable.length >= 3 ? 1 : 0;
  const valGroups = validationGroups(
    pick(trainable, trainable.length, settings.seed + 1, (v) => getImage(store, v.imageId).fileHash),
    nVal,
    (v) => groupOf(v.imageId),
  );
  const validation = trainable.filter((v) => valGroups.has(groupOf(v.imageId)));
  const valIds = new Set(validation.map((v) => v.imageId));
  const train = trainable.filter((v) => !valIds.has(v.imageId));

  // Replay: the lineage's earlier store masks (images neither held out nor re-approved since) and its dataset.
  const newIds = new Set(trainable.map((v) => v.imageId));
  const storeReplay: SnapshotMask[] = [...seen.entries()]
    .filter(
      ([, imageId]) =>
        !heldOutGroups.has(groupOf(imageId)) && !valGroups.has(groupOf(imageId)) && !newIds.has(imageId),
    )
    .map(([maskVersionId, imageId]) => ({ maskVersionId, imageId }));
  const sources = settings.replayImages > 0 ? await replayDataset(store, base.id) : [];
  const datasetReplay = await replaySamples(
    store,
    sources,
    [...heldOutVersions, ...trainable, ...storeReplay].map((v) => v.imageId),
    copies,
  );
  type Pool = { store?: SnapshotMask; dataset?: DatasetSample };
  const pool: Pool[] = [
    ...storeReplay.map((s) => ({ store: s })),
    ...datasetReplay.map((d) => ({ dataset: d })),
  ];
  const chosen = pick(pool, settings.replayImages, settings.seed + 2, (p) =>
    p.store ? `store:${p.store.maskVersionId}` : `ds:${p.dataset!.sampleId}`,
  );
  const byImage = (a: SnapshotMask, b: SnapshotMask): number => a.imageId - b.imageId;
  const replayStore = chosen.flatMap((p) => (p.store ? [p.store] : []));
  const replayCount = chosen.length - replayStore.length;
  const fitted = [...train, ...replayStore].map((v) => v.imageId);
  const fitGroups = validation.length === 0 ? recordedGroups(fitted, groupOf) : [];
  // The trainer's validation needs a group of its own, kept out of fitting: none when every image is one eye.
  if (replayCount === 0 && fitGroups.length === 1 && fitGroups[0].length === fitted.length) {
    throw new RetrainError(
      `the ${fitted.length} images to train on are all one eye's photographs or copies of one photograph: ` +
        'choosing the threshold and best epoch needs another eye kept out of fitting. Approve an image of ' +
        'another eye (or allow replay of earlier training data), then retrain',
    );
  }
  return {
    baseModelId: base.id,
    train: train.map(asEntry).sort(byImage),
    validation: validation.map(asEntry).sort(byImage),
    heldOut: heldOutVersions.map(asEntry).sort(byImage),
    usableHeldOut,
    ...(sameGroup.length > 0 ? { heldOutGroups: sameGroup } : {}),
    ...(fitGroups.length > 0 ? { fitGroups } : {}),
    replay: {
      store: replayStore.sort(byImage),
      dataset: chosen
        .flatMap((p) => (p.dataset ? [p.dataset] : []))
        .sort((a, b) => a.sampleId.localeCompare(b.sampleId)),
    },
    seenCount: seenImages.size,
  };
}
