// What an import reads from the paths it is given, decided before any pixel is decoded: dataset layouts recognised
// by their folders (main/ml/data/dataset-layout.ts, read by the adapters in main/ml/data/datasets.ts), loose images with the
// annotations their names pair them with, and every image file left out, with the reason. Annotation files are
// never planned as images. The CLI and the app's import job both plan through here.
import { constants } from 'node:fs';
import { access, open, readFile, realpath, stat } from 'node:fs/promises';
import { folderEntries } from '../node/folder-entries.js';
import { basename, dirname, join, resolve, sep } from 'node:path';
import {
  adapterKind,
  annotationName,
  detectDatasetLayout,
  isPhotographName,
  LAYOUT_TITLES,
  pairFlatFolder,
  stem,
  type DatasetKind,
  type DatasetLayout,
} from '../ml/data/dataset-layout.js';
import { DatasetError, openDataset } from '../ml/data/datasets.js';
import type { SampleRef } from '../ml/types.js';
import { isDicom } from './dicom.js';
import { UnreadableImageError } from './errors.js';
import { unreadFormatAdvice, unreadFormatOfName } from '../ml/io/unread-formats.js';

export interface ImageSource {
  imagePath: string;
  /**
   * A file named like an annotation that pairs with no photograph: imported as a photograph only when its pixels
   * are one (else skipped with this reason).
   */
  annotationName?: string;
  maskPath?: string;
  fovPath?: string;
  dataset?: { name: string; sampleId: string; split: 'train' | 'test' | null };
}

/** A file not imported as an image, and why (an annotation with no image, a second observer, ...). */
export interface SkippedFile {
  source: string;
  reason: string;
  /**
   * Something the user should act on (a photograph in a format not read, a broken link, an annotation that cannot
   * be paired): the app names it like a failed file, where a dataset's routine leftovers are only counted.
   */
  notice?: boolean;
}

/** A dataset layout found among the paths. */
export interface RecognisedDataset {
  root: string;
  layout: DatasetLayout;
  /** Name given to its images and mask author ('dataset:<name>'). */
  name: string;
  images: number;
}

export interface ImportPlan {
  sources: ImageSource[];
  skipped: SkippedFile[];
  datasets: RecognisedDataset[];
  /** Folders that look like a dataset but cannot be read as one (e.g. two ground truths for one image). */
  failed: { source: string; error: string }[];
}

export interface PlanOptions {
  /** Descend into sub-folders that are not part of a dataset layout (default true). */
  recursive?: boolean;
  /** Attach ground truth to its images (default true). Off, label files are still never imported as images. */
  pairMasks?: boolean;
  /** Dataset name; default the kind for DRIVE and STARE, else the folder's name. */
  name?: string;
}

export function emptyPlan(): ImportPlan {
  return { sources: [], skipped: [], datasets: [], failed: [] };
}

export function mergePlans(plans: ImportPlan[]): ImportPlan {
  return {
    sources: plans.flatMap((p) => p.sources),
    skipped: plans.flatMap((p) => p.skipped),
    datasets: plans.flatMap((p) => p.datasets),
    failed: plans.flatMap((p) => p.failed),
  };
}

const SECOND_OBSERVER_REASON = "second observer's annotation: only the first observer's is imported";
const PAIRING_OFF_REASON = 'ground truth left unattached: mask pairing is off';

/** Adds one sample's image to the plan, and its second observer (and, with pairing off, its label) as skipped. */
function addSample(
  plan: ImportPlan,
  s: SampleRef,
  opts: PlanOptions,
  dataset?: ImageSource['dataset'],
): void {
  const pair = opts.pairMasks !== false;
  plan.sources.push({
    imagePath: s.imagePath,
    maskPath: pair ? s.maskPath : undefined,
    fovPath: s.fovPath,
    ...(dataset ? { dataset } : {}),
  });
  if (!pair && s.maskPath) plan.skipped.push({ source: s.maskPath, reason: PAIRING_OFF_REASON });
  if (s.secondObserverPath)
    plan.skipped.push({ source: s.secondObserverPath, reason: SECOND_OBSERVER_REASON });
}

/**
 * Plans a dataset folder read by its adapter (`kind`, or the layout's when undefined): every sample, with its ground
 * truth and FOV; image files under the folder that the layout does not use are reported as skipped.
 * Throws DatasetError when the folder is not a readable dataset.
 */
export async function planDataset(
  dir: string,
  kind: DatasetKind | undefined,
  opts: PlanOptions = {},
): Promise<ImportPlan> {
  const ref = openDataset(dir, kind);
  const detected = detectDatasetLayout(ref.root);
  const layout: DatasetLayout = detected && adapterKind(detected) === ref.kind ? detected : ref.kind;
  const name = opts.name ?? (ref.kind === 'generic' ? basename(ref.root) : ref.kind);
  const splitOf = (id: string): 'train' | 'test' | null =>
    ref.splits.train.some((s) => s.id === id)
      ? 'train'
      : ref.splits.test.some((s) => s.id === id)
        ? 'test'
        : null;
  const plan = emptyPlan();
  for (const s of ref.splits.all) addSample(plan, s, opts, { name, sampleId: s.id, split: splitOf(s.id) });
  const used = new Set([
    ...plan.sources.flatMap((s) => [s.imagePath, s.maskPath, s.fovPath]),
    ...plan.skipped.map((s) => s.source),
  ]);
  const sampleIds = new Set(ref.splits.all.map((s) => s.id));
  for (const path of await imageFilesUnder(ref.root)) {
    if (!used.has(path)) plan.skipped.push({ source: path, reason: unusedReason(path, layout, sampleIds) });
  }
  plan.skipped.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  plan.datasets.push({ root: ref.root, layout, name, images: plan.sources.length });
  return plan;
}

/** Why a file under a dataset folder is not imported; the same words for a folder's files, so they group. */
function unusedReason(path: string, layout: DatasetLayout, sampleIds: ReadonlySet<string>): string {
  const a = annotationName(stem(path));
  const title = LAYOUT_TITLES[layout];
  if (!a) return `not used by the ${title} layout`;
  return sampleIds.has(a.base)
    ? `named like an annotation (${a.suffix}) of an image, but in a folder the ${title} layout does not read`
    : `named like an annotation (${a.suffix}), but no image of the ${title} layout pairs with it`;
}

/**
 * Names no one keeps photographs under: hidden files, and the folders systems fill on their own (a Synology NAS's
 * thumbnails in @eaDir, recycle bins, a zip's __MACOSX resource forks, Windows' System Volume Information).
 */
const SYSTEM_FOLDERS = new Set([
  '@eaDir',
  '#recycle',
  '$RECYCLE.BIN',
  '__MACOSX',
  'System Volume Information',
]);
function isHiddenEntry(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FOLDERS.has(name);
}

/** Image files (by extension, DICOM's too) anywhere under `root`, hidden files and folders left out. */
async function imageFilesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await folderEntries(root)) {
    if (isHiddenEntry(e.name)) continue;
    const p = join(root, e.name);
    if (e.kind === 'folder') out.push(...(await imageFilesUnder(p)));
    else if (e.kind === 'file' && isPhotographName(e.name)) out.push(p);
  }
  return out;
}

/**
 * Plans a folder: a folder with a recognised dataset layout is read as that dataset; any other folder's files are
 * loose images, paired with annotations by name (see pairFlatFolder: `<stem>_mask`, `<stem>_1stHO`, masks/<stem>,
 * fov/<stem>, ...), and its sub-folders are planned the same way (unless `recursive` is false).
 */
export async function planFolder(dir: string, opts: PlanOptions = {}): Promise<ImportPlan> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info) throw new UnreadableImageError(`${root}: no such folder`);
  if (!info.isDirectory()) throw new UnreadableImageError(`${root}: a file, not a folder`);
  const plans: ImportPlan[] = [];
  const skip = (source: string, reason: string, notice = false): void => {
    plans.push({ ...emptyPlan(), skipped: [{ source, reason, ...(notice ? { notice } : {}) }] });
  };
  // Linked folders are followed (datasets are often linked into a working folder), after the folder's own tree and
  // widest first, each real folder once: a link into a part of what is read anyway (a dataset's images/) would
  // import its photographs a second time without their ground truth, and a link up to a folder that holds the
  // import would read everything beside it.
  const rootReal = await realFolder(root);
  const read: string[] = [];
  const links: { path: string; real: string }[] = [];
  const visit = async (folder: string, real: string): Promise<void> => {
    read.push(real);
    const unreadable = await whyUnreadable(folder);
    if (unreadable) {
      // One folder the user may not open (a USB stick's lost+found, a colleague's on a share) costs the rest nothing.
      const error = `${folder}: a folder that cannot be read (${unreadable}): its files are not imported`;
      plans.push({ ...emptyPlan(), failed: [{ source: folder, error }] });
      return;
    }
    if (await isExportBundle(folder)) {
      // Its probability and uncertainty maps are pictures, not photographs: imported, they became 20 "images".
      skip(
        folder,
        'a RetinaStudio export (masks and maps, no photographs): import the photographs themselves, or move a ' +
          'whole study with retina db copy',
        true,
      );
      return;
    }
    const layout = detectDatasetLayout(folder);
    if (layout) {
      try {
        plans.push(await planDataset(folder, adapterKind(layout), opts));
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        plans.push({ ...emptyPlan(), failed: [{ source: folder, error: err.message }] });
      }
      return;
    }
    const entries = (await folderEntries(folder))
      .filter((e) => !isHiddenEntry(e.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const candidates: string[] = [];
    const unread: SkippedFile[] = [];
    for (const e of entries) {
      if (e.kind === 'broken-link' || e.kind === 'link-loop') {
        unread.push({
          source: join(folder, e.name),
          reason:
            e.kind === 'link-loop'
              ? 'a link that leads back to itself through other links (a loop), to no file or folder'
              : 'a link to a file or folder that is no longer there',
          notice: true,
        });
        continue;
      }
      if (e.kind !== 'file') continue;
      if (isPhotographName(e.name) || (await looksLikeDicom(join(folder, e.name)))) candidates.push(e.name);
      else {
        // A photograph in a format that is not read is said, not passed over like a folder's other files.
        const format = unreadFormatOfName(e.name);
        if (format)
          unread.push({ source: join(folder, e.name), reason: unreadFormatAdvice(format), notice: true });
      }
    }
    const loose = planLooseFiles(folder, candidates, opts, true);
    loose.skipped.push(...unread);
    plans.push(loose);
    if (opts.recursive === false) return;
    for (const e of entries) {
      // masks/ and fov/ beside loose images belong to them (pairFlatFolder reads them).
      if (e.name === 'masks' || e.name === 'fov') continue;
      const path = join(folder, e.name);
      if (e.kind === 'folder') await visit(path, join(real, e.name));
      else if (e.kind === 'linked-folder') links.push({ path, real: await realFolder(path) });
    }
  };
  await visit(root, rootReal);
  while (links.length > 0) {
    links.sort((a, b) => a.real.length - b.real.length);
    const link = links.shift()!;
    const within = read.find((r) => isWithin(link.real, r));
    if (within !== undefined) skip(link.path, `a link into ${within}, which is read already`);
    else if (isWithin(rootReal, link.real))
      skip(link.path, `a link up to ${link.real}, which holds the folder imported: not followed`, true);
    else await visit(link.path, link.real);
  }
  return mergePlans(plans);
}

/** Why the files in a folder cannot be listed (permission denied), or null when they can. */
async function whyUnreadable(folder: string): Promise<string | null> {
  try {
    await access(folder, constants.R_OK | constants.X_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    return code === 'EACCES' || code === 'EPERM' ? `permission denied, ${code}` : code;
  }
}

/** Whether the folder is an export of RetinaStudio's own (its manifest.json says so). */
async function isExportBundle(folder: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as {
      format?: unknown;
    };
    return manifest.format === 'retinastudio-export';
  } catch {
    return false;
  }
}

/** A folder's real path (links resolved); the path as given where the system cannot say (some virtual drives). */
async function realFolder(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/** Whether `path` is `folder` or inside it. */
function isWithin(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/**
 * Plans files given one by one: each is an image (any format, or DICOM), except files named like an annotation,
 * which pair with an image given beside them or are skipped.
 */
export function planFiles(paths: string[], opts: PlanOptions = {}): ImportPlan {
  const byFolder = new Map<string, string[]>();
  for (const p of paths.map((p) => resolve(p))) {
    byFolder.set(dirname(p), [...(byFolder.get(dirname(p)) ?? []), basename(p)]);
  }
  return mergePlans([...byFolder].map(([folder, names]) => planLooseFiles(folder, names, opts, false)));
}

function planLooseFiles(
  folder: string,
  names: string[],
  opts: PlanOptions,
  siblingFolders: boolean,
): ImportPlan {
  const plan = emptyPlan();
  const flat = pairFlatFolder(folder, names, { siblingFolders });
  for (const s of flat.samples) addSample(plan, s, opts);
  for (const l of flat.leftOut) {
    if (l.unpaired) plan.sources.push({ imagePath: l.path, annotationName: l.reason });
    else plan.skipped.push({ source: l.path, reason: l.reason, notice: l.notice });
  }
  return plan;
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
