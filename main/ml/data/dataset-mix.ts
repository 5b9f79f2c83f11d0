// Training mixes: several datasets (cameras) as one training set, sample ids prefixed by their dataset so they
// stay unique, with a fixed validation choice per dataset so thresholds and early stopping see every camera.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from './datasets.js';
import type { DatasetRef, SampleRef } from '../types.js';

export interface MixedDataset {
  dataset: DatasetRef;
  validationIds: string[];
}

interface MixPart {
  folder: string;
  /** Which samples train (split name, or a split file of ids in the folder). */
  train: 'train' | 'all' | { file: string };
  /** How many of them validate instead (the first ones by id after a fixed stride). */
  validation: number;
}

/** The generalist default model's data: four cameras, 30 to 200 degree fields, 565 to 1620 px wide. */
const GENERALIST: MixPart[] = [
  { folder: 'DRIVE', train: 'train', validation: 2 },
  { folder: 'STARE', train: 'train', validation: 2 },
  { folder: 'LES-AV', train: { file: 'split_train_rmaphoh.txt' }, validation: 2 },
  { folder: 'AV-WIDE', train: 'all', validation: 3 },
];

export const MIXES: Record<string, MixPart[]> = { generalist: GENERALIST };

/** The dataset folders a mix draws from (none for an unknown mix); its sample ids are `<folder lowercased>/<id>`. */
export function mixFolders(name: string): string[] {
  return (MIXES[name] ?? []).map((p) => p.folder);
}

function readIds(file: string): Set<string> {
  return new Set(
    readFileSync(file, 'utf8')
      .split(/\s+/)
      .map((s) => s.trim().replace(/\.[a-z]+$/i, ''))
      .filter(Boolean),
  );
}

/** Every k-th sample validates: spread over the dataset rather than its first few ids. */
function pickValidation(refs: SampleRef[], n: number): Set<string> {
  const sorted = [...refs].sort((a, b) => a.id.localeCompare(b.id));
  const stride = sorted.length / Math.max(1, n);
  return new Set(Array.from({ length: n }, (_, i) => sorted[Math.floor(i * stride + stride / 2)].id));
}

/** Opens a named mix under `root`; the test split is DRIVE's (the final evaluation the trainer records). */
export function openMix(name: string, root: string): MixedDataset {
  const parts = MIXES[name];
  if (!parts) throw new Error(`unknown mix '${name}' (known: ${Object.keys(MIXES).join(', ')})`);
  const train: SampleRef[] = [];
  const validationIds: string[] = [];
  let test: SampleRef[] = [];
  for (const part of parts) {
    const dir = join(root, part.folder);
    if (!existsSync(dir)) throw new Error(`mix '${name}' needs ${dir}`);
    const ds = openDataset(dir);
    let refs: SampleRef[];
    if (typeof part.train === 'string') refs = ds.splits[part.train];
    else {
      const ids = readIds(join(dir, part.train.file));
      refs = ds.splits.all.filter((r) => ids.has(r.id));
    }
    refs = refs.filter((r) => r.maskPath);
    const val = pickValidation(refs, part.validation);
    const prefix = part.folder.toLowerCase();
    for (const r of refs) {
      const id = `${prefix}/${r.id}`;
      train.push({ ...r, id });
      if (val.has(r.id)) validationIds.push(id);
    }
    if (part.folder === 'DRIVE') test = ds.splits.test;
  }
  return {
    dataset: {
      kind: 'generic',
      root: join(root, `mix-${name}`),
      splits: { train, test, all: [...train, ...test] },
    },
    validationIds,
  };
}
