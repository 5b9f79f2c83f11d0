// Importing images: single files, folders (recursive), dataset layouts (DRIVE/STARE/generic) and DICOM.
// Per image: hash → duplicate check → decode and validate (image, mask, FOV) → blobs written → one transaction
// inserting patient/study/image/mask rows and their audit entries. A failure at any step leaves the database
// without any trace of that image (at worst an orphan blob, which is harmless).
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { deriveFov } from '../ml/fov.js';
import { DatasetError, openDataset, type DatasetKind } from '../ml/datasets.js';
import {
  decodeImage,
  encodePng,
  IMAGE_EXTENSIONS,
  ImageReadError,
  readImage,
  sniffFormat,
  toBinaryMap,
  toRgb8,
} from '../ml/image-io.js';
import type { BinaryMap, RasterImage } from '../ml/types.js';
import type { Store } from './database.js';
import { parseDicomImage, isDicom } from './dicom.js';
import { DicomError, MaskSizeError, UnreadableImageError } from './errors.js';
import { putBlob, sha256 } from './file-store.js';
import { encodeGreyPng } from './grey-png.js';
import { findImageByHash, insertImageTx, type ImageRecord, type Laterality } from './images.js';
import { encodeMaskPng, insertMaskVersionTx, type MaskKind } from './masks.js';
import { ensurePatientTx, ensureStudyTx, type PatientInput } from './patients.js';

export interface ImportedImage {
  imageId: number;
  source: string;
  maskVersionId: number | null;
}

export interface ImportReport {
  imported: ImportedImage[];
  /** Same bytes as an image already in the store: skipped. */
  duplicates: { source: string; existingImageId: number }[];
  failed: { source: string; error: string }[];
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
  mask: BinaryMap | null;
  maskAuthor: string | null;
  fov: BinaryMap;
  fovDerived: boolean;
  dataset: string | null;
  datasetSampleId: string | null;
  datasetSplit: 'train' | 'test' | null;
}

interface ImageSource {
  imagePath: string;
  maskPath?: string;
  fovPath?: string;
  dataset?: { name: string; sampleId: string; split: 'train' | 'test' | null };
}

function emptyReport(): ImportReport {
  return { imported: [], duplicates: [], failed: [] };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? oneLine(err);
    throw new UnreadableImageError(`${path}: cannot read file (${code})`);
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
    'format' | 'rasterPng' | 'laterality' | 'pixelSpacingMm' | 'acquisition' | 'patient' | 'study'
  >;
  if (isDicom(bytes)) {
    const d = parseDicomImage(bytes, src.imagePath);
    raster = d.raster;
    rest = {
      format: 'dicom',
      rasterPng: await encodePng(d.raster),
      laterality: d.laterality,
      pixelSpacingMm: d.pixelSpacingMm,
      acquisition: d.acquisition,
      patient: d.patientId
        ? { pseudonym: d.patientId, birthYear: d.patientBirthYear, sex: d.patientSex }
        : null,
      study: d.patientId ? { studyUid: d.studyUid, studyDate: d.studyDate, device: d.device } : null,
    };
  } else {
    try {
      raster = await decodeImage(bytes, src.imagePath);
    } catch (err) {
      throw new UnreadableImageError(oneLine(err));
    }
    rest = {
      format: sniffFormat(bytes) ?? extname(src.imagePath).slice(1).toLowerCase(),
      rasterPng: null,
      laterality: null,
      pixelSpacingMm: null,
      acquisition: null,
      patient: null,
      study: null,
    };
  }
  const size = { width: raster.width, height: raster.height };
  const mask = src.maskPath ? await readMap(src.maskPath, size, 'mask') : null;
  const fov = src.fovPath ? await readMap(src.fovPath, size, 'FOV mask') : deriveFov(toRgb8(raster));
  return {
    ...base,
    ...rest,
    raster,
    mask,
    maskAuthor: mask ? (src.dataset ? `dataset:${src.dataset.name}` : opts.actor) : null,
    fov,
    fovDerived: !src.fovPath,
  };
}

async function commit(store: Store, p: PreparedImage, opts: ImportOptions): Promise<ImportedImage | number> {
  // Blobs first: a committed row must never point at a blob that is not on disk.
  await putBlob(store, p.bytes, p.fileHash);
  const rasterHash = p.rasterPng ? await putBlob(store, p.rasterPng) : null;
  const fovHash = await putBlob(
    store,
    encodeGreyPng({ ...p.fov, data: p.fov.data.map((v) => (v ? 255 : 0)) }),
  );
  const maskHash = p.mask ? await putBlob(store, encodeMaskPng(p.mask)) : null;
  return store.write('import an image', () => {
    const existing = findImageByHash(store, p.fileHash);
    if (existing) return existing.id; // imported meanwhile by another process
    let studyId: number | null = null;
    if (p.patient && p.study) {
      const patient = ensurePatientTx(store, p.patient, opts.actor);
      studyId = ensureStudyTx(store, { patientId: patient.id, ...p.study }, opts.actor).id;
    }
    const image: ImageRecord = insertImageTx(
      store,
      {
        studyId,
        fileHash: p.fileHash,
        fileName: basename(p.source),
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
        threshold: null,
      }).id;
    }
    return { imageId: image.id, source: p.source, maskVersionId };
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
      report.duplicates.push({ source: src.imagePath, existingImageId: existing.id });
      return;
    }
    const prepared = await prepare(src, bytes, fileHash, opts);
    const result = await commit(store, prepared, opts);
    if (typeof result === 'number')
      report.duplicates.push({ source: src.imagePath, existingImageId: result });
    else report.imported.push(result);
  } catch (err) {
    // Input problems are per-file; a store that cannot be written stops the whole import.
    if (!isInputError(err)) throw err;
    report.failed.push({ source: src.imagePath, error: oneLine(err) });
  }
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

async function importAll(store: Store, sources: ImageSource[], opts: ImportOptions): Promise<ImportReport> {
  const report = emptyReport();
  for (let i = 0; i < sources.length; i++) {
    if (opts.shouldStop?.()) break;
    await importSource(store, sources[i], report, opts);
    opts.onProgress?.(i + 1, sources.length, sources[i].imagePath);
  }
  return report;
}

/** Imports image files (any format the engine reads, or DICOM), each with optional mask and FOV paths. */
export async function importImageFiles(
  store: Store,
  files: { imagePath: string; maskPath?: string; fovPath?: string }[],
  opts: ImportOptions,
): Promise<ImportReport> {
  return importAll(
    store,
    files.map((f) => ({ ...f, imagePath: resolve(f.imagePath) })),
    opts,
  );
}

const IMAGE_EXT = new Set([...IMAGE_EXTENSIONS, '.dcm', '.dicom']);
const MASK_SUFFIX = /[_-]mask$/i;
const FOV_SUFFIX = /[_-]fov$/i;

function stemOf(file: string): string {
  const name = basename(file);
  return name.slice(0, name.length - extname(name).length);
}

/**
 * Finds the images under `dir` (recursively). Pairing, by file stem:
 *  - mask: `<folder>/masks/<stem>.*` (a `masks` folder beside the image) or `<folder>/<stem>_mask.*`;
 *  - FOV:  `<folder>/fov/<stem>.*` or `<folder>/<stem>_fov.*`.
 * Files inside `masks/` and `fov/` folders and files ending in `_mask`/`_fov` are never imported as images.
 * Files without an image extension are imported only when they are DICOM (checked by content).
 */
export async function scanFolder(dir: string): Promise<ImageSource[]> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new UnreadableImageError(`${root}: not a folder`);
  const out: ImageSource[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
    const sub = async (name: string): Promise<string[]> =>
      entries.some((e) => e.isDirectory() && e.name === name)
        ? (await readdir(join(folder, name))).sort()
        : [];
    const maskDir = await sub('masks');
    const fovDir = await sub('fov');
    const byStem = (names: string[], stem: string): string | undefined =>
      names.find((n) => stemOf(n) === stem);
    for (const name of files) {
      const stem = stemOf(name);
      if (MASK_SUFFIX.test(stem) || FOV_SUFFIX.test(stem)) continue;
      if (!IMAGE_EXT.has(extname(name).toLowerCase()) && !(await looksLikeDicom(join(folder, name))))
        continue;
      const mask =
        byStem(maskDir, stem) ??
        files.find((f) => MASK_SUFFIX.test(stemOf(f)) && stemOf(f).slice(0, -5) === stem);
      const fov =
        byStem(fovDir, stem) ??
        files.find((f) => FOV_SUFFIX.test(stemOf(f)) && stemOf(f).slice(0, -4) === stem);
      out.push({
        imagePath: join(folder, name),
        maskPath: mask ? join(maskDir.includes(mask) ? join(folder, 'masks') : folder, mask) : undefined,
        fovPath: fov ? join(fovDir.includes(fov) ? join(folder, 'fov') : folder, fov) : undefined,
      });
    }
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'masks' && e.name !== 'fov') {
        await walk(join(folder, e.name));
      }
    }
  };
  await walk(root);
  return out;
}

async function looksLikeDicom(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const buf = Buffer.alloc(132);
    const { bytesRead } = await fh.read(buf, 0, 132, 0);
    return bytesRead === 132 && isDicom(Buffer.concat([buf, Buffer.alloc(1)])); // isDicom wants > 132 bytes
  } finally {
    await fh.close();
  }
}

/** Imports every image under a folder (see scanFolder for the mask pairing rules). */
export async function importFolder(store: Store, dir: string, opts: ImportOptions): Promise<ImportReport> {
  return importAll(store, await scanFolder(dir), opts);
}

/**
 * Imports a dataset layout (DRIVE, STARE or generic, as openDataset reads it). Ground truth becomes 'approved'
 * mask versions by 'dataset:<name>'; the split and sample id are kept on the image.
 */
export async function importDataset(
  store: Store,
  dir: string,
  opts: ImportOptions & { kind?: DatasetKind; name?: string },
): Promise<ImportReport> {
  const ref = openDataset(dir, opts.kind);
  const name = opts.name ?? (ref.kind === 'generic' ? basename(ref.root) : ref.kind);
  const splitOf = (id: string): 'train' | 'test' | null =>
    ref.splits.train.some((s) => s.id === id)
      ? 'train'
      : ref.splits.test.some((s) => s.id === id)
        ? 'test'
        : null;
  const sources = ref.splits.all.map((s): ImageSource => ({
    imagePath: s.imagePath,
    maskPath: s.maskPath,
    fovPath: s.fovPath,
    dataset: { name, sampleId: s.id, split: splitOf(s.id) },
  }));
  return importAll(store, sources, { ...opts, maskKind: 'approved' });
}
