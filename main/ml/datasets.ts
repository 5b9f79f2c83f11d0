// Dataset adapters: turn a folder (DRIVE, STARE, or a generic images/masks layout) into sample paths and splits,
// and load a sample into memory with its ground truth and field of view.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { deriveFov } from './fov.js';
import { IMAGE_EXTENSIONS, readBinaryMap, readImage, toRgb8 } from './image-io.js';
import type { BinaryMap, DatasetRef, LoadedSample, SampleRef, SplitName } from './types.js';

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

export type DatasetKind = DatasetRef['kind'];

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

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Image files in a folder (by extension; hidden files skipped), sorted by name. Missing folder → []. */
function listImages(dir: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && IMAGE_EXTENSIONS.has(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(dir, n));
}

/** File name without its (last) extension; STARE's `im0001.ah.ppm` gives `im0001.ah`. */
function stem(p: string): string {
  const name = basename(p);
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

export function detectDatasetKind(root: string): DatasetKind | null {
  if (['training', 'test'].some((s) => isDir(join(root, s, 'images')))) return 'drive';
  if (isDir(join(root, 'images')) && (isDir(join(root, 'labels-ah')) || isDir(join(root, 'labels-vk'))))
    return 'stare';
  if (isDir(join(root, 'images'))) return 'generic';
  return null;
}

/**
 * Opens a dataset folder. The layout decides the kind unless `kind` is given:
 *  - drive:   training/{images,1st_manual,mask}, test/{images,1st_manual,2nd_manual,mask};
 *             train = training (21-40), test = test (01-20); the second observer is test/2nd_manual.
 *  - stare:   images/imNNNN.ppm, labels-ah (ground truth), labels-vk (second observer); the README's 10/10 split;
 *             a sample with no ah label keeps maskPath undefined.
 *  - generic: images/, optional masks/ and fov/, paired by file stem (see pairByStem); splits from train.txt /
 *             test.txt (one stem per line) when present, else train = every sample with a mask and test = [].
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
      'unrecognised layout (expected images/ [+ masks/], STARE images/ + labels-ah/, or DRIVE training/ and test/)',
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

function openGeneric(root: string): DatasetRef {
  const imagesDir = join(root, 'images');
  if (!isDir(imagesDir))
    throw new DatasetError(root, 'no images/ folder (generic layout: images/, masks/, fov/)');
  const images = listImages(imagesDir);
  if (images.length === 0) throw new DatasetError(imagesDir, 'no image files found');
  const imageStems = images.map(stem);
  const duplicate = imageStems.find((s, i) => imageStems.indexOf(s) !== i);
  if (duplicate) throw new DatasetError(imagesDir, `two images share the stem "${duplicate}"`);
  const masks = pairByStem(imageStems, listImages(join(root, 'masks')), join(root, 'masks'));
  const fovs = pairByStem(imageStems, listImages(join(root, 'fov')), join(root, 'fov'));
  const all = images.map((imagePath, i): SampleRef => ({
    id: imageStems[i],
    imagePath,
    maskPath: masks.get(imageStems[i]),
    fovPath: fovs.get(imageStems[i]),
  }));
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
  const trainIds = listed('train.txt');
  const testIds = listed('test.txt');
  const byIds = (ids: string[]): SampleRef[] => all.filter((s) => ids.includes(s.id));
  let splits: Record<SplitName, SampleRef[]>;
  if (trainIds && testIds) splits = { train: byIds(trainIds), test: byIds(testIds), all };
  else if (testIds)
    splits = { train: all.filter((s) => s.maskPath && !testIds.includes(s.id)), test: byIds(testIds), all };
  else if (trainIds)
    splits = { train: byIds(trainIds), test: all.filter((s) => !trainIds.includes(s.id)), all };
  else splits = { train: all.filter((s) => s.maskPath), test: [], all };
  return { kind: 'generic', root, splits };
}

const SEPARATOR = /^[._\-\s]/;

/**
 * Pairs files to images by stem: an exact stem match wins; otherwise a file whose stem extends an image stem after
 * a separator (`01_mask` → `01`; the longest such image stem), or whose stem the image stem extends
 * (`01` → image `01_training`). Two candidate files for one image, or one file fitting two images equally, is an
 * error rather than a guess.
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
    const prefixOf = imageStems.filter((im) => s.startsWith(im) && SEPARATOR.test(s.slice(im.length)));
    const extendedBy = imageStems.filter((im) => im.startsWith(s) && SEPARATOR.test(im.slice(s.length)));
    let target: string | undefined;
    if (prefixOf.length > 0) {
      const longest = Math.max(...prefixOf.map((p) => p.length));
      const best = prefixOf.filter((p) => p.length === longest);
      target = best[0];
    } else if (extendedBy.length === 1) {
      target = extendedBy[0];
    } else if (extendedBy.length > 1) {
      throw new DatasetError(
        file,
        `matches several images (${extendedBy.join(', ')}); rename it to one image's stem`,
      );
    }
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

/**
 * Loads a sample: the image as 8-bit RGB, the ground truth as 0/1 (null when the sample has none), and the FOV
 * from its file or, failing that, derived from the image. A mask or FOV of another size throws naming the file.
 */
export async function loadSample(ref: SampleRef): Promise<LoadedSample> {
  const image = toRgb8(await readImage(ref.imagePath));
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
