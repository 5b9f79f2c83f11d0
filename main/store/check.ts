// A full health check: the database's own integrity check, foreign keys, schema version, every referenced blob
// present (and, optionally, its bytes still hashing to its name), and no photograph recorded at a size it no longer
// decodes at (one turned by its EXIF orientation, imported before the orientation was applied), and every
// registered model's folder there.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import sharp from 'sharp';
import type { Store } from './database.js';
import { AUDIT_CHAIN_SINCE, auditRowWithHash, verifyAuditChain, type ChainReport } from './audit-chain.js';
import { COMPACTION_SINCE, referencedBlobs } from './blobs-referenced.js';
import { blobPath, hasBlob, sha256 } from './file-store.js';
import { SCHEMA_VERSION } from './schema.js';
import { isBundledModelDir } from './model-paths.js';
import { listModels, type ModelRecord } from './models.js';
import { storageOf, type StorageReport } from './storage-size.js';

export interface CheckReport {
  ok: boolean;
  schemaVersion: number;
  latestSchemaVersion: number;
  integrity: string[];
  foreignKeyViolations: number;
  missingBlobs: string[];
  corruptBlobs: string[];
  /** Images whose original's EXIF orientation turns it a quarter while the record has it unturned: import again. */
  unturnedImages: number[];
  /**
   * Registered models whose folder is not there (`own`: one of the database's own, kept in its models folder). A
   * bundled model's old folder is not one: the app registers the installation's own at its next start.
   */
  missingModels: (Pick<ModelRecord, 'id' | 'name' | 'task' | 'status' | 'dirPath'> & { own: boolean })[];
  /** The audit log's hash chain (null: a study older than the chain, read without upgrading it). */
  auditChain: ChainReport | null;
  /**
   * A head hash noted earlier (`--audit-head`) and the row that still has it; null when no row does: the trail up
   * to it was rewritten since (or an erasure resealed it). Absent when none was given.
   */
  notedHead?: { hash: string; row: number | null };
  /** How much room the study takes, and how much of it only older (autosaved) drafts hold. */
  storage: StorageReport;
  counts: Record<
    'patients' | 'studies' | 'images' | 'maskVersions' | 'models' | 'trainingRuns' | 'auditEntries',
    number
  >;
}

export async function checkStore(
  store: Store,
  opts: { verifyHashes?: boolean; auditHead?: string } = {},
): Promise<CheckReport> {
  const integrity = store.backend.integrity();
  const fk = store.backend.foreignKeyViolations();
  const missing: string[] = [];
  const corrupt: string[] = [];
  for (const hash of referencedBlobs(store.db, store.schemaVersion >= COMPACTION_SINCE)) {
    if (!hasBlob(store, hash)) missing.push(hash);
    else if (opts.verifyHashes && sha256(await readFile(blobPath(store, hash))) !== hash) corrupt.push(hash);
  }
  const unturned = await unturnedImages(store);
  const ownModels = store.beside('models');
  const missingModels = listModels(store, { task: 'any' })
    .filter((m) => !existsSync(m.dirPath) && !isBundledModelDir(m.dirPath))
    .map(({ id, name, task, status, dirPath }) => ({
      id,
      name,
      task,
      status,
      dirPath,
      own: dirPath.startsWith(ownModels + sep),
    }));
  const auditChain = auditChainOf(store);
  const noted = opts.auditHead;
  const notedHead =
    noted === undefined
      ? undefined
      : {
          hash: noted.toLowerCase(),
          row: store.schemaVersion < AUDIT_CHAIN_SINCE ? null : auditRowWithHash(store.db, noted),
        };
  const count = (table: string): number =>
    store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  const report: CheckReport = {
    ok: false,
    schemaVersion: store.schemaVersion,
    latestSchemaVersion: SCHEMA_VERSION,
    integrity,
    foreignKeyViolations: fk,
    missingBlobs: missing,
    corruptBlobs: corrupt,
    unturnedImages: unturned,
    missingModels,
    auditChain,
    ...(notedHead ? { notedHead } : {}),
    storage: storageOf(store),
    counts: {
      patients: count('patients'),
      studies: count('studies'),
      images: count('images'),
      maskVersions: count('mask_versions'),
      models: count('models'),
      trainingRuns: count('training_runs'),
      auditEntries: count('audit_log'),
    },
  };
  report.ok =
    integrity.length === 1 &&
    integrity[0] === 'ok' &&
    fk === 0 &&
    missing.length === 0 &&
    corrupt.length === 0 &&
    unturned.length === 0 &&
    missingModels.length === 0 &&
    auditChain?.ok !== false &&
    notedHead?.row !== null;
  return report;
}

/** Whether the audit log still verifies (read in one snapshot, so a write meanwhile cannot look like a break). */
export function auditChainOf(store: Store): ChainReport | null {
  if (store.schemaVersion < AUDIT_CHAIN_SINCE) return null;
  return store.backend.snapshot(() => verifyAuditChain(store.db));
}

/**
 * Photographs decoded from their original file (JPEG, WebP, PNG) whose EXIF orientation swaps width and height while the
 * record keeps the stored, unturned size: they decode turned now and no longer match their masks. Reads headers only.
 */
async function unturnedImages(store: Store): Promise<number[]> {
  // Column names as stored: PostgreSQL folds an unquoted alias like fileHash to lower case.
  const rows = store.db
    .prepare(
      "SELECT id, file_hash, width, height FROM images WHERE raster_hash IS NULL AND format IN ('jpeg', 'webp', 'png')",
    )
    .all() as { id: number; file_hash: string; width: number; height: number }[];
  const out: number[] = [];
  for (const r of rows) {
    if (!hasBlob(store, r.file_hash)) continue;
    try {
      const meta = await sharp(blobPath(store, r.file_hash)).metadata();
      const quarterTurn = (meta.orientation ?? 1) >= 5;
      if (quarterTurn && meta.width !== meta.height && meta.width === r.width && meta.height === r.height)
        out.push(r.id);
    } catch {
      // An unreadable original is the corrupt-file check's to report.
    }
  }
  return out;
}

/**
 * The folder of the database's files when it is missing though the database records images: the usual cause is
 * the .db file copied without the folder beside it. Null when it is there (or nothing needs it).
 */
export function missingFilesFolder(store: Store): string | null {
  if (existsSync(store.filesDir)) return null;
  const images = store.db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number;
  return images > 0 ? store.filesDir : null;
}

/** What to tell the user about a missing files folder. */
export function missingFilesFolderAdvice(folder: string): string {
  return (
    `the folder of its files, ${folder}, is not there: a database is its file and that folder together ` +
    "(copy both while no app has it open: the newest saves may still be in its -wal file; or use 'retina db backup')"
  );
}
