// Exports: masks as PNG, COCO JSON with uncompressed RLE, a CSV of per-image metrics, and a dataset folder in the
// generic layout (images/, masks/, fov/, train.txt/test.txt) that openDataset reads back. Every output file is
// written through a temporary sibling and a rename; the dataset folder appears whole or not at all.
import { csvField } from '../../shared/csv-field.js';
import { RECORDED_IDENTITY, type ExportIdentity } from './export-identity.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../node/atomic-fs.js';
import { fitStem } from '../node/file-name-fit.js';
import { encodePng, extensionOf } from '../ml/io/image-io.js';
import { computeMetrics } from '../ml/eval/metrics.js';
import type { Metrics, Protocol } from '../ml/types.js';
import type { Store } from './database.js';
import { ConstraintError } from './errors.js';
import { readBlob } from './file-store.js';
import { loadFov, loadImageRaster } from './image-data.js';
import { allImageIds, getImage, type ImageRecord } from './images.js';
import {
  latestMaskVersion,
  loadMask,
  loadProbability,
  readMaskPng,
  type MaskKind,
  type MaskVersion,
} from './masks.js';
import { areaAndBbox, encodeCocoRle, type CocoRle } from './rle.js';
import { getClinicalMany, type ClinicalRecord } from './clinical.js';
import { latestIds, maskVersionNumber, reviewStatus } from './review.js';

/**
 * Which version to export: 'best' = latest standing approval, else latest draft, else latest prediction. An approval
 * reopened or edited since (a newer draft) is withdrawn, as review and retraining take it: never exported as approved.
 */
export type MaskSource = 'best' | MaskKind;

const PREFERENCE: Record<MaskSource, readonly MaskKind[]> = {
  best: ['approved', 'draft', 'prediction'],
  approved: ['approved'],
  draft: ['draft'],
  prediction: ['prediction'],
};

export function chooseMaskVersion(
  store: Store,
  imageId: number,
  source: MaskSource = 'best',
): MaskVersion | null {
  const kinds = PREFERENCE[source];
  if (!kinds.includes('approved') || approvalStands(store, imageId))
    return latestMaskVersion(store, imageId, kinds);
  return latestMaskVersion(
    store,
    imageId,
    kinds.filter((k) => k !== 'approved'),
  );
}

/** The image's latest approval is its review state: no draft was saved after it (it was not reopened). */
function approvalStands(store: Store, imageId: number): boolean {
  return reviewStatus(latestIds(store, imageId)).status === 'approved';
}

/** The image was approved, then reopened or edited: its approval is withdrawn until it is approved again. */
export function approvalWithdrawn(store: Store, imageId: number): boolean {
  return reviewStatus(latestIds(store, imageId)).reopened;
}

function stem(name: string): string {
  return basename(name, extname(name));
}

/** What Windows refuses in a file name: these characters and every control character. */
const UNPORTABLE = new RegExp(`[<>:"/\\\\|?*\\u0000-\\u001f\\u007f]`, 'g');
/** Windows' device names, reserved whatever the extension (`CON.png`, `nul.v2.png`). */
const DEVICE_NAME = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;
/** Room left after a stem for what follows it: `_<image id>_<n>` and the longest extension (`.jpeg`). */
const SUFFIX_BYTES = 24;

/**
 * An image's stem as a name every system accepts: one Unicode form (NFC: a macOS name arrives decomposed), no
 * character Windows refuses, no trailing dot or space (Windows drops them), no device name, not too long.
 */
function portableStem(fileName: string): string {
  const s = stem(fileName)
    .normalize('NFC')
    .replace(UNPORTABLE, '_')
    .replace(/[. ]+$/, (tail) => '_'.repeat(tail.length));
  const named = s === '' ? '_' : DEVICE_NAME.test(s) ? `_${s}` : s;
  return fitStem(named, SUFFIX_BYTES);
}

/** Two names one file on some system: case-insensitive file systems (macOS, Windows) fold case. */
function nameKey(name: string): string {
  return name.toLowerCase();
}

/**
 * Output names by image id: the original file stem made portable (portableStem), made unique with the image id
 * where two images share it.
 */
export function outputStems(images: ImageRecord[]): Map<number, string> {
  const stems = new Map(images.map((img) => [img.id, portableStem(img.fileName)]));
  const counts = new Map<string, number>();
  for (const s of stems.values()) counts.set(nameKey(s), (counts.get(nameKey(s)) ?? 0) + 1);
  // Each stem once, whatever the names: x.tif and x.png become x_1 and x_2, and then x_1.tif must not be x_1 too
  // (one image's files overwrote another's). Compared as the file system compares them (nameKey).
  const taken = new Set<string>();
  const out = new Map<number, string>();
  for (const img of images) {
    const s = stems.get(img.id)!;
    const base = counts.get(nameKey(s))! > 1 ? `${s}_${img.id}` : s;
    let name = base;
    for (let n = 2; taken.has(nameKey(name)); n++) name = `${base}_${n}`;
    taken.add(nameKey(name));
    out.set(img.id, name);
  }
  return out;
}

export interface ExportedMask {
  imageId: number;
  maskVersionId: number;
  kind: MaskKind;
  file: string;
}

export function imagesWithMasks(
  store: Store,
  source: MaskSource,
  imageIds?: number[],
): { image: ImageRecord; version: MaskVersion }[] {
  const out: { image: ImageRecord; version: MaskVersion }[] = [];
  for (const id of imageIds ?? allImageIds(store)) {
    const version = chooseMaskVersion(store, id, source);
    if (version) out.push({ image: getImage(store, id), version });
  }
  return out;
}

/** Writes `<stem>.png` (0/255, the image's size, the stored deterministic bytes) for each image with a mask. */
export async function exportMasks(
  store: Store,
  outDir: string,
  opts: { source?: MaskSource; imageIds?: number[] } = {},
): Promise<ExportedMask[]> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const items = imagesWithMasks(store, opts.source ?? 'best', opts.imageIds);
  const stems = outputStems(items.map((i) => i.image));
  const out: ExportedMask[] = [];
  for (const { image, version } of items) {
    const file = join(dir, `${stems.get(image.id)}.png`);
    await writeFileAtomic(file, await readMaskPng(store, version));
    out.push({ imageId: image.id, maskVersionId: version.id, kind: version.kind, file });
  }
  return out;
}

/** A COCO image entry, with the image's clinical context (the patient name only when asked for). */
export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  patient_id: string | null;
  patient_name?: string | null;
  birth_year: number | null;
  eye: string | null;
  visit_date: string | null;
  camera: string | null;
  field_angle_deg: number | null;
}

export interface CocoDocument {
  info: { description: string; version: string; date_created: string };
  images: CocoImage[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    segmentation: CocoRle;
    area: number;
    bbox: [number, number, number, number];
    iscrowd: 1;
    mask_version_id: number;
    /** The version's number among its image's versions (1 = the image's first mask). */
    version: number;
    kind: MaskKind;
    author: string;
  }[];
  categories: { id: number; name: string; supercategory: string }[];
}

export interface CocoOptions {
  source?: MaskSource;
  imageIds?: number[];
  /** Write patient names into the image entries (off by default). */
  includeNames?: boolean;
  now?: Date;
}

function cocoImage(
  image: ImageRecord,
  c: ClinicalRecord | undefined,
  includeNames: boolean,
  identity: ExportIdentity,
): CocoImage {
  return {
    id: image.id,
    file_name: identity.fileName(image),
    width: image.width,
    height: image.height,
    patient_id: identity.patient(c),
    ...(includeNames ? { patient_name: c?.name ?? null } : {}),
    birth_year: c?.birthYear ?? null,
    eye: c?.eye ?? null,
    visit_date: c?.visitDate ?? null,
    camera: c?.camera ?? null,
    field_angle_deg: c?.fieldAngleDeg ?? null,
  };
}

/** COCO-style JSON of chosen versions: one 'vessel' annotation per image, as uncompressed RLE (iscrowd 1). */
export async function cocoOf(
  store: Store,
  items: { image: ImageRecord; version: MaskVersion }[],
  opts: { includeNames?: boolean; now?: Date; identity?: ExportIdentity } = {},
): Promise<CocoDocument> {
  const clinical = new Map(
    getClinicalMany(
      store,
      items.map((i) => i.image.id),
    ).map((c) => [c.imageId, c]),
  );
  const doc: CocoDocument = {
    info: {
      description: 'RetinaStudio vessel masks',
      version: '1',
      date_created: (opts.now ?? new Date()).toISOString(),
    },
    images: [],
    annotations: [],
    categories: [{ id: 1, name: 'vessel', supercategory: 'retina' }],
  };
  for (const { image, version } of items) {
    const mask = await loadMask(store, version);
    doc.images.push(
      cocoImage(
        image,
        clinical.get(image.id),
        opts.includeNames === true,
        opts.identity ?? RECORDED_IDENTITY,
      ),
    );
    doc.annotations.push({
      id: version.id,
      image_id: image.id,
      category_id: 1,
      segmentation: encodeCocoRle(mask),
      ...areaAndBbox(mask),
      iscrowd: 1,
      mask_version_id: version.id,
      version: maskVersionNumber(store, version),
      kind: version.kind,
      author: (opts.identity ?? RECORDED_IDENTITY).author(version.author),
    });
  }
  return doc;
}

/** COCO-style JSON of the images' chosen versions (images without one are left out). */
export async function buildCoco(store: Store, opts: CocoOptions = {}): Promise<CocoDocument> {
  return cocoOf(store, imagesWithMasks(store, opts.source ?? 'best', opts.imageIds), opts);
}

export async function exportCoco(
  store: Store,
  outFile: string,
  opts: CocoOptions = {},
): Promise<CocoDocument> {
  const doc = await buildCoco(store, opts);
  await writeFileAtomic(resolve(outFile), JSON.stringify(doc));
  return doc;
}

export interface ImageMetricsRow {
  imageId: number;
  fileName: string;
  predictionVersionId: number;
  approvedVersionId: number;
  /** The versions as the app numbers them for the image (1, 2, ...), which the CSV gives. */
  predictionVersion: number;
  approvedVersion: number;
  modelId: number | null;
  /** 'probability' when the prediction's probability map was saved (AUCs meaningful), else 'binary'. */
  scores: 'probability' | 'binary';
  metrics: Metrics;
}

/**
 * Metrics of the latest prediction against the standing approval, for each image that has both (a reopened approval
 * is withdrawn: no reference until the image is approved again).
 */
export async function computeImageMetrics(
  store: Store,
  opts: { protocol?: Protocol; imageIds?: number[] } = {},
): Promise<ImageMetricsRow[]> {
  const protocol = opts.protocol ?? 'fov';
  const rows: ImageMetricsRow[] = [];
  for (const id of opts.imageIds ?? allImageIds(store)) {
    const prediction = latestMaskVersion(store, id, 'prediction');
    const approved = chooseMaskVersion(store, id, 'approved');
    if (!prediction || !approved) continue;
    const image = getImage(store, id);
    const truth = await loadMask(store, approved);
    const prob = await loadProbability(store, prediction);
    let scores: Float32Array;
    let threshold: number;
    if (prob) {
      scores = prob;
      threshold = prediction.threshold ?? 0.5;
    } else {
      const bin = await loadMask(store, prediction);
      scores = Float32Array.from(bin.data);
      threshold = 0.5;
    }
    const region = protocol === 'fov' ? (await loadFov(store, image)).data : null;
    rows.push({
      imageId: id,
      fileName: image.fileName,
      predictionVersionId: prediction.id,
      approvedVersionId: approved.id,
      predictionVersion: maskVersionNumber(store, prediction),
      approvedVersion: maskVersionNumber(store, approved),
      modelId: prediction.modelId,
      scores: prob ? 'probability' : 'binary',
      metrics: computeMetrics(scores, truth.data, region, threshold, protocol),
    });
  }
  return rows;
}

const METRIC_COLUMNS = [
  'f1',
  'iou',
  'sensitivity',
  'specificity',
  'precision',
  'accuracy',
  'mcc',
  'aucRoc',
  'aucPr',
] as const;

export function metricsCsv(rows: ImageMetricsRow[]): string {
  const header = [
    'image_id',
    'file_name',
    'prediction_version',
    'approved_version',
    'model_id',
    'scores',
    'protocol',
    'threshold',
    'tp',
    'fp',
    'tn',
    'fn',
    ...METRIC_COLUMNS.map((c) => c.replace(/[A-Z]/g, (m) => '_' + m.toLowerCase())),
  ];
  const lines = rows.map((r) =>
    [
      r.imageId,
      r.fileName,
      r.predictionVersion,
      r.approvedVersion,
      r.modelId,
      r.scores,
      r.metrics.protocol,
      r.metrics.threshold,
      r.metrics.tp,
      r.metrics.fp,
      r.metrics.tn,
      r.metrics.fn,
      ...METRIC_COLUMNS.map((c) => r.metrics[c]),
    ]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

export async function exportMetricsCsv(
  store: Store,
  outFile: string,
  opts: { protocol?: Protocol; imageIds?: number[] } = {},
): Promise<ImageMetricsRow[]> {
  const rows = await computeImageMetrics(store, opts);
  await writeFileAtomic(resolve(outFile), metricsCsv(rows));
  return rows;
}

export interface DatasetExport {
  dir: string;
  images: number;
  masks: number;
}

/**
 * Writes a generic-layout dataset: images/<stem>.<ext> (original bytes; DICOM as PNG), masks/<stem>.png (the chosen
 * version), fov/<stem>.png, and train.txt/test.txt from the images' dataset splits when any are known.
 * `onlyWithMasks` (default true) leaves out images without a mask of the chosen source.
 */
export async function exportDataset(
  store: Store,
  outDir: string,
  opts: { source?: MaskSource; imageIds?: number[]; onlyWithMasks?: boolean; overwrite?: boolean } = {},
): Promise<DatasetExport> {
  const target = resolve(outDir);
  const source = opts.source ?? 'best';
  const images = (opts.imageIds ?? allImageIds(store)).map((id) => getImage(store, id));
  const chosen = images
    .map((image) => ({ image, version: chooseMaskVersion(store, image.id, source) }))
    .filter((x) => x.version || opts.onlyWithMasks === false);
  const stems = outputStems(chosen.map((c) => c.image));
  let masks = 0;
  // An empty folder made for the export is taken (replaced once the export is complete); one with files is not.
  const emptyFolder =
    existsSync(target) && statSync(target).isDirectory() && readdirSync(target).length === 0;
  if (existsSync(target) && !emptyFolder && !opts.overwrite)
    throw new ConstraintError(`${target} already exists and is not an empty folder: choose another output`);
  await writeDirAtomic(
    target,
    async (tmp) => {
      for (const sub of ['images', 'masks', 'fov']) await mkdir(join(tmp, sub));
      const train: string[] = [];
      const test: string[] = [];
      for (const { image, version } of chosen) {
        const s = stems.get(image.id)!;
        const ext = extensionOf(image.format);
        const bytes = ext
          ? await readBlob(store, image.fileHash)
          : await encodePng(await loadImageRaster(store, image));
        await writeFile(join(tmp, 'images', s + (ext ?? '.png')), bytes);
        if (version) {
          await writeFile(join(tmp, 'masks', `${s}.png`), await readMaskPng(store, version));
          masks++;
        }
        if (image.fovHash)
          await writeFile(join(tmp, 'fov', `${s}.png`), await readBlob(store, image.fovHash));
        if (image.datasetSplit === 'train') train.push(s);
        if (image.datasetSplit === 'test') test.push(s);
      }
      if (train.length + test.length > 0) {
        await writeFile(join(tmp, 'train.txt'), train.join('\n') + '\n');
        await writeFile(join(tmp, 'test.txt'), test.join('\n') + '\n');
      }
    },
    { overwrite: opts.overwrite || emptyFolder },
  );
  return { dir: target, images: chosen.length, masks };
}
