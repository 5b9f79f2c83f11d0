// Which store images a model was trained or validated on outside the store (the bundled models: DRIVE, STARE,
// LES-AV, DRIONS-DB, AV-WIDE images named in their manifests), so a retrain never judges a candidate against the active model
// on images that model learnt: it would know them, and the comparison would favour it. `retina evaluate` and the
// anatomy cards use it alike to say which scored images a model learnt.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openDataset } from '../data/datasets.js';
import type { ModelManifest } from '../types.js';
import {
  decodeFingerprint,
  fileFingerprint,
  fingerprintHash,
  isHashCopy,
} from '../image/thumbnail-fingerprint.js';

/** A dataset sample as a manifest names it: its dataset folder (normalised) and sample id. */
export interface KnownSample {
  folder: string;
  id: string;
}

/**
 * Dataset folders the datasets folder names otherwise than the manifests do (the anatomy splits' ids say
 * "drions/image_001" for DRIONS-DB): the one place a folder's name is mapped to the manifests'.
 */
const FOLDER_ALIASES: Readonly<Record<string, string>> = { drionsdb: 'drions' };

/** "LES-AV", "les-av" and "lesav" are one folder; so are "drions" and "DRIONS-DB". */
const normalise = (name: string): string => {
  const plain = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return FOLDER_ALIASES[plain] ?? plain;
};

/** A dataset folder's path as a KnownSample's folder. */
export const sampleFolder = (root: string): string => normalise(basename(root));

/**
 * The samples a manifest trained and validated on. A training mix names each as `<folder>/<id>`; a single
 * dataset's ids are bare, under its dataset's folder.
 */
export function manifestSamples(
  manifest: ModelManifest,
  which: 'train' | 'validation' | 'both' = 'both',
): KnownSample[] {
  const p = manifest.provenance;
  if (!p) return [];
  const all = [...(p.trainIds ?? []), ...(p.validationIds ?? [])];
  const names =
    which === 'train' ? (p.trainIds ?? []) : which === 'validation' ? (p.validationIds ?? []) : all;
  // A training mix (the vessel model's `mix-…`, the anatomy models' "RITE + LES-AV"), and a retrain on a study,
  // name each sample `<dataset>/<id>`.
  const mixed =
    p.dataset?.startsWith('mix-') ||
    p.datasetKind === 'study' ||
    (all.length > 0 && all.every((name) => name.indexOf('/') > 0));
  return names.flatMap((name) => {
    if (!mixed) return [{ folder: normalise(p.dataset ?? ''), id: name }];
    return mixedSample(name) ?? [];
  });
}

/** A sample a mix names `<dataset>/<id>` (the anatomy datasets' ids: "drive/21_training"); null without a dataset. */
export function mixedSample(name: string): KnownSample | null {
  const slash = name.indexOf('/');
  return slash > 0 ? { folder: normalise(name.slice(0, slash)), id: name.slice(slash + 1) } : null;
}

/**
 * Whether a store image is one of `samples`: the same sample id, from a dataset of the same name. A DRIVE split
 * folder imported on its own is named "training" or "test", so an id that says which dataset it belongs to (a
 * letter in it: "21_training", "im0077", "wide_image_03") is enough; a bare number ("111") needs the name too.
 */
export function isKnownSample(
  image: { dataset: string | null; datasetSampleId: string | null },
  samples: readonly KnownSample[],
): boolean {
  const id = image.datasetSampleId;
  if (!id) return false;
  const folder = normalise(image.dataset ?? '');
  const distinctive = /[a-z]/i.test(id);
  return samples.some((s) => s.id === id && (s.folder === folder || distinctive));
}

/**
 * The photographs of `samples` in the dataset folders under `root` (a folder matched by name, as a manifest names
 * it); none where a folder is not on this machine or holds no photographs (RITE's labels).
 */
export function samplePhotographs(
  samples: readonly KnownSample[],
  root: string,
): { sample: KnownSample; path: string }[] {
  // A sample's folder as a caller spells it ('drions', 'DRIONS-DB') is compared as the folders' names are.
  const wanted = new Set(samples.map((s) => normalise(s.folder)));
  if (wanted.size === 0 || !existsSync(root)) return [];
  const out: { sample: KnownSample; path: string }[] = [];
  for (const name of readdirSync(root)) {
    const folder = sampleFolder(name);
    if (!wanted.has(folder)) continue;
    try {
      const ids = new Set(samples.filter((s) => normalise(s.folder) === folder).map((s) => s.id));
      out.push(
        ...openDataset(join(root, name))
          .splits.all.filter((r) => ids.has(r.id))
          .map((r) => ({ sample: { folder, id: r.id }, path: r.imagePath })),
      );
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * The fingerprints (hashes) a manifest records of the photographs its lineage learnt (none in an older manifest;
 * the thumbnails of one from before hashes are converted).
 */
export function manifestFingerprints(manifest: ModelManifest): Uint8Array[] {
  return Object.values(manifest.sampleFingerprints ?? {}).flatMap((text) => decodeFingerprint(text) ?? []);
}

/** The images of a scored set that a model trained on, and those it picked its epoch on. */
export interface LearntImages {
  trained: string[];
  validated: string[];
}

/**
 * Which of `images` (each a dataset folder's name and sample id) `manifest` trained or validated on: their scores
 * are no measure of held-out performance, so the evaluation and the cards say so.
 */
export function learntImages(
  manifest: ModelManifest,
  images: readonly { dataset: string; id: string }[],
): LearntImages {
  const pick = (samples: KnownSample[]) =>
    images
      .filter((i) => isKnownSample({ dataset: i.dataset, datasetSampleId: i.id }, samples))
      .map((i) => i.id);
  return {
    trained: pick(manifestSamples(manifest, 'train')),
    validated: pick(manifestSamples(manifest, 'validation')),
  };
}

/**
 * The same, also finding by its fingerprint a photograph `manifest` learnt under another name (a copy re-encoded,
 * resized or renamed into another dataset folder), which the name alone would score as unseen. A print the
 * manifest carries from its lineage counts as trained on.
 */
export async function learntImagesByContent(
  manifest: ModelManifest,
  images: readonly { dataset: string; id: string; path: string }[],
): Promise<LearntImages> {
  const byName = learntImages(manifest, images);
  const named = new Set([...byName.trained, ...byName.validated]);
  const validation = new Set(manifest.provenance?.validationIds ?? []);
  const prints = Object.entries(manifest.sampleFingerprints ?? {}).flatMap(([name, text]) => {
    const hash = decodeFingerprint(text);
    return hash ? [{ hash, validated: validation.has(name) }] : [];
  });
  const out = { trained: [...byName.trained], validated: [...byName.validated] };
  if (prints.length === 0) return out;
  for (const image of images.filter((i) => !named.has(i.id))) {
    const fp = await fileFingerprint(image.path).catch(() => null);
    const hash = fp && fingerprintHash(fp);
    if (!hash) continue; // unreadable: scoring it says why
    const [trained, validated] = [false, true].map((v) =>
      isHashCopy(
        hash,
        prints.filter((p) => p.validated === v).map((p) => p.hash),
      ),
    );
    if (trained) out.trained.push(image.id);
    if (validated) out.validated.push(image.id);
  }
  return out;
}
