// Exports from the app: the bundle `retina db export --format bundle` writes, into a folder the user picked or as
// a zip the browser downloads.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { RpcError, type ExportRequest, type ExportResult } from '../../shared/contract.js';
import {
  buildBundle,
  bundleBaseName,
  writeBundleFolder,
  type BundleOptions,
  type Store,
} from '../store/index.js';
import { packageVersion } from '../node/package-root.js';
import { rowId } from './ids.js';

/** Largest zip handed back in one response (the whole archive is held in memory on both sides). */
export const MAX_ZIP_BYTES = 512 * 1024 * 1024;

export interface ExportContext {
  appVersion?: string;
  now?: Date;
  maxZipBytes?: number;
  /** How the measures part measures an image (the workstation's worker thread); default: in this thread. */
  measure?: BundleOptions['measure'];
}

export async function exportImages(
  store: Store,
  req: ExportRequest,
  ctx: ExportContext = {},
): Promise<ExportResult> {
  const now = ctx.now ?? new Date();
  const opts: BundleOptions = {
    imageIds: req.imageIds?.map((id) => rowId(id, 'image')),
    parts: req.parts,
    source: req.source,
    includeNames: req.includeNames === true,
    deidentify: req.deidentify === true,
    appVersion: ctx.appVersion ?? packageVersion(),
    now,
    measure: ctx.measure,
  };
  const base = bundleBaseName(now);
  if (req.target.kind === 'folder') {
    const folder = await exportFolder(req.target.folder!, base);
    const summary = await writeBundleFolder(store, folder, opts);
    return { files: summary.files, images: summary.images, folder, zip: null, zipName: null };
  }
  const limit = ctx.maxZipBytes ?? MAX_ZIP_BYTES;
  const entries: Zippable = {};
  let size = 0;
  const summary = await buildBundle(store, opts, (path, bytes) => {
    size += bytes.length;
    if (size > limit) {
      throw new RpcError(
        'unsupported',
        `the export is larger than ${Math.round(limit / 2 ** 20)} MB, too large to download: ` +
          'export fewer images, or to a folder with `retina db export --format bundle`',
      );
    }
    // PNGs are compressed already: stored as they are.
    entries[path] = [bytes, { level: path.endsWith('.png') ? 0 : 6, mtime: now }];
  });
  return {
    files: summary.files,
    images: summary.images,
    folder: null,
    zip: zipSync(entries),
    zipName: `${base}.zip`,
  };
}

/**
 * Where a folder export goes: the chosen folder when it is new or empty; inside a non-empty one (a user picking
 * "Documents"), a new date-stamped folder, so nothing already there is touched.
 */
async function exportFolder(chosen: string, base: string): Promise<string> {
  const dir = resolve(chosen);
  const info = await stat(dir).catch(() => null);
  if (!info) return dir;
  if (!info.isDirectory()) throw new RpcError('invalid-request', `${dir} is a file, not a folder`);
  if ((await readdir(dir)).length === 0) return dir;
  for (let n = 1; n < 1000; n++) {
    const candidate = join(dir, n === 1 ? base : `${base}-${n}`);
    if (!(await stat(candidate).catch(() => null))) return candidate;
  }
  throw new RpcError('conflict', `${dir} already holds too many exports of today`);
}
