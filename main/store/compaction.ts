// Compaction: a study only grows, every autosave keeping a mask version and its PNG. `retina db compact` drops the
// pixel files of superseded autosaved drafts older than a number of days; the version rows and their audit
// entries stay (History still lists them, the hash chain still verifies), each marked compacted. Kept whole: every
// prediction and approval; each image's current version; the newest draft of each author on each image; every
// draft made by a deliberate act (a reopen, a restore, an adoption: those carry a note); and every version another
// record names (an approval's source, a restore's origin, a kept draft's base or current version, a hand-off, a
// model's training mask). A file goes only when no remaining row shares it (files are named by their content).
// It also removes the leftover files no record refers to (an import or save killed before its commit), once older
// than the longer of a day and the --keep-days span (leftover-files.ts).
import { statSync } from 'node:fs';
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import { uploadsOfActiveJobs } from './blobs-referenced.js';
import { StoreReadOnlyError } from './errors.js';
import { blobStore } from './file-store.js';
import { removeLeftoverFiles, type LeftoverReport } from './leftover-files.js';

export interface CompactOptions {
  /** Drafts saved within this many days are kept (default 30). */
  keepDays?: number;
  /** Say what would go, change nothing. */
  dryRun?: boolean;
  actor: string;
  /** The clock (tests). */
  now?: Date;
}

export interface CompactReport {
  dryRun: boolean;
  keepDays: number;
  /** Drafts saved before this (ISO time) could be compacted. */
  before: string;
  /** The versions compacted (or that would be), and of how many images. */
  versions: number;
  versionIds: number[];
  images: number;
  /** Files removed (or that would be), and their bytes. */
  files: number;
  bytes: number;
  /**
   * Files no version needs any more that could not be removed (a shared folder's file another user owns): they
   * stay, no record referring to them, and `retina db check` counts them.
   */
  filesLeft: number;
  /**
   * Files no record refers to (left by an import or save cut off before its commit), changed before
   * `leftovers.before`: removed (or that would be); those that could not be are in `leftovers.left`.
   */
  leftovers: LeftoverReport;
}

export const DEFAULT_KEEP_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Leftover files are removed only once older than this, or than the --keep-days span when that is longer: an import
 * or save under way in another process (another machine of a team, whose clock may differ) has stored its file and
 * not yet committed its row, and a day is far beyond any import or save. The longer span, because --keep-days
 * promises that nothing of the last N days is touched.
 */
const LEFTOVER_GRACE_MS = DAY_MS;

interface Candidate {
  id: number;
  image_id: number;
  png_hash: string;
  av_hash: string | null;
}

/** Superseded autosaved drafts saved before `before` that no record needs, oldest first. */
function candidates(store: Store, before: string): Candidate[] {
  const rows = store.db
    .prepare(
      `SELECT m.id, m.image_id, m.png_hash, m.av_hash FROM mask_versions m
       WHERE m.kind = 'draft' AND m.note IS NULL AND m.created_at < ?
         AND m.id NOT IN (SELECT mask_version_id FROM compacted_versions)
         AND m.id < (SELECT MAX(n.id) FROM mask_versions n WHERE n.image_id = m.image_id AND n.kind IN ('draft', 'approved'))
         AND m.id < (SELECT MAX(n.id) FROM mask_versions n
                     WHERE n.image_id = m.image_id AND n.kind = 'draft' AND n.author = m.author)
         AND NOT EXISTS (SELECT 1 FROM mask_versions r WHERE r.parent_id = m.id AND r.kind <> 'draft')
         AND NOT EXISTS (SELECT 1 FROM kept_drafts k
                         WHERE k.based_on_id = m.id OR k.current_id = m.id OR k.adopted_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM image_handoffs h WHERE h.mask_version_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM model_training_masks t WHERE t.mask_version_id = m.id)
       ORDER BY m.id`,
    )
    .all(before) as Candidate[];
  const named = namedByAudit(store);
  return rows.filter((r) => !named.has(r.id));
}

/**
 * Versions the audit log names as made or used by a deliberate act: a reopen's and a restore's new draft, the
 * version a restore brought back, an adoption's draft (a note marks most of these too; the log is the record).
 */
function namedByAudit(store: Store): Set<number> {
  const rows = store.db
    .prepare(
      `SELECT entity, entity_id AS id, details FROM audit_log
       WHERE action IN ('mask.reopen', 'mask.restore', 'mask.adopt')`,
    )
    .all() as { entity: string; id: number | null; details: string | null }[];
  const out = new Set<number>();
  for (const r of rows) {
    if (r.entity === 'mask_version' && r.id !== null) out.add(Number(r.id));
    let details: Record<string, unknown> = {};
    try {
      details = r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {};
    } catch {
      // An unreadable entry names nothing more.
    }
    for (const key of ['fromVersionId', 'versionId', 'approvedId'])
      if (typeof details[key] === 'number') out.add(details[key]);
  }
  return out;
}

/** The files only `dropped` hold: no other row (nor a queued job's upload) refers to them. */
function filesOnlyTheyHold(store: Store, dropped: readonly Candidate[]): string[] {
  const ids = new Set(dropped.map((c) => Number(c.id)));
  const others = new Set<string>([
    ...(
      store.db
        .prepare(
          `SELECT file_hash FROM images UNION SELECT raster_hash FROM images UNION SELECT fov_hash FROM images
         UNION SELECT png_hash FROM kept_drafts UNION SELECT av_hash FROM kept_drafts`,
        )
        .pluck()
        .all() as (string | null)[]
    ).filter((h): h is string => h !== null),
    ...uploadsOfActiveJobs(store),
  ]);
  const versions = store.db
    .prepare(
      `SELECT id, png_hash, prob_hash, uncertainty_hash, av_hash, artery_prob_hash FROM mask_versions
       WHERE id NOT IN (SELECT mask_version_id FROM compacted_versions)`,
    )
    .all() as ({ id: number } & Record<string, string | null>)[];
  for (const { id, ...hashes } of versions) {
    if (ids.has(Number(id))) continue;
    for (const h of Object.values(hashes)) if (h) others.add(h);
  }
  const own = new Set(dropped.flatMap((c) => (c.av_hash ? [c.png_hash, c.av_hash] : [c.png_hash])));
  return [...own].filter((h) => !others.has(h));
}

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

function compactDrafts(store: Store, opts: CompactOptions): Omit<CompactReport, 'leftovers'> {
  const keepDays = opts.keepDays ?? DEFAULT_KEEP_DAYS;
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - keepDays * DAY_MS).toISOString();
  const blobs = blobStore(store);
  const report = (
    dropped: Candidate[],
    files: number,
    bytes: number,
    filesLeft = 0,
  ): Omit<CompactReport, 'leftovers'> => ({
    dryRun: opts.dryRun ?? false,
    keepDays,
    before,
    versions: dropped.length,
    versionIds: dropped.map((c) => Number(c.id)),
    images: new Set(dropped.map((c) => c.image_id)).size,
    files,
    bytes,
    filesLeft,
  });
  if (opts.dryRun) {
    return store.backend.snapshot(() => {
      const dropped = candidates(store, before);
      const files = filesOnlyTheyHold(store, dropped);
      return report(
        dropped,
        files.length,
        files.reduce((n, h) => n + sizeOf(blobs.path(h)), 0),
      );
    });
  }
  if (store.readonly) throw new StoreReadOnlyError(`${store.path}: opened read-only, cannot compact`);
  // First the marks, the audit entry and a note of the files to remove (erased_files, as an erasure's), committed;
  // then, in a second write, the files. A process killed in between leaves noted files, which the next start of
  // the app or the next compaction removes (removeErasedFiles), never a version unmarked whose pixels are gone.
  const marked = store.write('compact older drafts', () => {
    const dropped = candidates(store, before);
    // Nothing to do writes nothing (a compaction run on a schedule adds no entry each time).
    if (dropped.length === 0) return { dropped, files: [] as string[] };
    const files = filesOnlyTheyHold(store, dropped);
    const at = nowIso();
    const mark = store.db.prepare(
      'INSERT INTO compacted_versions (mask_version_id, compacted_at, compacted_by) VALUES (?, ?, ?)',
    );
    for (const c of dropped) mark.run(c.id, at, opts.actor);
    const note = store.db.prepare('INSERT INTO erased_files (hash) VALUES (?) ON CONFLICT DO NOTHING');
    for (const h of files) note.run(h);
    const planned = report(
      dropped,
      files.length,
      files.reduce((n, h) => n + sizeOf(blobs.path(h)), 0),
    );
    recordAudit(store, opts.actor, 'study.compact', 'database', null, {
      keepDays,
      before,
      versions: planned.versions,
      images: planned.images,
      files: planned.files,
      bytes: planned.bytes,
      firstVersionId: planned.versionIds[0],
      lastVersionId: planned.versionIds[planned.versions - 1],
    });
    return { dropped, files };
  });
  if (marked.dropped.length === 0) return report(marked.dropped, 0, 0);
  // Asked again inside this write: a save of the same pixels committed since shares the file, which stays; one
  // committing after this write finds the file gone and stores it again (saveMaskVersion).
  return store.write('remove compacted files', () => {
    const stillOnlyTheirs = new Set(filesOnlyTheyHold(store, marked.dropped));
    const done = store.db.prepare('DELETE FROM erased_files WHERE hash = ?');
    let removed = 0;
    let freed = 0;
    for (const h of marked.files) {
      if (stillOnlyTheirs.has(h)) {
        try {
          freed += blobs.deleteNow(h);
          removed++;
        } catch {
          // Left in place (a shared folder's file another user owns); the report counts it.
        }
      }
      done.run(h);
    }
    return report(marked.dropped, removed, freed, stillOnlyTheirs.size - removed);
  });
}

export function compactStudy(store: Store, opts: CompactOptions): CompactReport {
  const now = opts.now ?? new Date();
  const drafts = compactDrafts(store, { ...opts, now });
  const keepMs = (opts.keepDays ?? DEFAULT_KEEP_DAYS) * DAY_MS;
  const leftovers = removeLeftoverFiles(store, {
    before: new Date(now.getTime() - Math.max(keepMs, LEFTOVER_GRACE_MS)),
    dryRun: opts.dryRun ?? false,
    actor: opts.actor,
  });
  return { ...drafts, leftovers };
}
