// Which store images must fall on the same side of a retrain's held-out line (and which dataset files on the same
// side of `retina train`'s validation line): the photographs of one eye (other visits included) and the same
// photograph imported twice (another file, format or size: the import's byte hash does not see it). Trained on one
// of them and judged on another, the candidate would be scored on what it learnt.
import { getClinicalMany, imageFilePath, loadImageRaster, type Store } from '../store/index.js';
import { basename } from 'node:path';
import type { RasterImage, SampleRef } from '../ml/types.js';
import { sampleGroups, type GroupingFacts } from '../ml/data/sample-groups.js';
import { clinicalFromFileName } from '../store/file-name-clinical.js';
import {
  fileFingerprint,
  fingerprintHash,
  isHashCopy,
  shrunkRaster,
  thumbnailFingerprint,
} from '../ml/image/thumbnail-fingerprint.js';

/** Fingerprints by the stored file's hash (or a dataset file's path): a photograph is decoded once per process. */
const fingerprints = new Map<string, Float64Array | null>();

async function cachedFingerprint(
  key: string,
  file: string,
  fullDecode: () => Promise<RasterImage>,
): Promise<Float64Array | null> {
  if (!fingerprints.has(key)) {
    try {
      fingerprints.set(key, thumbnailFingerprint(await shrunkRaster(file, fullDecode)));
    } catch {
      fingerprints.set(key, null); // unreadable: training on it fails with its own message
    }
  }
  return fingerprints.get(key)!;
}

function fingerprintOf(store: Store, imageId: number, fileHash: string): Promise<Float64Array | null> {
  return cachedFingerprint(fileHash, imageFilePath(store, imageId), () => loadImageRaster(store, imageId));
}

/** A dataset photograph's fingerprint, decoded once per process; null when it cannot be read. */
async function datasetFingerprint(file: string): Promise<Float64Array | null> {
  if (!fingerprints.has(`file:${file}`)) {
    fingerprints.set(`file:${file}`, await fileFingerprint(file).catch(() => null));
  }
  return fingerprints.get(`file:${file}`)!;
}

/** A dataset photograph's hash (as a manifest records it), decoded once per process; null when it cannot be read. */
export async function datasetFileHash(file: string): Promise<Uint8Array | null> {
  const fp = await datasetFingerprint(file);
  return fp && fingerprintHash(fp);
}

/** The items whose photograph's hash (null: unreadable) is one of `prints`. */
async function hashCopies<T>(
  items: readonly T[],
  hashOf: (item: T) => Promise<Uint8Array | null>,
  prints: readonly Uint8Array[],
): Promise<Set<T>> {
  const out = new Set<T>();
  if (prints.length === 0) return out;
  for (const item of items) {
    const hash = await hashOf(item);
    if (hash && isHashCopy(hash, prints)) out.add(item);
  }
  return out;
}

async function storeImageHash(store: Store, imageId: number, fileHash: string): Promise<Uint8Array | null> {
  const fp = await fingerprintOf(store, imageId, fileHash);
  return fp && fingerprintHash(fp);
}

/**
 * The store images among `imageIds` that are one of the photographs `prints` hash (those a model learnt, as its
 * manifest records them) imported under another name, format or size, which the dataset's name and sample id on
 * the image cannot show.
 */
export function copiesOf(
  store: Store,
  imageIds: readonly number[],
  fileHashOf: (imageId: number) => string,
  prints: readonly Uint8Array[],
): Promise<Set<number>> {
  return hashCopies(imageIds, (id) => storeImageHash(store, id, fileHashOf(id)), prints);
}

/**
 * The dataset photographs among `files` that are one of the store images `imageIds` imported under another name,
 * format or size.
 */
export async function filesCopying(
  store: Store,
  imageIds: readonly number[],
  fileHashOf: (imageId: number) => string,
  files: readonly string[],
): Promise<Set<string>> {
  const prints: Uint8Array[] = [];
  for (const id of imageIds) {
    const hash = await storeImageHash(store, id, fileHashOf(id));
    if (hash) prints.push(hash);
  }
  return hashCopies(files, datasetFileHash, prints);
}

/**
 * Each image's group, as the smallest image id of the group: images of one patient's eye (a patient's images of
 * unknown eye count as one eye) and copies of one photograph are one group; any other image is its own.
 */
export async function imageGroups(
  store: Store,
  imageIds: readonly number[],
  fileHashOf: (imageId: number) => string,
): Promise<Map<number, number>> {
  const ids = [...new Set(imageIds)].sort((a, b) => a - b);
  const clinical = new Map(getClinicalMany(store, ids).map((c) => [c.imageId, c]));
  const facts = new Map<number, GroupingFacts>();
  for (const id of ids) {
    const c = clinical.get(id);
    facts.set(id, {
      patient: c?.patientDbId != null ? String(c.patientDbId) : null,
      eye: c?.eye ?? null,
      fingerprint: await fingerprintOf(store, id, fileHashOf(id)),
    });
  }
  return sampleGroups(ids, facts);
}

/**
 * Each dataset sample's group, as the first of its group in `refs`' order: the eye and patient its file name says
 * (read as an import reads them: public datasets' names say neither) and copies of one photograph.
 */
export async function datasetSampleGroups(refs: readonly SampleRef[]): Promise<Map<string, string>> {
  const facts = new Map<string, GroupingFacts>();
  for (const r of refs) {
    const named = clinicalFromFileName(basename(r.imagePath));
    facts.set(r.id, {
      patient: named.patientId,
      eye: named.eye,
      fingerprint: await datasetFingerprint(r.imagePath),
    });
  }
  return sampleGroups(
    refs.map((r) => r.id),
    facts,
  );
}
