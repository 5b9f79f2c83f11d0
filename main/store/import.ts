// Importing images: single files, folders (recursive), dataset layouts and DICOM. What to import from the paths
// given is planned in import-plan.ts (layouts recognised, annotations paired, the rest reported as skipped).
// Per image: hash → duplicate check → decode and validate (image, mask, FOV) → blobs written → one transaction
// inserting patient/study/image/mask rows and their audit entries. A failure at any step leaves the database
// without any trace of that image (at worst an orphan blob, which is harmless).
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import type { DatasetKind } from '../ml/data/dataset-layout.js';
import { DatasetError } from '../ml/data/datasets.js';
import { deriveFov } from '../ml/image/fov.js';
import {
  decodeImage,
  encodePng,
  ImageReadError,
  overBlack,
  readImage,
  sniffFormat,
  toBinaryMap,
  toRgb8,
} from '../ml/io/image-io.js';
import { encodeGreyPng } from '../ml/io/png-codec.js';
import type { BinaryMap, RasterImage } from '../ml/types.js';
import type { Store } from './database.js';
import { parseDicomImage, isDicom } from './dicom.js';
import { DicomError, MaskSizeError, StoreError, UnreadableImageError } from './errors.js';
import { hasBlob, putBlob, sha256 } from './file-store.js';
import { findImageByHash, insertImageTx, type ImageRecord, type Laterality } from './images.js';
import { encodeMaskPng, insertMaskVersionTx, latestMasks, saveMaskVersion, type MaskKind } from './masks.js';
import {
  mergePlans,
  planDataset,
  planFiles,
  planFolder,
  type ImageSource,
  type ImportPlan,
  type PlanOptions,
  type RecognisedDataset,
  type SkippedFile,
} from './import-plan.js';
import { clinicalFromFileName } from './file-name-clinical.js';
import { labelLikeReason } from './label-like.js';
import { isBlackFrame, photographNotes, type PhotographNote } from './photograph-notes.js';
import { ensurePatientTx, ensureStudyTx, ensureVisitTx, findPatient, type PatientInput } from './patients.js';
import { similarPatientIds, similarPatientWarning } from './patient-twins.js';
import { takeFromDuplicateName, type NameTaken } from './duplicate-name.js';

export type { PlanOptions, RecognisedDataset, SkippedFile } from './import-plan.js';

export interface ImportedImage {
  imageId: number;
  source: string;
  maskVersionId: number | null;
}

/** Something imported that a person should look at: the image is in, but may need correcting. */
export interface ImportWarning {
  source: string;
  imageId: number;
  /**
   * similar-patient-id: a patient created whose ID differs from another's only in case or leading zeros;
   * name-not-taken: a duplicate's name says an eye or patient the image it duplicates was not given;
   * pages-left-out: a multi-page file, of which only the first page was imported;
   * ungradable: a frame too dark or blown out to grade (a failed capture), imported all the same.
   */
  kind: 'similar-patient-id' | 'name-not-taken' | PhotographNote['kind'];
  /** One line, with what to do. */
  message: string;
  /** similar-patient-id: the new patient's ID and the existing look-alikes. */
  patientId?: string;
  similarPatientIds?: string[];
}

export interface ImportReport {
  imported: ImportedImage[];
  /**
   * Same bytes as an image already in the store: skipped; `maskVersionId` when a mask given with it was added to
   * that image (it had none a person saved).
   */
  duplicates: {
    source: string;
    existingImageId: number;
    maskVersionId?: number;
    /** What the image was given from this file's name (it had no eye, no patient). */
    filled?: NameTaken['filled'];
    /** What this file's name says that the image was not given, and why. */
    notTaken?: string;
  }[];
  failed: { source: string; error: string }[];
  /** Files not imported as images, with why: annotations with no image, second observers, pictures that look
   * like labels, files a dataset layout does not use. */
  skipped: SkippedFile[];
  /** Dataset layouts recognised among the paths. */
  datasets: RecognisedDataset[];
  warnings: ImportWarning[];
}

export interface ImportOptions {
  /** Who imports (audit log). */
  actor: string;
  /** Kind given to masks imported with the images (default 'approved': they are someone's ground truth). */
  maskKind?: Exclude<MaskKind, 'prediction'>;
  /** Called after each file with the running count. */
  onProgress?: (done: number, total: number, source: string) => void;
  /** Stop after the current image when this returns true. */
  shouldStop?: () => boolean;
  /**
   * The name an image is recorded under and its eye and patient are read from, by its path: an upload's own name
   * where it was staged under a shorter one. Default: the file's.
   */
  fileNameOf?: (path: string) => string;
}

/** Everything about one image, validated, before anything is written. */
interface PreparedImage {
  source: string;
  bytes: Buffer;
  fileHash: string;
  format: string;
  raster: RasterImage;
  /** DICOM: the pixels as PNG (the original bytes are not an image the engine reads). */
  rasterPng: Buffer | null;
  laterality: Laterality | null;
  pixelSpacingMm: [number, number] | null;
  acquisition: Record<string, unknown> | null;
  patient: PatientInput | null;
  study: { studyUid: string | null; studyDate: string | null; device: string | null } | null;
  fieldAngleDeg: number | null;
  mask: BinaryMap | null;
  maskAuthor: string | null;
  fov: BinaryMap;
  fovDerived: boolean;
  /** What a person should know of the photograph (pages left out, too dark to grade). */
  notes: PhotographNote[];
  /** Annotation files given with the photograph but not used (wrong size, unreadable, not a vessel map): why. */
  leftOut: { skipped: SkippedFile[]; failed: ImportReport['failed'] };
  dataset: string | null;
  datasetSampleId: string | null;
  datasetSplit: 'train' | 'test' | null;
}

/** Thrown by prepare for a picture that is an annotation, not a photograph: reported as skipped, not failed. */
class LabelLikeImage extends Error {}

/**
 * A store failure (a full disk, a database that became read-only) that stopped an import part of the way: the
 * images before it are imported and stay; `report` says which, `notImported` how many sources were left.
 */
export class ImportStoppedError extends StoreError {
  override name = 'ImportStoppedError';
  constructor(
    message: string,
    readonly report: ImportReport,
    readonly notImported: number,
  ) {
    super(message);
  }
}

export function mergeReports(reports: ImportReport[]): ImportReport {
  return {
    imported: reports.flatMap((r) => r.imported),
    duplicates: reports.flatMap((r) => r.duplicates),
    failed: reports.flatMap((r) => r.failed),
    skipped: reports.flatMap((r) => r.skipped),
    datasets: reports.flatMap((r) => r.datasets),
    warnings: reports.flatMap((r) => r.warnings),
  };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? oneLine(err);
    const why = code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : null;
    throw new UnreadableImageError(`${path}: ${why ?? `cannot read file (${code})`}`);
  }
}

/** Reads a mask-like file at the image's size; another size is a MaskSizeError naming the file. */
async function readMap(
  path: string,
  size: { width: number; height: number },
  what: string,
): Promise<BinaryMap> {
  let img: RasterImage;
  try {
    img = await readImage(path);
  } catch (err) {
    throw new UnreadableImageError(`${what} ${oneLine(err)}`);
  }
  if (img.width !== size.width || img.height !== size.height) {
    throw new MaskSizeError(
      `${path}: ${what} is ${img.width}x${img.height} but its image is ${size.width}x${size.height}`,
    );
  }
  return toBinaryMap(img);
}

async function prepare(
  src: ImageSource,
  bytes: Buffer,
  fileHash: string,
  opts: ImportOptions,
): Promise<PreparedImage> {
  const base = {
    source: src.imagePath,
    bytes,
    fileHash,
    dataset: src.dataset?.name ?? null,
    datasetSampleId: src.dataset?.sampleId ?? null,
    datasetSplit: src.dataset?.split ?? null,
  };
  let raster: RasterImage;
  let rest: Pick<
    PreparedImage,
    | 'format'
    | 'rasterPng'
    | 'laterality'
    | 'pixelSpacingMm'
    | 'acquisition'
    | 'patient'
    | 'study'
    | 'fieldAngleDeg'
  >;
  // The header's word wins; the file name fills what it leaves unknown.
  const named = clinicalFromFileName(opts.fileNameOf?.(src.imagePath) ?? basename(src.imagePath));
  const namedPatient = named.patientId ? { pseudonym: named.patientId } : null;
  const undatedVisit = { studyUid: null, studyDate: null, device: null };
  if (isDicom(bytes)) {
    const d = await parseDicomImage(bytes, src.imagePath);
    raster = d.raster;
    rest = {
      format: 'dicom',
      rasterPng: await encodePng(d.raster),
      laterality: d.laterality ?? named.eye,
      pixelSpacingMm: d.pixelSpacingMm,
      acquisition: d.acquisition,
      patient: d.patientId
        ? { pseudonym: d.patientId, name: d.patientName, birthYear: d.patientBirthYear, sex: d.patientSex }
        : namedPatient,
      study: d.patientId
        ? { studyUid: d.studyUid, studyDate: d.studyDate, device: d.device }
        : namedPatient && { ...undatedVisit, studyDate: d.studyDate, device: d.device },
      fieldAngleDeg: d.fieldAngleDeg,
    };
  } else {
    try {
      raster = await decodeImage(bytes, src.imagePath);
    } catch (err) {
      throw new UnreadableImageError(oneLine(err));
    }
    // A black frame is a failed capture, imported and said to be too dark, unless it is named like an annotation.
    const labelLike = !src.annotationName && isBlackFrame(raster) ? null : labelLikeReason(raster);
    // A file named like an annotation keeps that reason when its pixels agree; a photograph is imported whatever
    // its name (a clinic's "Huber-GT.jpg").
    if (labelLike) throw new LabelLikeImage(src.annotationName ?? labelLike);
    rest = {
      format: sniffFormat(bytes) ?? extname(src.imagePath).slice(1).toLowerCase(),
      rasterPng: null,
      laterality: named.eye,
      pixelSpacingMm: null,
      acquisition: null,
      patient: namedPatient,
      study: namedPatient && undatedVisit,
      fieldAngleDeg: null,
    };
  }
  const size = { width: raster.width, height: raster.height };
  const leftOut: PreparedImage['leftOut'] = { skipped: [], failed: [] };
  // An annotation that cannot be used costs the photograph nothing: it is imported without it, the file reported.
  const annotation = async (path: string | undefined, what: string): Promise<BinaryMap | null> => {
    if (!path) return null;
    try {
      return await readMap(path, size, what);
    } catch (err) {
      if (!(err instanceof MaskSizeError || err instanceof UnreadableImageError)) throw err;
      leftOut.failed.push({
        source: path,
        error: `${oneLine(err)} (${basename(src.imagePath)} imported without it)`,
      });
      return null;
    }
  };
  let mask = await annotation(src.maskPath, 'mask');
  let fovFile = await annotation(src.fovPath, 'FOV mask');
  const cover = mask ? coverage(mask) : 0;
  if (mask && cover > NOT_VESSELS) {
    // Vessels cover 5-20% of a photograph; a "mask" over most of it is a field of view (DRIVE names its FOV
    // files _mask), and as ground truth it would teach a retrain that the whole eye is vessel.
    leftOut.skipped.push({
      notice: true,
      source: src.maskPath!,
      reason:
        notVesselsReason(cover, basename(src.imagePath)) + (fovFile ? '' : ' (used as the field of view)'),
    });
    fovFile ??= mask;
    mask = null;
  }
  const shown = overBlack(raster);
  const fov = fovFile ?? deriveFov(toRgb8(shown));
  return {
    ...base,
    ...rest,
    raster,
    mask,
    maskAuthor: mask ? (src.dataset ? `dataset:${src.dataset.name}` : opts.actor) : null,
    fov,
    fovDerived: !fovFile,
    notes: photographNotes(raster, shown, fov),
    leftOut,
  };
}

/** More than this share of the image set: no vessel map. */
const NOT_VESSELS = 0.5;

/** Why a "mask" covering most of its photograph is not taken as vessels. */
function notVesselsReason(cover: number, photograph: string): string {
  return `covers ${Math.round(cover * 100)}% of ${photograph}: a field-of-view mask, not a vessel map`;
}

function coverage(m: BinaryMap): number {
  let on = 0;
  for (const v of m.data) if (v) on++;
  return on / m.data.length;
}

/** An image written, with the look-alike IDs of the patient it created (empty when it created none). */
type Committed = ImportedImage & { createdPatient: { pseudonym: string; similar: string[] } | null };

async function commit(store: Store, p: PreparedImage, opts: ImportOptions): Promise<Committed | number> {
  // An erasure finishing at this moment may remove files of the very same bytes between our storing them and our
  // write (it removes only files no committed row uses): the write checks they are there, else they are stored
  // again and the write retried.
  for (let attempt = 0; ; attempt++) {
    const done = await commitOnce(store, p, opts);
    if (done !== 'files-gone' || attempt > 0) {
      if (done === 'files-gone')
        throw new StoreError(`${p.source}: its files were removed while it was imported`);
      return done;
    }
  }
}

async function commitOnce(
  store: Store,
  p: PreparedImage,
  opts: ImportOptions,
): Promise<Committed | number | 'files-gone'> {
  // Blobs first: a committed row must never point at a blob that is not on disk.
  await putBlob(store, p.bytes, p.fileHash);
  const rasterHash = p.rasterPng ? await putBlob(store, p.rasterPng) : null;
  const fovHash = await putBlob(
    store,
    encodeGreyPng({ ...p.fov, data: p.fov.data.map((v) => (v ? 255 : 0)) }),
  );
  const maskHash = p.mask ? await putBlob(store, encodeMaskPng(p.mask)) : null;
  return store.write('import an image', () => {
    const needed = [p.fileHash, rasterHash, fovHash, maskHash].filter((h): h is string => h !== null);
    if (!needed.every((h) => hasBlob(store, h))) return 'files-gone';
    const existing = findImageByHash(store, p.fileHash);
    if (existing) return existing.id; // imported meanwhile by another process
    let studyId: number | null = null;
    let createdPatient: Committed['createdPatient'] = null;
    if (p.patient && p.study) {
      const isNew = findPatient(store, p.patient.pseudonym) === null;
      const patient = ensurePatientTx(store, p.patient, opts.actor);
      if (isNew)
        createdPatient = {
          pseudonym: patient.pseudonym,
          similar: similarPatientIds(store, patient.pseudonym),
        };
      const study = { patientId: patient.id, ...p.study };
      // A DICOM study is found by its UID; anything else joins the patient's visit of that day and camera.
      studyId = (
        p.study.studyUid ? ensureStudyTx(store, study, opts.actor) : ensureVisitTx(store, study, opts.actor)
      ).id;
    }
    const image: ImageRecord = insertImageTx(
      store,
      {
        studyId,
        fileHash: p.fileHash,
        fileName: opts.fileNameOf?.(p.source) ?? basename(p.source),
        sourcePath: p.source,
        format: p.format,
        byteSize: p.bytes.length,
        rasterHash,
        width: p.raster.width,
        height: p.raster.height,
        channels: p.raster.channels,
        laterality: p.laterality,
        pixelSpacingMm: p.pixelSpacingMm,
        fovHash,
        fovDerived: p.fovDerived,
        acquisition: p.acquisition,
        dataset: p.dataset,
        datasetSampleId: p.datasetSampleId,
        datasetSplit: p.datasetSplit,
        fieldAngleDeg: p.fieldAngleDeg,
      },
      opts.actor,
    );
    let maskVersionId: number | null = null;
    if (p.mask && maskHash) {
      maskVersionId = insertMaskVersionTx(store, {
        imageId: image.id,
        kind: opts.maskKind ?? 'approved',
        author: p.maskAuthor ?? opts.actor,
        parentId: null,
        modelId: null,
        pngHash: maskHash,
        width: p.mask.width,
        height: p.mask.height,
        note: 'imported',
        probHash: null,
        uncertaintyHash: null,
        quality: null,
        threshold: null,
      }).id;
    }
    return { imageId: image.id, source: p.source, maskVersionId, createdPatient };
  });
}

/** Imports one source into the report; never throws for bad input (it is reported), only for store failures. */
async function importSource(
  store: Store,
  src: ImageSource,
  report: ImportReport,
  opts: ImportOptions,
): Promise<void> {
  try {
    const bytes = await readBytes(src.imagePath);
    const fileHash = sha256(bytes);
    const existing = findImageByHash(store, fileHash);
    if (existing) {
      const maskVersionId = src.maskPath ? await maskForImported(store, existing, src, report, opts) : null;
      // The same bytes under a name that says more (pt12_OD.jpg after IMG_0001.jpg) fill in what the image lacks.
      const fileName = opts.fileNameOf?.(src.imagePath) ?? basename(src.imagePath);
      const taken = takeFromDuplicateName(store, existing.id, fileName, opts.actor);
      const filled = taken && Object.keys(taken.filled).length > 0 ? taken.filled : null;
      report.duplicates.push({
        source: src.imagePath,
        existingImageId: existing.id,
        ...(maskVersionId !== null ? { maskVersionId } : {}),
        ...(filled ? { filled } : {}),
        ...(taken?.notTaken ? { notTaken: taken.notTaken } : {}),
      });
      if (taken?.notTaken)
        report.warnings.push({
          source: src.imagePath,
          imageId: existing.id,
          kind: 'name-not-taken',
          message: `already image ${existing.id}; ${taken.notTaken}`,
        });
      if (taken?.createdPatient) warnSimilar(report, src.imagePath, existing.id, taken.createdPatient);
      return;
    }
    const prepared = await prepare(src, bytes, fileHash, opts);
    const result = await commit(store, prepared, opts);
    if (typeof result === 'number')
      report.duplicates.push({ source: src.imagePath, existingImageId: result });
    else {
      const { createdPatient, ...imported } = result;
      report.imported.push(imported);
      for (const n of prepared.notes)
        report.warnings.push({ source: src.imagePath, imageId: imported.imageId, ...n });
      if (createdPatient) warnSimilar(report, src.imagePath, imported.imageId, createdPatient);
    }
    report.skipped.push(...prepared.leftOut.skipped);
    report.failed.push(...prepared.leftOut.failed);
  } catch (err) {
    if (err instanceof LabelLikeImage) {
      report.skipped.push({ source: src.imagePath, reason: err.message });
      return;
    }
    // Input problems are per-file; a store that cannot be written stops the whole import.
    if (!isInputError(err)) throw err;
    report.failed.push({ source: src.imagePath, error: oneLine(err) });
  }
}

/** A patient just created beside look-alike IDs: not merged (two people may truly differ only so), but said. */
function warnSimilar(
  report: ImportReport,
  source: string,
  imageId: number,
  created: { pseudonym: string; similar: string[] },
): void {
  if (created.similar.length === 0) return;
  report.warnings.push({
    source,
    imageId,
    kind: 'similar-patient-id',
    message: similarPatientWarning(created.pseudonym, created.similar),
    patientId: created.pseudonym,
    similarPatientIds: created.similar,
  });
}

/**
 * A mask given with a photograph imported before (ground truth that came later): added to the image when no
 * person has drawn or approved one, else reported (an import never replaces a person's mask). Its version's id,
 * or null when it was not added.
 */
async function maskForImported(
  store: Store,
  image: ImageRecord,
  src: ImageSource,
  report: ImportReport,
  opts: ImportOptions,
): Promise<number | null> {
  const maskPath = src.maskPath!;
  const latest = latestMasks(store, image.id);
  if (latest.approved || latest.draft) {
    report.skipped.push({
      notice: true,
      source: maskPath,
      reason: `its photograph is already image ${image.id}, which has a mask a person saved: an import does not replace it`,
    });
    return null;
  }
  let mask: BinaryMap;
  try {
    mask = await readMap(maskPath, image, 'mask');
  } catch (err) {
    if (!isInputError(err)) throw err;
    report.failed.push({ source: maskPath, error: oneLine(err) });
    return null;
  }
  if (coverage(mask) > NOT_VESSELS) {
    report.skipped.push({
      notice: true,
      source: maskPath,
      reason: notVesselsReason(coverage(mask), `image ${image.id}`),
    });
    return null;
  }
  const saved = await saveMaskVersion(store, {
    imageId: image.id,
    kind: opts.maskKind ?? 'approved',
    author: src.dataset ? `dataset:${src.dataset.name}` : opts.actor,
    mask,
    note: 'imported',
  });
  return saved.id;
}

function isInputError(err: unknown): boolean {
  return (
    err instanceof UnreadableImageError ||
    err instanceof MaskSizeError ||
    err instanceof DicomError ||
    err instanceof ImageReadError ||
    err instanceof DatasetError
  );
}

/** Imports a plan's images; the plan's skipped files, datasets and failures start the report. */
async function importPlan(store: Store, plan: ImportPlan, opts: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = {
    imported: [],
    duplicates: [],
    failed: [...plan.failed],
    skipped: [...plan.skipped],
    datasets: plan.datasets,
    warnings: [],
  };
  const sources = plan.sources;
  for (let i = 0; i < sources.length; i++) {
    if (opts.shouldStop?.()) break;
    try {
      await importSource(store, sources[i], report, opts);
    } catch (err) {
      throw new ImportStoppedError(oneLine(err), report, sources.length - i);
    }
    opts.onProgress?.(i + 1, sources.length, sources[i].imagePath);
  }
  return report;
}

/** Imports image files (any format the engine reads, or DICOM), each with optional mask and FOV paths as given. */
export async function importImageFiles(
  store: Store,
  files: { imagePath: string; maskPath?: string; fovPath?: string }[],
  opts: ImportOptions,
): Promise<ImportReport> {
  const sources: ImageSource[] = files.map((f) => ({ ...f, imagePath: resolve(f.imagePath) }));
  return importPlan(store, { sources, skipped: [], datasets: [], failed: [] }, opts);
}

/**
 * Imports everything under a folder: dataset layouts it holds are read as datasets, other images are paired with
 * their annotations by name, and annotation files are never imported as images (see import-plan.ts).
 */
export async function importFolder(
  store: Store,
  dir: string,
  opts: ImportOptions & PlanOptions,
): Promise<ImportReport> {
  return importPlan(store, await planFolder(dir, opts), opts);
}

/**
 * Imports files and folders as given, recognising what each is: folders as importFolder reads them, files as
 * images unless named like an annotation (which pairs with an image given beside it, or is skipped).
 */
export async function importPaths(
  store: Store,
  paths: string[],
  opts: ImportOptions & PlanOptions,
): Promise<ImportReport> {
  const files: string[] = [];
  const plans: ImportPlan[] = [];
  // A path given twice (or as ./x and x) is read once: each file was otherwise a duplicate of itself.
  for (const p of [...new Set(paths.map((x) => resolve(x)))]) {
    if ((await stat(p).catch(() => null))?.isDirectory()) plans.push(await planFolder(p, opts));
    else files.push(p);
  }
  plans.push(planFiles(files, opts));
  return importPlan(store, mergePlans(plans), opts);
}

/**
 * Imports one dataset folder read by the adapter of `kind` (detected when undefined). Ground truth becomes
 * 'approved' mask versions by 'dataset:<name>'; the split and sample id are kept on the image.
 */
export async function importDataset(
  store: Store,
  dir: string,
  opts: ImportOptions & PlanOptions & { kind?: DatasetKind },
): Promise<ImportReport> {
  return importPlan(store, await planDataset(dir, opts.kind, opts), { ...opts, maskKind: 'approved' });
}
