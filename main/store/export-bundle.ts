// The export bundle: what the app's Export dialog and `retina db export --format bundle` write, in one fixed
// layout. Files go to a sink, so the same code fills a folder or a zip:
//   masks/<stem>.png          the chosen mask version, 0/255, the image's size
//   av/<stem>.png             with the masks: the version's artery/vein map (red artery, blue vein), when it has one
//   probabilities/<stem>.png  the latest prediction's probability map, v = round(255 p)
//   coco.json                 COCO with uncompressed RLE; image entries carry the clinical fields
//   metrics.csv               latest prediction against the standing approved mask, per image
//   images.csv                one row per exported image: clinical context, review state, mask version
//   measures/<stem>.json      the exported mask's vessel measures (the JSON `retina measure` writes)
//   measures.csv              the same, one row per image (the CSV `retina measure` writes)
//   manifest.json, README.txt what each file is, the app version, the models, the date
import {
  deidentifiedIdentity,
  deidentifiedStem,
  RECORDED_IDENTITY,
  type ExportIdentity,
} from './export-identity.js';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { tempSibling, writeDirAtomic } from '../node/atomic-fs.js';
import type { Protocol } from '../ml/types.js';
import type { Store } from './database.js';
import { ConstraintError } from './errors.js';
import { readBlob } from './file-store.js';
import { encodePng } from '../ml/io/image-io.js';
import { avImage } from '../ml/anatomy/artery-vein.js';
import { loadAvLabels } from './anatomy.js';
import { allImageIds, getImage, type ImageRecord } from './images.js';
import { latestMaskVersion, readMaskPng, type MaskVersion } from './masks.js';
import { activeModel, getModel } from './models.js';
import {
  approvalWithdrawn,
  chooseMaskVersion,
  cocoOf,
  computeImageMetrics,
  metricsCsv,
  outputStems,
  type MaskSource,
} from './export.js';
import { clinicalCsv, maskModelId } from './export-clinical.js';
import { maskVersionNumber } from './review.js';
import { measureSources, planMeasurement, scaleSourceOf, withPhotographVerdict } from './measure-inputs.js';
import { measureImage, withScaleSource, type ImageMeasures } from '../../shared/measure/measures.js';
import { readMeasureInput, type MeasureSources } from '../ml/measure/measure-sources.js';
import { measuresCsv, measuresJson } from '../../shared/measure/measure-table.js';
import { localDate } from '../../shared/local-time.js';

export type BundlePart = 'masks' | 'probabilities' | 'coco' | 'metrics' | 'clinical' | 'measures';
export const BUNDLE_PARTS: readonly BundlePart[] = [
  'masks',
  'probabilities',
  'coco',
  'metrics',
  'clinical',
  'measures',
];

export interface BundleOptions {
  /** Absent: every image. */
  imageIds?: number[];
  parts: readonly BundlePart[];
  source: MaskSource;
  /** Patient names in images.csv and coco.json (off by default). */
  includeNames?: boolean;
  /** Identifiers removed: images named by id, patients coded per export (see export-identity.ts). */
  deidentify?: boolean;
  appVersion: string;
  protocol?: Protocol;
  now?: Date;
  /** How the measures part measures an image (the app passes its worker thread); default: here, in turn. */
  measure?: (sources: MeasureSources) => Promise<ImageMeasures>;
}

/** Receives each file of the bundle, by its path relative to the bundle's root ('/'-separated). */
export type BundleSink = (path: string, bytes: Uint8Array) => Promise<void> | void;

export interface BundleSummary {
  /** Paths written, in the order written. */
  files: string[];
  images: number;
  masks: number;
  probabilities: number;
  /** Images left out of an export of approved masks because their approval was reopened since. */
  reopenedLeftOut: number;
}

interface Item {
  image: ImageRecord;
  stem: string;
  version: MaskVersion | null;
  prediction: MaskVersion | null;
}

const DESCRIPTIONS: Record<string, string> = {
  'masks/': 'vessel masks, one 8-bit PNG per image (0 background, 255 vessel) at the image size',
  'av/': 'artery/vein maps, one RGB PNG per image at the image size: red artery, blue vein, black background',
  'probabilities/': "the latest prediction's vessel probability, one 8-bit PNG per image (value = 255 x p)",
  'uncertainty/':
    'where the latest prediction is likely wrong, one 16-bit PNG per image (0 certain, 65535 most uncertain)',
  'coco.json':
    'COCO annotations, one "vessel" annotation per image as uncompressed RLE, with clinical fields',
  'metrics.csv':
    'per-image metrics of the latest prediction against the approved mask, for images with both (not reopened since)',
  'images.csv':
    'one row per exported image: patient ID, eye, visit, camera, review status, who approved the exported mask, mask version and its ' +
    'model, expected F1, the disc and fovea in pixels (disc_x_px, disc_y_px, disc_diameter_px, fovea_x_px, fovea_y_px)',
  'measures/':
    'vessel measures of each exported mask (CRAE, CRVE, AVR, calibre, tortuosity, fractal dimension, density), each {value, unit, ci95}, as `retina measure` writes them',
  'measures.csv':
    // Said in full: without a mask to measure there is no measures/ line above for "the same measures" to name.
    "the vessel measures of each exported mask, one row per image, with units, 95% intervals, why a value is absent, and whether the disc is cut off by the field's edge",
};

/** The bundle's date-stamped base name, e.g. retinastudio-export-2026-12-02: the date on the writer's calendar. */
export function bundleBaseName(now: Date): string {
  return `retinastudio-export-${localDate(now)}`;
}

/** Writes every file of the bundle to `sink`; images that do not exist fail before anything is written. */
export async function buildBundle(
  store: Store,
  opts: BundleOptions,
  sink: BundleSink,
): Promise<BundleSummary> {
  const now = opts.now ?? new Date();
  const parts = new Set(opts.parts);
  if (parts.size === 0) throw new ConstraintError('choose at least one part to export');
  if (opts.deidentify && opts.includeNames)
    throw new ConstraintError('a de-identified export leaves patient names out: ask for one or the other');
  const images = [...new Set(opts.imageIds ?? allImageIds(store))].map((id) => getImage(store, id));
  const identity = opts.deidentify ? deidentifiedIdentity() : RECORDED_IDENTITY;
  const stems = opts.deidentify
    ? new Map(images.map((image) => [image.id, deidentifiedStem(image)]))
    : outputStems(images);
  const items: Item[] = images.map((image) => ({
    image,
    stem: stems.get(image.id)!,
    version: chooseMaskVersion(store, image.id, opts.source),
    prediction: latestMaskVersion(store, image.id, 'prediction'),
  }));
  const summary: BundleSummary = {
    files: [],
    images: items.length,
    masks: 0,
    probabilities: 0,
    reopenedLeftOut:
      opts.source === 'approved'
        ? items.filter((i) => !i.version && approvalWithdrawn(store, i.image.id)).length
        : 0,
  };
  const put = async (path: string, bytes: Uint8Array | string): Promise<void> => {
    await sink(path, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
    summary.files.push(path);
  };
  const maskFile = (item: Item): string => `masks/${item.stem}.png`;

  if (parts.has('masks')) {
    for (const item of items) {
      if (!item.version) continue;
      await put(maskFile(item), await readMaskPng(store, item.version));
      summary.masks++;
      const labels = await loadAvLabels(store, item.version);
      if (labels) {
        const { width, height } = item.version;
        await put(`av/${item.stem}.png`, await encodePng(avImage(labels, width, height)));
      }
    }
  }
  if (parts.has('probabilities')) {
    for (const { stem, prediction } of items) {
      if (!prediction?.probHash) continue;
      // The stored map is already an 8-bit grey PNG at the image's size: written as kept.
      await put(`probabilities/${stem}.png`, await readBlob(store, prediction.probHash));
      summary.probabilities++;
      // The uncertainty map beside it when the model estimated one: 16-bit, 0 = certain, 65535 = most uncertain.
      if (prediction.uncertaintyHash) {
        await put(`uncertainty/${stem}.png`, await readBlob(store, prediction.uncertaintyHash));
      }
    }
  }
  if (parts.has('coco')) {
    const chosen = items.flatMap((i) => (i.version ? [{ image: i.image, version: i.version }] : []));
    const doc = await cocoOf(store, chosen, { includeNames: opts.includeNames, now, identity });
    await put('coco.json', JSON.stringify(doc));
  }
  if (parts.has('metrics')) {
    const ids = items.map((i) => i.image.id);
    const byId = new Map(items.map((i) => [i.image.id, i.image]));
    const rows = await computeImageMetrics(store, { imageIds: ids, protocol: opts.protocol });
    await put(
      'metrics.csv',
      metricsCsv(rows.map((r) => ({ ...r, fileName: identity.fileName(byId.get(r.imageId)!) }))),
    );
  }
  if (parts.has('clinical')) {
    const rows = items.map((i) => ({
      image: i.image,
      version: i.version,
      maskFile: parts.has('masks') && i.version ? maskFile(i) : null,
      prediction: i.prediction,
    }));
    await put('images.csv', clinicalCsv(store, rows, opts.includeNames === true, identity));
  }

  if (parts.has('measures')) await putMeasures(store, items, opts, identity, put);

  const manifest = manifestOf(store, opts, items, summary, now);
  await put('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  await put('README.txt', readmeOf(manifest));
  return summary;
}

/** The exported masks' measures: a JSON per image and one CSV, with the same code as `retina measure`. */
async function putMeasures(
  store: Store,
  items: Item[],
  opts: BundleOptions,
  identity: ExportIdentity,
  put: (path: string, bytes: string) => Promise<void>,
): Promise<void> {
  const measure =
    opts.measure ?? (async (sources: MeasureSources) => measureImage(await readMeasureInput(sources)));
  const rows: Parameters<typeof measuresCsv>[0] = [];
  for (const { image, stem, version } of items) {
    const plan = version ? planMeasurement(store, image, version) : null;
    if (!plan) continue;
    const scaleSource = scaleSourceOf(plan);
    // Micrometres name their origin, as `retina measure` writes them.
    const m = withPhotographVerdict(
      withScaleSource(await measure(measureSources(store, plan)), scaleSource),
      plan,
    );
    const extra = {
      imageId: image.id,
      image: identity.fileName(image),
      width: image.width,
      height: image.height,
      // Numbered as the app and images.csv number the image's versions (1, 2, ...), not the database's row id.
      maskVersion: maskVersionNumber(store, plan.version),
      maskKind: plan.version.kind,
      scaleSource,
    };
    await put(`measures/${stem}.json`, JSON.stringify(measuresJson(m, extra), null, 2) + '\n');
    rows.push({
      imageId: image.id,
      image: identity.fileName(image),
      width: image.width,
      height: image.height,
      measures: m,
    });
  }
  await put('measures.csv', measuresCsv(rows, { imageIds: true }));
}

interface Manifest {
  format: 'retinastudio-export';
  formatVersion: 1;
  appVersion: string;
  createdAt: string;
  source: MaskSource;
  includeNames: boolean;
  deidentified: boolean;
  images: number;
  masks: number;
  probabilities: number;
  imagesWithoutMask: number;
  /** Of those, images whose approval was reopened since (an export of approved masks leaves them out). */
  reopenedLeftOut: number;
  /** Models behind the exported predictions and probability maps, and the active one at export time. */
  models: { id: number; name: string }[];
  activeModel: { id: number; name: string } | null;
  files: Record<string, string>;
}

function manifestOf(
  store: Store,
  opts: BundleOptions,
  items: Item[],
  summary: BundleSummary,
  now: Date,
): Manifest {
  const modelIds = new Set<number>();
  for (const i of items) {
    if (i.prediction?.modelId != null) modelIds.add(i.prediction.modelId);
    // An approved mask's model is the one it was corrected from.
    const maskModel = i.version ? maskModelId(store, i.version) : null;
    if (maskModel !== null) modelIds.add(maskModel);
  }
  const active = activeModel(store);
  const files: Record<string, string> = {};
  for (const [path, text] of Object.entries(DESCRIPTIONS)) {
    if (summary.files.some((f) => f === path || (path.endsWith('/') && f.startsWith(path))))
      files[path] = text;
  }
  return {
    format: 'retinastudio-export',
    formatVersion: 1,
    appVersion: opts.appVersion,
    createdAt: now.toISOString(),
    source: opts.source,
    includeNames: opts.includeNames === true,
    deidentified: opts.deidentify === true,
    images: items.length,
    masks: summary.masks,
    probabilities: summary.probabilities,
    imagesWithoutMask: items.filter((i) => !i.version).length,
    reopenedLeftOut: summary.reopenedLeftOut,
    models: [...modelIds].sort((a, b) => a - b).map((id) => ({ id, name: getModel(store, id).name })),
    activeModel: active ? { id: active.id, name: active.name } : null,
    files: {
      ...files,
      'manifest.json': 'this description, machine-readable',
      'README.txt': 'this description',
    },
  };
}

function readmeOf(m: Manifest): string {
  const source =
    m.source === 'best' ? 'the approved mask, else the draft, else the prediction' : `${m.source} masks only`;
  const lines = [
    `RetinaStudio ${m.appVersion} export, ${m.createdAt}`,
    '',
    `${m.images} image(s); masks: ${source}${m.imagesWithoutMask ? ` (${m.imagesWithoutMask} image(s) had none)` : ''}.`,
    ...(m.reopenedLeftOut
      ? [
          `${m.reopenedLeftOut} image(s) reopened since approval left out: their approval is withdrawn until approved again.`,
        ]
      : []),
    ...(m.deidentified
      ? [
          'De-identified: images are named by their id, and patients coded P0001, P0002, ... (codes of this export only);',
          'no names, patient IDs or original file names. Birth years, eyes, visit dates and cameras are kept.',
        ]
      : [
          `Patients are identified by their patient ID as entered or read from a DICOM header${m.includeNames ? ' and their name (names included on request)' : '; names are not included'}.`,
          'Not anonymised: patient IDs (often the hospital record number), visit dates and the original file names are kept.',
        ]),
    `Models: ${m.models.map((x) => x.name).join(', ') || 'none'}; active when exported: ${m.activeModel?.name ?? 'none'}.`,
    '',
    'Files:',
    ...Object.entries(m.files).map(([path, text]) => `  ${path.padEnd(16)} ${text}`),
  ];
  return lines.join('\n') + '\n';
}

/**
 * Writes the bundle into `dir`, which must not exist or be empty: the folder appears whole or not at all (built
 * in a hidden sibling, then renamed into place).
 */
export async function writeBundleFolder(
  store: Store,
  dir: string,
  opts: BundleOptions,
): Promise<BundleSummary> {
  const target = resolve(dir);
  const fill = async (tmp: string): Promise<BundleSummary> =>
    buildBundle(store, opts, async (path, bytes) => {
      const file = join(tmp, ...path.split('/'));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
    });
  const existing = await stat(target).catch(() => null);
  if (!existing) {
    let summary: BundleSummary | null = null;
    await writeDirAtomic(target, async (tmp) => {
      summary = await fill(tmp);
    });
    return summary!;
  }
  if (!existing.isDirectory()) throw new ConstraintError(`${target} is a file, not a folder`);
  if ((await readdir(target)).length > 0)
    throw new ConstraintError(`${target} is not empty: choose an empty or a new folder`);
  const tmp = tempSibling(target);
  await mkdir(tmp);
  try {
    const summary = await fill(tmp);
    // rmdir refuses a folder that is no longer empty: nothing someone put there meanwhile is lost.
    await rmdir(target);
    await rename(tmp, target);
    return summary;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
