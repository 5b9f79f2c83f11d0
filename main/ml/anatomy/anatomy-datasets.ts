// Where the anatomy references live in a datasets folder laid out like ../shared/datasets (each dataset as its
// PROVENANCE.md describes it), and the splits the anatomy models are trained, validated and tested on. The splits
// are fixed lists, stated here once, so the model cards, the benchmark and the tests agree on them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface AnatomyRef {
  /** `<dataset>/<stem>`, as the vessel model's provenance names images. */
  id: string;
  imagePath: string;
  /** Field-of-view mask, where the dataset has one. */
  fovPath?: string;
  /** RGB artery/vein labels (RITE, LES-AV). */
  avPath?: string;
  /** Optic-disc mask (DRIVE-OD, DRIONS-DB, AV-WIDE). */
  discPath?: string;
}

export interface AnatomySplits {
  train: AnatomyRef[];
  /** Chosen among the training images: picks the epoch, never fitted on. */
  validation: AnatomyRef[];
  /** Held out: scored by the benchmark and the model card only. */
  test: Record<string, AnatomyRef[]>;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * Validation images. The artery/vein set is the vessel model's own validation images, so that model is never chosen
 * on an image the vessel model trained on. The disc set is not quite so: av-wide/wide_image_10 is one of the vessel
 * model's training images (the disc model reads its vessel mask), kept because the bundled disc model was picked on
 * it; the optic-disc card names the held-out images the vessel model learnt.
 */
const AV_VALIDATION = ['drive/26_training', 'drive/36_training', 'les-av/12', 'les-av/49'];
const DISC_VALIDATION = [
  'drive/26_training',
  'drive/36_training',
  'av-wide/wide_image_06',
  'av-wide/wide_image_10',
  'drions/image_005',
  'drions/image_025',
  'drions/image_045',
  'drions/image_065',
];

function driveRefs(root: string, split: 'training' | 'test', numbers: number[]): AnatomyRef[] {
  const d = join(root, 'DRIVE', split);
  return numbers.map((n) => ({
    id: `drive/${pad2(n)}_${split}`,
    imagePath: join(d, 'images', `${pad2(n)}_${split}.tif`),
    fovPath: join(d, 'mask', `${pad2(n)}_${split}_mask.gif`),
    avPath: join(root, 'RITE', 'av', split, `${pad2(n)}_${split}.png`),
    discPath: join(root, 'DRIVE-OD', 'od', `${pad2(n)}_${split}_gt.tif`),
  }));
}

function lesAvRefs(root: string, which: 'train' | 'test'): AnatomyRef[] {
  const d = join(root, 'LES-AV');
  const stems = readFileSync(join(d, `split_${which}_rmaphoh.txt`), 'utf8')
    .split(/\s+/)
    .filter(Boolean);
  return stems.map((s) => ({
    id: `les-av/${s}`,
    imagePath: join(d, 'images', `${s}.png`),
    fovPath: join(d, 'mask', `${s}_mask.gif`),
    avPath: join(d, 'av', `${s}.png`),
  }));
}

function stemsIn(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length))
    .sort();
}

/** Every fourth image (by sorted name, starting with the fourth) is held out for testing. */
function heldOut(stems: string[]): { fit: string[]; test: string[] } {
  return { fit: stems.filter((_, i) => i % 4 !== 3), test: stems.filter((_, i) => i % 4 === 3) };
}

function drionsRefs(root: string, stems: string[]): AnatomyRef[] {
  const d = join(root, 'DRIONS-DB');
  return stems.map((s) => ({
    id: `drions/${s}`,
    imagePath: join(d, 'images', `${s}.jpg`),
    discPath: join(d, 'od_expert1_mask_derived', `${s}.jpg`),
  }));
}

function avWideRefs(root: string, stems: string[]): AnatomyRef[] {
  const d = join(root, 'AV-WIDE');
  return stems.map((s) => ({
    id: `av-wide/${s}`,
    imagePath: join(d, 'images', `${s}.png`),
    discPath: join(d, 'od', `${s}_gt.png`),
  }));
}

function splitOff(refs: AnatomyRef[], validationIds: string[]): AnatomySplits {
  return {
    train: refs.filter((r) => !validationIds.includes(r.id)),
    validation: refs.filter((r) => validationIds.includes(r.id)),
    test: {},
  };
}

function need(root: string, names: readonly string[]): void {
  const missing = names.filter((n) => !existsSync(join(root, n)));
  if (missing.length > 0) throw new Error(`${root} lacks ${missing.join(', ')} (see ../shared/datasets)`);
}

/** The datasets each task's splits are drawn from (folders of a datasets folder). */
export const ARTERY_VEIN_DATASETS = ['DRIVE', 'RITE', 'LES-AV'] as const;
export const OPTIC_DISC_DATASETS = ['DRIVE', 'DRIVE-OD', 'DRIONS-DB', 'AV-WIDE'] as const;

/** Artery/vein: RITE training (DRIVE 21-40) and LES-AV's training half; tests RITE test and LES-AV's other half. */
export function arteryVeinSplits(root: string): AnatomySplits {
  need(root, ARTERY_VEIN_DATASETS);
  const s = splitOff(
    [...driveRefs(root, 'training', range(21, 40)), ...lesAvRefs(root, 'train')],
    AV_VALIDATION,
  );
  s.test = { 'RITE test': driveRefs(root, 'test', range(1, 20)), 'LES-AV held out': lesAvRefs(root, 'test') };
  return s;
}

/**
 * Optic disc: DRIVE training (DRIVE-OD masks), three quarters of DRIONS-DB and of AV-WIDE; tests DRIVE test and the
 * held-out quarters (every fourth image by name).
 */
export function opticDiscSplits(root: string): AnatomySplits {
  need(root, OPTIC_DISC_DATASETS);
  const drions = heldOut(stemsIn(join(root, 'DRIONS-DB', 'images'), '.jpg'));
  const wide = heldOut(stemsIn(join(root, 'AV-WIDE', 'images'), '.png'));
  const s = splitOff(
    [
      ...driveRefs(root, 'training', range(21, 40)),
      ...drionsRefs(root, drions.fit),
      ...avWideRefs(root, wide.fit),
    ],
    DISC_VALIDATION,
  );
  s.test = {
    'DRIVE test': driveRefs(root, 'test', range(1, 20)),
    'DRIONS-DB held out': drionsRefs(root, drions.test),
    'AV-WIDE held out': avWideRefs(root, wide.test),
  };
  return s;
}
