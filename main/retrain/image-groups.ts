// Which store images must fall on the same side of a retrain's held-out line: the photographs of one eye (other
// visits included) and the same photograph imported twice (another file, format or size: the import's byte hash
// does not see it). Trained on one of them and judged on another, the candidate would be scored on what it learnt.
import { getClinicalMany, imageFilePath, loadImageRaster, type Store } from '../store/index.js';
import type { RasterImage } from '../ml/types.js';
import {
  DUPLICATE_CORRELATION,
  fileFingerprint,
  fingerprintCorrelation,
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

/** A dataset photograph's hash (as a manifest records it), decoded once per process; null when it cannot be read. */
export async function datasetFileHash(file: string): Promise<Uint8Array | null> {
  if (!fingerprints.has(`file:${file}`)) {
    fingerprints.set(`file:${file}`, await fileFingerprint(file).catch(() => null));
  }
  const fp = fingerprints.get(`file:${file}`)!;
  return fp && fingerprintHash(fp);
}

/**
 * The store images among `imageIds` that are one of the photographs `prints` hash (those a model learnt, as its
 * manifest records them) imported under another name, format or size, which the dataset's name and sample id on
 * the image cannot show.
 */
export async function copiesOf(
  store: Store,
  imageIds: readonly number[],
  fileHashOf: (imageId: number) => string,
  prints: readonly Uint8Array[],
): Promise<Set<number>> {
  const out = new Set<number>();
  if (prints.length === 0) return out;
  for (const id of imageIds) {
    const fp = await fingerprintOf(store, id, fileHashOf(id));
    const hash = fp && fingerprintHash(fp);
    if (hash && isHashCopy(hash, prints)) out.add(id);
  }
  return out;
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
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (id: number): number => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  const join = (a: number, b: number): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  const byEye = new Map<string, number>();
  for (const c of getClinicalMany(store, ids)) {
    if (c.patientDbId === null) continue;
    const key = `${c.patientDbId}:${c.eye ?? 'patient'}`;
    const first = byEye.get(key);
    if (first === undefined) byEye.set(key, c.imageId);
    else join(first, c.imageId);
  }
  // An image of unknown eye may be either eye: one group with all of its patient's images.
  for (const [key, id] of byEye) {
    const [patient, eye] = key.split(':');
    if (eye !== 'patient') continue;
    for (const other of ['OD', 'OS']) {
      const mate = byEye.get(`${patient}:${other}`);
      if (mate !== undefined) join(id, mate);
    }
  }
  const prints: [number, Float64Array][] = [];
  for (const id of ids) {
    const fp = await fingerprintOf(store, id, fileHashOf(id));
    if (fp) prints.push([id, fp]);
  }
  for (let i = 0; i < prints.length; i++) {
    for (let j = i + 1; j < prints.length; j++) {
      if (fingerprintCorrelation(prints[i][1], prints[j][1]) > DUPLICATE_CORRELATION)
        join(prints[i][0], prints[j][0]);
    }
  }
  return new Map(ids.map((id) => [id, find(id)]));
}
