// Imports, run inside a job worker: files (paths or uploaded bytes), folders and dataset layouts, through the
// store's importers. Uploaded bytes are written to a private temporary folder under their own names first (the
// importer reads files and records their names) and removed afterwards.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  importDataset,
  importImageFiles,
  scanFolder,
  type ImportReport,
  type Store,
} from '../store/index.js';
import type { JobSpec } from './job-types.js';
import type { JobHooks } from './predict-job.js';

type ImportSource = Extract<JobSpec, { kind: 'import' }>['source'];

/** A file name safe to create: no folders, no dot-files, no odd characters. */
function safeName(name: string, index: number): string {
  const base = basename(name)
    .replace(/[^\w.\- ]/g, '_')
    .replace(/^\.+/, '');
  return base.length > 0 ? base : `upload-${index}`;
}

export async function runImportJob(
  store: Store,
  source: ImportSource,
  actor: string,
  hooks: JobHooks,
): Promise<ImportReport> {
  const opts = {
    actor,
    shouldStop: () => hooks.isCancelled(),
    onProgress: (done: number, total: number, file: string) =>
      hooks.progress(done, total, basename(file), null),
  };
  if (source.type === 'dataset') {
    return importDataset(store, source.path, {
      ...opts,
      kind: source.datasetKind === 'auto' ? undefined : source.datasetKind,
    });
  }
  if (source.type === 'folder') {
    const root = resolve(source.path);
    const found = (await scanFolder(root)).filter((s) => source.recursive || dirname(s.imagePath) === root);
    const files = found.map((s) => ({
      imagePath: s.imagePath,
      maskPath: source.pairMasks ? s.maskPath : undefined,
      fovPath: s.fovPath,
    }));
    return importImageFiles(store, files, opts);
  }
  let uploadDir: string | null = null;
  try {
    const paths = source.paths.map((p) => ({ imagePath: p }));
    if (source.files.length > 0) {
      uploadDir = await mkdtemp(join(tmpdir(), 'retina-upload-'));
      for (let i = 0; i < source.files.length; i++) {
        // One sub-folder per file keeps two uploads with the same name apart.
        const dir = join(uploadDir, String(i));
        await mkdir(dir);
        const path = join(dir, safeName(source.files[i].name, i));
        await writeFile(path, source.files[i].bytes);
        paths.push({ imagePath: path });
      }
    }
    return await importImageFiles(store, paths, opts);
  } finally {
    if (uploadDir) await rm(uploadDir, { recursive: true, force: true });
  }
}
