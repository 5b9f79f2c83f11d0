// How much room a study takes and what takes it. Every autosave of a correction keeps a mask version and its PNG
// (a 3504x2336 mask is about 70 KB): a day's editing of one image makes hundreds. The check says how much of the
// files folder only older drafts hold (not the image's newest draft, nor shared with any other version), so a
// growing study can be seen growing, and why.
import { statSync } from 'node:fs';
import type { Store } from './database.js';
import { blobsInUse, COMPACTION_SINCE } from './blobs-referenced.js';
import { blobPath } from './file-store.js';
import { blobFiles } from './leftover-files.js';
import { plural } from '../../shared/plural.js';

export interface StorageReport {
  /** The SQLite file and its journal (-wal); null for a team's PostgreSQL database. */
  databaseBytes: number | null;
  /** The files (photographs, masks, maps) the records refer to, and their bytes. */
  files: number;
  fileBytes: number;
  /** Of those, the files only older drafts refer to: autosaved steps superseded by a newer draft of their image. */
  olderDrafts: number;
  olderDraftFiles: number;
  olderDraftBytes: number;
  /** Drafts whose files `retina db compact` removed (their rows stay). */
  compactedVersions: number;
  /**
   * Files in the folder that no record refers to (an import or save cut off before its commit, or one under way):
   * `retina db compact` removes those older than its grace period (leftover-files.ts).
   */
  unreferencedFiles: number;
  unreferencedBytes: number;
}

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * The hashes each older draft holds, and which of them any other version or kept draft also holds. A compacted
 * draft holds nothing any more (`compaction`: the study has compacted_versions).
 */
function olderDraftHashes(store: Store, compaction: boolean): { versions: number; only: Set<string> } {
  const live = compaction ? 'AND m.id NOT IN (SELECT mask_version_id FROM compacted_versions)' : '';
  const rows = store.db
    .prepare(
      `SELECT m.png_hash AS png, m.av_hash AS av,
         m.id < (SELECT MAX(n.id) FROM mask_versions n WHERE n.image_id = m.image_id AND n.kind = 'draft') AS older
       FROM mask_versions m WHERE m.kind = 'draft' ${live}`,
    )
    .all() as { png: string; av: string | null; older: number | boolean }[];
  const older = rows.filter((r) => Boolean(r.older));
  const kept = new Set(
    rows.filter((r) => !r.older).flatMap((r) => (r.av === null ? [r.png] : [r.png, r.av])),
  );
  const others = store.db
    .prepare(
      `SELECT png_hash AS h FROM mask_versions WHERE kind <> 'draft'
       UNION SELECT av_hash FROM mask_versions WHERE kind <> 'draft' AND av_hash IS NOT NULL
       UNION SELECT png_hash FROM kept_drafts UNION SELECT av_hash FROM kept_drafts WHERE av_hash IS NOT NULL`,
    )
    .pluck()
    .all() as string[];
  for (const h of others) kept.add(h);
  const only = new Set(
    older.flatMap((r) => (r.av === null ? [r.png] : [r.png, r.av])).filter((h) => !kept.has(h)),
  );
  return { versions: older.length, only };
}

export function storageOf(store: Store): StorageReport {
  const databaseBytes =
    store.backend.kind === 'sqlite' ? sizeOf(store.path) + sizeOf(`${store.path}-wal`) : null;
  const compaction = store.schemaVersion >= COMPACTION_SINCE;
  const referenced = blobsInUse(store);
  let fileBytes = 0;
  let files = 0;
  for (const h of referenced) {
    const size = sizeOf(blobPath(store, h));
    fileBytes += size;
    if (size > 0) files++;
  }
  const drafts = olderDraftHashes(store, compaction);
  let olderDraftBytes = 0;
  for (const h of drafts.only) olderDraftBytes += sizeOf(blobPath(store, h));
  let unreferencedFiles = 0;
  let unreferencedBytes = 0;
  const found = blobFiles(store.filesDir);
  for (const [hash, file] of found.blobs) {
    if (referenced.has(hash)) continue;
    unreferencedFiles++;
    unreferencedBytes += sizeOf(file);
  }
  for (const file of found.temporaries) {
    unreferencedFiles++;
    unreferencedBytes += sizeOf(file);
  }
  return {
    databaseBytes,
    files,
    fileBytes,
    olderDrafts: drafts.versions,
    olderDraftFiles: drafts.only.size,
    olderDraftBytes,
    compactedVersions: compaction
      ? (store.db.prepare('SELECT COUNT(*) FROM compacted_versions').pluck().get() as number)
      : 0,
    unreferencedFiles,
    unreferencedBytes,
  };
}

/** Bytes for a person: 340 KB, 21.5 MB, 1.20 GB. */
export function bytesText(bytes: number): string {
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** One line for `retina db check`. */
export function storageText(s: StorageReport): string {
  const db = s.databaseBytes === null ? '' : `${bytesText(s.databaseBytes)} database, `;
  const drafts =
    s.olderDrafts > 0
      ? ` (${bytesText(s.olderDraftBytes)} of them only in ${plural(s.olderDrafts, 'older draft')}, the autosaved steps before each image's newest: 'retina db compact' removes those no longer needed)`
      : '';
  const loose =
    s.unreferencedFiles > 0
      ? `; ${bytesText(s.unreferencedBytes)} in ${plural(s.unreferencedFiles, 'file')} no record refers to` +
        ` (an import or save cut off before its commit, or under way: 'retina db compact' removes those older than a day and its --keep-days)`
      : '';
  const compacted =
    s.compactedVersions > 0
      ? `; ${plural(s.compactedVersions, 'older draft')} compacted (files removed)`
      : '';
  return `size: ${db}${bytesText(s.fileBytes)} in ${plural(s.files, 'file')}${drafts}${compacted}${loose}`;
}
