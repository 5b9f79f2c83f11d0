// Imports, run inside a job worker: files (paths or uploaded bytes), folders and dataset layouts, through the
// store's importers, which recognise layouts and annotation files exactly as `retina db import` does. Uploaded
// bytes are written to a private temporary folder under their own names first (the importer reads files, records
// their names and pairs annotations by name) and removed afterwards; what went wrong is reported by the names
// the files were uploaded under, never by the temporary paths.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { importDataset, importFolder, importPaths, type Store } from '../store/index.js';
import { ImportNames, importOutcome, type ImportOutcome } from './import-outcome.js';
import type { JobHooks, JobSpec } from './job-types.js';

type ImportSource = Extract<JobSpec, { kind: 'import' }>['source'];

/**
 * A file name safe to create: no folders, no dot-files, no characters file systems refuse or shells trip on; the
 * letters of every script stay (the name is the image's in the study, and its eye may be read from it).
 */
function safeName(name: string, index: number): string {
  const base = basename(name)
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}_.\- ]/gu, '_')
    .replace(/^\.+/, '');
  return base.length > 0 ? base : `upload-${index}`;
}

/** Longest file name, in UTF-8 bytes, most file systems create (Linux's and macOS's NAME_MAX). */
const NAME_MAX = 255;

/**
 * The name an upload is staged under: its safe name, or where that is longer than a file name may be here (120
 * Chinese characters are 360 bytes, a name Windows keeps), a short one with its extension; the image is still
 * recorded, and its eye and patient read, by the name it was uploaded under.
 */
function stagedName(safe: string, index: number): string {
  if (Buffer.byteLength(safe) <= NAME_MAX) return safe;
  const ext = extname(safe);
  return `upload-${index}${Buffer.byteLength(ext) <= 16 ? ext : ''}`;
}

export async function runImportJob(
  store: Store,
  source: ImportSource,
  actor: string,
  hooks: JobHooks,
): Promise<ImportOutcome> {
  let names = new ImportNames();
  const opts = {
    actor,
    shouldStop: () => hooks.isCancelled(),
    onProgress: (done: number, total: number, file: string) =>
      hooks.progress(done, total, names.name(file), null),
  };
  if (source.type === 'dataset') {
    names = new ImportNames(new Map(), source.path);
    const report = await importDataset(store, source.path, {
      ...opts,
      kind: source.datasetKind === 'auto' ? undefined : source.datasetKind,
    });
    return importOutcome(report, names, new Set());
  }
  if (source.type === 'folder') {
    names = new ImportNames(new Map(), source.path);
    const report = await importFolder(store, source.path, {
      ...opts,
      recursive: source.recursive,
      pairMasks: source.pairMasks,
    });
    return importOutcome(report, names, new Set());
  }
  let uploadDir: string | null = null;
  try {
    const paths = [...source.paths];
    const staged = new Map<string, string>();
    const recorded = new Map<string, string>();
    if (source.files.length > 0) {
      uploadDir = await mkdtemp(join(tmpdir(), 'retina-upload-'));
      // Uploads share one folder, so an image and its annotation pair by name; a repeated name goes one
      // sub-folder deeper per repeat, so two uploads with the same name stay apart.
      const seen = new Map<string, number>();
      for (let i = 0; i < source.files.length; i++) {
        const safe = safeName(source.files[i].name, i);
        const name = stagedName(safe, i);
        const repeat = seen.get(name) ?? 0;
        seen.set(name, repeat + 1);
        const dir = repeat === 0 ? uploadDir : join(uploadDir, String(repeat));
        await mkdir(dir, { recursive: true });
        const path = join(dir, name);
        await writeFile(path, source.files[i].bytes);
        paths.push(path);
        // Recorded, and its eye and patient read, by the name it was uploaded under (`O'Brien_OD.jpg`, as the CLI
        // records it); only the staged copy's name is made safe.
        const own = basename(source.files[i].name).normalize('NFC') || name;
        staged.set(path, own);
        recorded.set(path, own);
      }
    }
    names = new ImportNames(staged);
    const fileNameOf = (path: string): string => recorded.get(path) ?? basename(path);
    return importOutcome(await importPaths(store, paths, { ...opts, fileNameOf }), names, new Set(paths));
  } finally {
    if (uploadDir) await rm(uploadDir, { recursive: true, force: true });
  }
}
