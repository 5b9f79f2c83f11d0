// The study's images: LES-AV's held-out half (split_test_rmaphoh.txt) split into pool and test part, the gate
// image from LES-AV's training half, and the parent's DRIVE training images for replay (see round-store.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDataset } from '../../main/ml/data/datasets.js';
import type { DatasetRef, ModelManifest, SampleRef } from '../../main/ml/types.js';
import { splitPoolTest } from './design.js';

export const TEST_SPLIT_FILE = 'split_test_rmaphoh.txt';
export const TRAIN_SPLIT_FILE = 'split_train_rmaphoh.txt';
export const POOL_SIZE = 6;

export interface StudyData {
  lesav: DatasetRef;
  pool: SampleRef[];
  /** LES-AV with only the test part as its test split (what evaluateModel scores). */
  testSet: DatasetRef;
  gate: SampleRef;
  replay: SampleRef[];
}

function listed(root: string, file: string): string[] {
  return readFileSync(path.join(root, file), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

function samples(ref: DatasetRef, ids: readonly string[], where: string): SampleRef[] {
  return ids.map((id) => {
    const s = ref.splits.all.find((x) => x.id === id);
    if (!s?.maskPath) throw new Error(`${where}: '${id}' has no image with a vessel label`);
    return s;
  });
}

/** Ids the parent trained or validated on, per dataset prefix of its mix ('drive/21_training' -> drive). */
function parentIds(manifest: ModelManifest, prefix: string, key: 'trainIds' | 'validationIds'): string[] {
  const ids = (manifest.provenance as unknown as Record<string, unknown>)[key];
  return Array.isArray(ids)
    ? ids
        .filter((x): x is string => typeof x === 'string' && x.startsWith(`${prefix}/`))
        .map((x) => x.slice(prefix.length + 1))
    : [];
}

export function openStudyData(datasets: string, manifest: ModelManifest): StudyData {
  const lesavRoot = path.join(datasets, 'LES-AV');
  const lesav = openDataset(lesavRoot);
  const heldOut = listed(lesavRoot, TEST_SPLIT_FILE);
  const { pool, test } = splitPoolTest(heldOut, POOL_SIZE);
  const fitted = new Set(parentIds(manifest, 'les-av', 'trainIds'));
  const used = new Set([...fitted, ...parentIds(manifest, 'les-av', 'validationIds')]);
  if (heldOut.some((id) => used.has(id)))
    throw new Error(`the model was trained on an image of LES-AV's ${TEST_SPLIT_FILE}: not a fair study`);
  // The gate's image: LES-AV's training half, preferring one the parent never fitted (its validation images).
  const trainHalf = listed(lesavRoot, TRAIN_SPLIT_FILE).filter((id) => !heldOut.includes(id));
  const gateId = trainHalf.find((id) => !fitted.has(id)) ?? trainHalf[0];
  const drive = openDataset(path.join(datasets, 'DRIVE'), 'drive');
  const replayIds = parentIds(manifest, 'drive', 'trainIds');
  return {
    lesav,
    pool: samples(lesav, pool, TEST_SPLIT_FILE),
    testSet: {
      ...lesav,
      splits: { train: [], test: samples(lesav, test, TEST_SPLIT_FILE), all: lesav.splits.all },
    },
    gate: samples(lesav, [gateId], TRAIN_SPLIT_FILE)[0],
    replay: samples(drive, replayIds, 'DRIVE'),
  };
}
