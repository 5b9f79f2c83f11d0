// Recognising what a folder holds before anything is decoded: known dataset layouts (by their folder names) and
// annotation files (by their names). The dataset adapters (datasets.ts) and the store's import both decide with
// these rules, so a folder opens for training exactly as it imports into the study store.
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from '../io/image-io.js';
import type { DatasetRef, SampleRef } from '../types.js';

export type DatasetKind = DatasetRef['kind'];

/**
 * The folder layouts recognised. drive and stare have their own adapters; the others are read by the generic one
 * (images paired with annotations by stem), which finds their label and FOV folders by name.
 */
export type DatasetLayout = 'drive' | 'stare' | 'chase' | 'hrf' | 'lesav' | 'generic';

export const LAYOUT_TITLES: Record<DatasetLayout, string> = {
  drive: 'DRIVE',
  stare: 'STARE',
  chase: 'CHASE-style',
  hrf: 'HRF-style',
  lesav: 'LES-AV-style',
  generic: 'generic',
};

/** Folders beside images/ in the generic family, in order of preference. `mask/` (singular) is the FOV, as in
 * DRIVE, HRF and LES-AV; `masks/` holds the ground truth. */
export const LABEL_FOLDERS = ['masks', 'manual1', 'vessel', '1st_manual'] as const;
export const FOV_FOLDERS = ['fov', 'mask'] as const;
export const SECOND_OBSERVER_FOLDERS = ['2nd_manual', 'manual2'] as const;

export type AnnotationRole = 'label' | 'second-observer' | 'fov';

/** Name endings (after `_`, `-` or `.`) that mark a file as an annotation of the image named by the rest. */
const ANNOTATION_SUFFIXES: Record<string, AnnotationRole> = {
  manual1: 'label',
  '1stho': 'label',
  gt: 'label',
  mask: 'label',
  ah: 'label',
  manual2: 'second-observer',
  '2ndho': 'second-observer',
  vk: 'second-observer',
  fov: 'fov',
};
const ANNOTATION_NAME = /^(.+?)[_.-](manual1|1stHO|gt|mask|ah|manual2|2ndHO|vk|fov)$/i;

export interface AnnotationName {
  /** The stem of the image it annotates. */
  base: string;
  role: AnnotationRole;
  /** The ending as written, e.g. `_1stHO`, `.ah`. */
  suffix: string;
}

/** What a file stem says it annotates (`Image_01L_1stHO` → label of `Image_01L`); null for an ordinary name. */
export function annotationName(fileStem: string): AnnotationName | null {
  const m = ANNOTATION_NAME.exec(fileStem);
  if (!m) return null;
  return {
    base: m[1],
    role: ANNOTATION_SUFFIXES[m[2].toLowerCase()],
    suffix: fileStem.slice(m[1].length),
  };
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function hasImageExtension(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** A file name taken for a photograph: an image format's extension, or DICOM's (DICOM without one is found by content). */
export function isPhotographName(name: string): boolean {
  return hasImageExtension(name) || ['.dcm', '.dicom'].includes(extname(name).toLowerCase());
}

/** Image files in a folder (by extension, DICOM's too; hidden files skipped), sorted by name. Missing folder → []. */
export function listImages(dir: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && isPhotographName(n))
    .sort()
    .map((n) => join(dir, n));
}

/** File name without its (last) extension; STARE's `im0001.ah.ppm` gives `im0001.ah`. */
export function stem(p: string): string {
  const name = basename(p);
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** The first of `names` that is a folder under `root`. */
export function firstFolder(root: string, names: readonly string[]): string | undefined {
  return names.map((n) => join(root, n)).find(isDir);
}

/**
 * The layout of a dataset folder, or null when it is none of them (then it is a plain folder of pictures):
 *  - drive:   training/images or test/images;
 *  - stare:   images/ with labels-ah/ or labels-vk/;
 *  - hrf:     images/ with manual1/ (FOV in mask/);
 *  - lesav:   images/ with vessel/ (FOV in mask/);
 *  - generic: images/ with masks/, fov/, mask/ or 1st_manual/ (a DRIVE split folder on its own is one);
 *  - chase:   no images/ folder, images beside their `<stem>_1stHO` (and `<stem>_2ndHO`) files.
 * images/ alone is not a layout here: it holds nothing to pair, and a plain import reads it the same way.
 */
export function detectDatasetLayout(root: string): DatasetLayout | null {
  if (['training', 'test'].some((s) => isDir(join(root, s, 'images')))) return 'drive';
  if (isDir(join(root, 'images'))) {
    const has = (name: string): boolean => isDir(join(root, name));
    if (has('labels-ah') || has('labels-vk')) return 'stare';
    if (has('manual1')) return 'hrf';
    if (has('vessel')) return 'lesav';
    if ([...LABEL_FOLDERS, ...FOV_FOLDERS, ...SECOND_OBSERVER_FOLDERS].some(has)) return 'generic';
    return null;
  }
  const names = isDir(root) ? readdirSync(root).filter(hasImageExtension) : [];
  const stems = new Set(names.map(stem));
  const pairedFirstObserver = (n: string): boolean => {
    const a = annotationName(stem(n));
    return a?.suffix.slice(1).toLowerCase() === '1stho' && stems.has(a.base);
  };
  return names.some(pairedFirstObserver) ? 'chase' : null;
}

/** The adapter that reads a layout. */
export function adapterKind(layout: DatasetLayout): DatasetKind {
  return layout === 'drive' || layout === 'stare' ? layout : 'generic';
}

/** A file an import leaves out, and why. */
export interface LeftOutFile {
  path: string;
  reason: string;
  /** Something the user should act on (not a dataset's routine leftover): named in the app's import report. */
  notice?: boolean;
  /**
   * Named like an annotation but paired with no photograph: it may be a photograph of its own (a clinic's
   * "Keller_VK.jpg"), which its pixels tell (an importer reads it as one unless it looks like a label).
   */
  unpaired?: boolean;
}

export interface FlatPairing {
  /** Every image among the names, with the annotations paired to it. */
  samples: SampleRef[];
  /** Annotation files with no image to pair with, or a second one for the same image and role. */
  leftOut: LeftOutFile[];
}

const ROLE_WORDS: Record<AnnotationRole, string> = {
  label: 'ground truth',
  'second-observer': "second observer's annotation",
  fov: 'FOV mask',
};

/**
 * Pairs the files of one folder by name: a name ending in an annotation suffix (see annotationName) belongs to
 * the image whose stem precedes the suffix; every other name is an image. With `siblingFolders`, files in
 * `masks/` and `fov/` beside the images pair by equal stem too (they win over suffixed names). Annotations are
 * never returned as images: one with no image is left out with the reason.
 */
export function pairFlatFolder(
  folder: string,
  names: readonly string[],
  opts: { siblingFolders: boolean },
): FlatPairing {
  const sorted = [...names].sort();
  const imageNames = sorted.filter((n) => !annotationName(stem(n)));
  const byStem = new Map<string, SampleRef>();
  // Photographs that share a stem (IMG001.JPG and IMG001.jpg): an annotation named after it could be either's.
  const shared = new Map<string, string[]>();
  const samples = imageNames.map((n): SampleRef => {
    const sample = { id: stem(n), imagePath: join(folder, n) };
    if (!byStem.has(sample.id)) byStem.set(sample.id, sample);
    shared.set(sample.id, [...(shared.get(sample.id) ?? []), n]);
    return sample;
  });
  const leftOut: LeftOutFile[] = [];
  const attach = (path: string, base: string, role: AnnotationRole, what: string, byName = false): void => {
    const twins = shared.get(base) ?? [];
    if (twins.length > 1) {
      leftOut.push({
        path,
        reason: `${what}, but ${twins.join(' and ')} share that name: which one it belongs to is unclear (rename one)`,
        notice: true,
      });
      return;
    }
    const sample = byStem.get(base);
    if (!sample) {
      leftOut.push({
        path,
        reason: `${what}, with no image of that name beside it to pair with`,
        ...(byName ? { unpaired: true } : {}),
      });
      return;
    }
    const slot = role === 'label' ? 'maskPath' : role === 'fov' ? 'fovPath' : 'secondObserverPath';
    if (sample[slot]) {
      leftOut.push({
        path,
        reason: `a second ${ROLE_WORDS[role]} for ${basename(sample.imagePath)} (${basename(sample[slot])} is used)`,
      });
      return;
    }
    sample[slot] = path;
  };
  if (opts.siblingFolders) {
    for (const [sub, role] of [
      ['masks', 'label'],
      ['fov', 'fov'],
    ] as const) {
      for (const path of listImages(join(folder, sub))) {
        attach(path, stem(path), role, `in ${sub}/ (a ${ROLE_WORDS[role]})`);
      }
    }
  }
  for (const n of sorted) {
    const a = annotationName(stem(n));
    if (a) attach(join(folder, n), a.base, a.role, `named like a ${ROLE_WORDS[a.role]} (${a.suffix})`, true);
  }
  return { samples, leftOut };
}
