// Writes a retrain's training data as a generic-layout dataset (images/, masks/, fov/, train.txt) in a temporary
// folder: the exact snapshot mask versions of store images, plus the replay samples of a dataset folder. Held-out
// images are never written, so the trainer cannot see them.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { openDataset } from '../ml/data/datasets.js';
import { extensionOf } from '../ml/io/image-io.js';
import type { DatasetRef, SampleRef } from '../ml/types.js';
import {
  encodeMaskPng,
  getImage,
  getMaskVersion,
  imageFilePath,
  loadFov,
  readMaskPng,
  type ImageRecord,
  type Store,
} from '../store/index.js';
import { RetrainError } from './errors.js';
import type { RetrainSnapshot, SnapshotMask } from './snapshot.js';
import { storeImageName, type TempNames } from './temp-names.js';

/** The sample id a store image gets in the training set. */
export function storeStem(imageId: number): string {
  return `img${imageId}`;
}

export function datasetStem(kind: string, sampleId: string): string {
  return `${kind}-${sampleId}`;
}

export interface TrainingSet {
  dataset: DatasetRef;
  /** Sample ids of the snapshot's validation images (undefined: let the trainer choose). */
  validationIds: string[] | undefined;
  /** Where the trainer chooses: the snapshot's groups of store images, each taken whole (see fitGroups). */
  sampleGroups: (refs: SampleRef[]) => Promise<Map<string, string>>;
}

/** The training set's sample ids grouped as `groups` (store image ids) says; every other sample is its own. */
function stemGroups(groups: readonly (readonly number[])[] | undefined): TrainingSet['sampleGroups'] {
  const groupOf = new Map<string, string>();
  for (const g of groups ?? []) for (const id of g) groupOf.set(storeStem(id), storeStem(Math.min(...g)));
  return (refs) => Promise.resolve(new Map(refs.map((r) => [r.id, groupOf.get(r.id) ?? r.id])));
}

async function writeStoreSample(
  store: Store,
  dir: string,
  entry: SnapshotMask,
  names?: TempNames,
): Promise<string> {
  const image = getImage(store, entry.imageId);
  const version = getMaskVersion(store, entry.maskVersionId);
  if (version.imageId !== image.id || version.kind !== 'approved') {
    throw new RetrainError(`mask version ${version.id} is not an approved mask of image ${image.id}`);
  }
  const stem = storeStem(image.id);
  await writeStoreImage(store, image, join(dir, 'images', stem), join(dir, 'fov', `${stem}.png`), names);
  const maskPath = join(dir, 'masks', `${stem}.png`);
  names?.add(maskPath, `the approved mask of ${storeImageName(image)}`);
  await writeFile(maskPath, await readMaskPng(store, version));
  return stem;
}

/**
 * Copies a store image's file to `imageBase` plus the extension its format reads by, and its stored field of view
 * (when it has one) to `fovPath`. Returns the paths written (fov undefined without a stored one).
 */
export async function writeStoreImage(
  store: Store,
  image: ImageRecord,
  imageBase: string,
  fovPath: string,
  names?: TempNames,
): Promise<{ imagePath: string; fovPath?: string }> {
  const imagePath = imageBase + (image.rasterHash ? '.png' : (extensionOf(image.format) ?? '.png'));
  names?.add(imagePath, storeImageName(image));
  await copyFile(imageFilePath(store, image), imagePath);
  if (!image.fovHash) return { imagePath };
  names?.add(fovPath, `the field of view of ${storeImageName(image)}`);
  await writeFile(fovPath, encodeMaskPng(await loadFov(store, image)));
  return { imagePath, fovPath };
}

async function writeDatasetSample(
  dir: string,
  ref: SampleRef,
  kind: string,
  names?: TempNames,
): Promise<string> {
  const stem = datasetStem(kind, ref.id);
  // A replayed dataset file is named by its own path, where the user can find it.
  const copy = async (from: string, sub: string): Promise<void> => {
    const to = join(dir, sub, stem + extname(from));
    names?.add(to, from);
    await copyFile(from, to);
  };
  await copy(ref.imagePath, 'images');
  await copy(ref.maskPath!, 'masks');
  if (ref.fovPath) await copy(ref.fovPath, 'fov');
  return stem;
}

/**
 * Writes the training set into `dir` (an empty folder the caller owns and removes); `names` learns what each
 * file written is.
 */
export async function writeTrainingSet(
  store: Store,
  snapshot: RetrainSnapshot,
  dir: string,
  names?: TempNames,
): Promise<TrainingSet> {
  for (const sub of ['images', 'masks', 'fov']) await mkdir(join(dir, sub), { recursive: true });
  const stems: string[] = [];
  for (const e of [...snapshot.train, ...snapshot.validation, ...snapshot.replay.store]) {
    stems.push(await writeStoreSample(store, dir, e, names));
  }
  const opened = new Map<string, DatasetRef>();
  for (const d of snapshot.replay.dataset) {
    let ref = opened.get(d.datasetRoot);
    if (!ref) {
      ref = openDataset(d.datasetRoot, d.datasetKind as DatasetRef['kind']);
      opened.set(d.datasetRoot, ref);
    }
    const sample = ref.splits.all.find((s) => s.id === d.sampleId && s.maskPath);
    if (!sample) throw new RetrainError(`${d.datasetRoot}: replay sample ${d.sampleId} has no ground truth`);
    stems.push(await writeDatasetSample(dir, sample, d.datasetKind, names));
  }
  await writeFile(join(dir, 'train.txt'), stems.join('\n') + '\n');
  const validationIds =
    snapshot.validation.length > 0 ? snapshot.validation.map((v) => storeStem(v.imageId)) : undefined;
  return {
    dataset: openDataset(dir, 'generic'),
    validationIds,
    sampleGroups: stemGroups(snapshot.fitGroups),
  };
}
