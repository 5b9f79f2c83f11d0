// Dataset adapters: turn a folder (DRIVE, STARE, or the generic family: images/ with masks/, HRF's manual1/,
// LES-AV's vessel/, or CHASE-style images and annotations side by side) into sample paths and splits, and load a
// sample into memory with its ground truth and field of view. Which layout a folder has: dataset-layout.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import {
  adapterKind,
  annotationName,
  detectDatasetLayout,
  firstFolder,
  FOV_FOLDERS,
  hasImageExtension,
  isDir,
  LABEL_FOLDERS,
  listImages,
  pairFlatFolder,
  SECOND_OBSERVER_FOLDERS,
  stem,
  type DatasetKind,
} from './dataset-layout.js';
import { deriveFov } from '../image/fov.js';
import { readBinaryMap, readPhotograph, toRgb8 } from '../io/image-io.js';
import type { BinaryMap, DatasetRef, LoadedSample, SampleRef, SplitName } from '../types.js';

export type { DatasetKind } from './dataset-layout.js';

/** One-line error naming the dataset path and what was expected there. */
export class DatasetError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'DatasetError';
  }
}

/** STARE has no official split; this is the common 10/10 split (see the datasets README). */
export const STARE_TRAIN_IDS = [
  'im0001',
  'im0002',
  'im0003',
  'im0004',
  'im0005',
  'im0044',
  'im0077',
  'im0081',
  'im0082',
  'im0139',
];
export const STARE_TEST_IDS = [
  'im0162',
  'im0163',
  'im0235',
  'im0236',
  'im0239',
  'im0240',
  'im0255',
  'im0291',
  'im0319',
  'im0324',
];

/** The adapter for a folder: its recognised layout's, else generic when it has an images/ folder. */
export function detectDatasetKind(root: string): DatasetKind | null {
  const layout = detectDatasetLayout(root);
  if (layout) return adapterKind(layout);
  return isDir(join(root, 'images')) ? 'generic' : null;
}

/**
 * Opens a dataset folder. The layout decides the kind unless `kind` is given:
 *  - drive:   training/{images,1st_manual,mask}, test/{images,1st_manual,2nd_manual,mask};
 *             train = training (21-40), test = test (01-20); the second observer is test/2nd_manual.
 *  - stare:   images/imNNNN.ppm, labels-ah (ground truth), labels-vk (second observer); the README's 10/10 split;
 *             a sample with no ah label keeps maskPath undefined.
 *  - generic: images/ with the ground truth in masks/ (or HRF's manual1/, LES-AV's vessel/, DRIVE's 1st_manual/),
 *             the FOV in fov/ (or mask/), a second observer in 2nd_manual/ or manual2/, paired by file stem (see
 *             pairByStem); or, with no images/ folder, CHASE-style images beside `<stem>_1stHO`-like annotations
 *             (see pairFlatFolder). Splits from train.txt / test.txt (one stem per line) when present, else
 *             train = every sample with a mask and test = [].
 * `splits.all` always holds every sample, in file-name order.
 */
export function openDataset(dir: string, kind?: DatasetKind): DatasetRef {
  const root = resolve(dir);
  if (!existsSync(root)) throw new DatasetError(root, 'dataset folder not found');
  if (!isDir(root)) throw new DatasetError(root, 'not a folder (expected a dataset folder)');
  if (readdirSync(root).filter((n) => !n.startsWith('.')).length === 0) {
    throw new DatasetError(root, 'dataset folder is empty (expected images/ or DRIVE training/ and test/)');
  }
  const detected = kind ?? detectDatasetKind(root);
  if (!detected) {
    throw new DatasetError(
      root,
      'unrecognised layout (expected images/ [+ masks/], STARE images/ + labels-ah/, DRIVE training/ and test/, or CHASE-style <stem>_1stHO files)',
    );
  }
  const ref =
    detected === 'drive' ? openDrive(root) : detected === 'stare' ? openStare(root) : openGeneric(root);
  if (ref.splits.all.length === 0) throw new DatasetError(root, `no images found (${detected} layout)`);
  return ref;
}

function present(p: string): string | undefined {
  return existsSync(p) ? p : undefined;
}

function openDrive(root: string): DatasetRef {
  const split = (folder: 'training' | 'test'): SampleRef[] =>
    listImages(join(root, folder, 'images')).map((imagePath) => {
      const id = stem(imagePath); // e.g. 21_training
      const num = id.split('_')[0];
      return {
        id,
        imagePath,
        maskPath: present(join(root, folder, '1st_manual', `${num}_manual1.gif`)),
        fovPath: present(join(root, folder, 'mask', `${num}_${folder}_mask.gif`)),
        secondObserverPath: present(join(root, folder, '2nd_manual', `${num}_manual2.gif`)),
      };
    });
  const train = split('training');
  const test = split('test');
  if (train.length + test.length === 0) {
    throw new DatasetError(root, 'no images in training/images or test/images (DRIVE layout)');
  }
  return { kind: 'drive', root, splits: { train, test, all: [...train, ...test].sort(byId) } };
}

function byId(a: SampleRef, b: SampleRef): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function openStare(root: string): DatasetRef {
  const images = listImages(join(root, 'images'));
  if (images.length === 0) throw new DatasetError(join(root, 'images'), 'no images found (STARE layout)');
  const labelFor = (folder: string, id: string): string | undefined => {
    const dir = join(root, folder);
    const suffix = folder === 'labels-ah' ? 'ah' : 'vk';
    return ['ppm', 'pgm', 'png'].map((ext) => join(dir, `${id}.${suffix}.${ext}`)).find((p) => existsSync(p));
  };
  const all = images.map((imagePath): SampleRef => {
    const id = stem(imagePath);
    return {
      id,
      imagePath,
      maskPath: labelFor('labels-ah', id),
      secondObserverPath: labelFor('labels-vk', id),
    };
  });
  const pick = (ids: string[]): SampleRef[] => all.filter((s) => ids.includes(s.id));
  return { kind: 'stare', root, splits: { train: pick(STARE_TRAIN_IDS), test: pick(STARE_TEST_IDS), all } };
}

const isDicomName = (p: string): boolean => ['.dcm', '.dicom'].includes(extname(p).toLowerCase());

/** Samples of a generic-family folder with images/: label, FOV and second-observer folders found by name. */
function genericFolderSamples(root: string): SampleRef[] {
  const imagesDir = join(root, 'images');
  // A file named like an annotation is never a sample, even inside images/.
  const listed = listImages(imagesDir).filter((p) => !annotationName(stem(p)));
  // An archive export often holds a DICOM and a PNG or JPEG of the same photograph: the picture is read, the
  // DICOM left out (reported as unused), rather than the whole folder refused for a shared stem.
  const pictureStems = new Set(listed.filter((p) => !isDicomName(p)).map(stem));
  const images = listed.filter((p) => !(isDicomName(p) && pictureStems.has(stem(p))));
  if (images.length === 0) throw new DatasetError(imagesDir, 'no image files found');
  const imageStems = images.map(stem);
  const duplicate = imageStems.find((s, i) => imageStems.indexOf(s) !== i);
  if (duplicate) throw new DatasetError(imagesDir, `two images share the stem "${duplicate}"`);
  const pairIn = (folders: readonly string[]): Map<string, string> => {
    const dir = firstFolder(root, folders);
    return dir ? pairByStem(imageStems, listImages(dir), dir) : new Map();
  };
  const masks = pairIn(LABEL_FOLDERS);
  const fovs = pairIn(FOV_FOLDERS);
  const seconds = pairIn(SECOND_OBSERVER_FOLDERS);
  return images.map((imagePath, i): SampleRef => ({
    id: imageStems[i],
    imagePath,
    maskPath: masks.get(imageStems[i]),
    fovPath: fovs.get(imageStems[i]),
    secondObserverPath: seconds.get(imageStems[i]),
  }));
}

/** Samples of a CHASE-style folder: images and their annotations side by side, paired by name. */
function flatFolderSamples(root: string): SampleRef[] {
  const names = readdirSync(root).filter((n) => !n.startsWith('.') && hasImageExtension(n));
  const { samples } = pairFlatFolder(root, names, { siblingFolders: true });
  if (samples.length === 0) {
    throw new DatasetError(
      root,
      'no images/ folder and no images in it (generic layout: images/, masks/, fov/)',
    );
  }
  const ids = samples.map((s) => s.id);
  const duplicate = ids.find((s, i) => ids.indexOf(s) !== i);
  if (duplicate) throw new DatasetError(root, `two images share the stem "${duplicate}"`);
  return samples;
}

function openGeneric(root: string): DatasetRef {
  const all = isDir(join(root, 'images')) ? genericFolderSamples(root) : flatFolderSamples(root);
  const imageStems = all.map((s) => s.id);
  const listed = (name: string): string[] | null => {
    const p = join(root, name);
    if (!existsSync(p)) return null;
    const ids = readFileSync(p, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((l) => stem(l));
    const unknown = ids.find((id) => !imageStems.includes(id));
    if (unknown) throw new DatasetError(p, `lists "${unknown}", which is not an image stem in images/`);
    return ids;
  };
  // train.txt / test.txt, else a published split's one file each (LES-AV's split_test_rmaphoh.txt: the held-out
  // half the model card scores, which `evaluate --split test` could not find).
  const published = (which: 'train' | 'test'): string | null => {
    const files = readdirSync(root).filter((n) => new RegExp(`^split_${which}[^/]*\\.txt$`).test(n));
    return files.length === 1 ? files[0] : null;
  };
  const listFile = (name: string, which: 'train' | 'test'): string | null =>
    existsSync(join(root, name)) ? name : published(which);
  const trainFile = listFile('train.txt', 'train');
  const testFile = listFile('test.txt', 'test');
  const trainIds = trainFile ? listed(trainFile) : null;
  const testIds = testFile ? listed(testFile) : null;
  // A stem in both lists would be trained on and then scored as if unseen.
  const both = trainIds?.find((id) => testIds?.includes(id));
  if (both !== undefined)
    throw new DatasetError(
      root,
      `${trainFile} and ${testFile} both list "${both}": a test image must not be trained on; list it in one of them`,
    );
  const byIds = (ids: string[]): SampleRef[] => all.filter((s) => ids.includes(s.id));
  let splits: Record<SplitName, SampleRef[]>;
  if (trainIds && testIds) splits = { train: byIds(trainIds), test: byIds(testIds), all };
  else if (testIds)
    splits = { train: all.filter((s) => s.maskPath && !testIds.includes(s.id)), test: byIds(testIds), all };
  else if (trainIds)
    splits = { train: byIds(trainIds), test: all.filter((s) => !trainIds.includes(s.id)), all };
  else if (/^test(ing)?$/i.test(basename(root)))
    // A split folder on its own (DRIVE's test/): its name says what it is, and a test image is never trained on.
    splits = { train: [], test: all.filter((s) => s.maskPath), all };
  else splits = { train: all.filter((s) => s.maskPath), test: [], all };
  return { kind: 'generic', root, splits, notes: leftOutNotes(root, all) };
}

/**
 * What a generic folder leaves out, for the train and evaluate commands to say: images without a label (not
 * trained or scored on) and label files no image pairs with. Both were dropped without a word.
 */
function leftOutNotes(root: string, all: SampleRef[]): string[] {
  const notes: string[] = [];
  const named = (ids: string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`;
  const unlabelled = all.filter((s) => !s.maskPath).map((s) => s.id);
  if (unlabelled.length > 0)
    notes.push(
      `${unlabelled.length} image(s) without a label, not used for training or scores: ${named(unlabelled)}`,
    );
  const labelDir = isDir(join(root, 'images')) ? firstFolder(root, LABEL_FOLDERS) : null;
  if (labelDir) {
    const used = new Set(all.map((s) => s.maskPath).filter(Boolean));
    const orphans = listImages(labelDir)
      .filter((f) => !used.has(f))
      .map((f) => basename(f));
    if (orphans.length > 0)
      notes.push(
        `${orphans.length} label file(s) in ${basename(labelDir)}/ with no image to pair with: ${named(orphans)}`,
      );
  }
  return notes;
}

const SEPARATOR = /^[._\-\s]/;

/**
 * Pairs files to images by stem: an exact stem match wins; otherwise a file whose stem extends an image stem after
 * a separator (`01_mask` → `01`; the longest such image stem), or whose stem the image stem extends
 * (`01` → image `01_training`), also once an annotation suffix is dropped (`21_manual1` → `21_training`). Two
 * candidate files for one image, or one file fitting two images equally, is an error rather than a guess.
 */
export function pairByStem(imageStems: string[], files: string[], dir: string): Map<string, string> {
  const exact = new Map<string, string>();
  const loose = new Map<string, string[]>();
  for (const file of files) {
    const s = stem(file);
    if (imageStems.includes(s)) {
      if (exact.has(s))
        throw new DatasetError(
          dir,
          `two files match image "${s}": ${basename(exact.get(s)!)}, ${basename(file)}`,
        );
      exact.set(s, file);
      continue;
    }
    // DRIVE names its ground truth by number alone: `21_manual1` belongs to `21_training`.
    const base = annotationName(s)?.base;
    const target =
      looseTarget(imageStems, s, file) ??
      (base === undefined || imageStems.includes(base) ? undefined : looseTarget(imageStems, base, file));
    if (target === undefined) continue;
    loose.set(target, [...(loose.get(target) ?? []), file]);
  }
  const pairs = new Map(exact);
  for (const [image, candidates] of loose) {
    if (pairs.has(image)) continue;
    if (candidates.length > 1) {
      throw new DatasetError(
        dir,
        `several files match image "${image}": ${candidates.map((c) => basename(c)).join(', ')}`,
      );
    }
    pairs.set(image, candidates[0]);
  }
  return pairs;
}

/** The image stem a file stem extends after a separator (the longest), or the one image stem extending it. */
function looseTarget(imageStems: string[], s: string, file: string): string | undefined {
  const prefixOf = imageStems.filter((im) => s.startsWith(im) && SEPARATOR.test(s.slice(im.length)));
  if (prefixOf.length > 0) {
    const longest = Math.max(...prefixOf.map((p) => p.length));
    return prefixOf.find((p) => p.length === longest);
  }
  const extendedBy = imageStems.filter((im) => im.startsWith(s) && SEPARATOR.test(im.slice(s.length)));
  if (extendedBy.length > 1) {
    throw new DatasetError(
      file,
      `matches several images (${extendedBy.join(', ')}); rename it to one image's stem`,
    );
  }
  return extendedBy[0];
}

/**
 * Loads a sample: the image as 8-bit RGB, the ground truth as 0/1 (null when the sample has none), and the FOV
 * from its file or, failing that, derived from the image. A mask or FOV of another size throws naming the file.
 */
export async function loadSample(ref: SampleRef): Promise<LoadedSample> {
  const image = toRgb8(await readPhotograph(ref.imagePath));
  const size = { width: image.width, height: image.height };
  const mask = ref.maskPath ? await readBinaryMap(ref.maskPath, size) : null;
  const fov = ref.fovPath ? await readBinaryMap(ref.fovPath, size) : deriveFov(image);
  return { id: ref.id, image, mask, fov, fovDerived: !ref.fovPath };
}

/** The second human observer's annotation as 0/1, or null where the dataset has none for this sample. */
export async function loadSecondObserver(
  ref: SampleRef,
  expected?: { width: number; height: number },
): Promise<BinaryMap | null> {
  return ref.secondObserverPath ? readBinaryMap(ref.secondObserverPath, expected) : null;
}
