// Every blob hash a row refers to: what a backup must copy and a check must find. A compacted version's files are
// gone by design (compaction.ts), so its hashes are no row's to keep, unless a live row shares them.
import type { Store } from './database.js';
import type { SqlDatabase } from './sql.js';

/** The schema version that added compaction: an older study (read, not upgraded) has no compacted versions. */
export const COMPACTION_SINCE = 15;

/** `compaction`: the database has the compacted_versions table (schema COMPACTION_SINCE or later). */
export function referencedBlobs(db: SqlDatabase, compaction: boolean): string[] {
  const live = compaction
    ? 'mask_versions WHERE id NOT IN (SELECT mask_version_id FROM compacted_versions)'
    : 'mask_versions WHERE 1 = 1';
  const rows = db
    .prepare(
      `SELECT file_hash AS h FROM images UNION SELECT raster_hash FROM images WHERE raster_hash IS NOT NULL
       UNION SELECT fov_hash FROM images WHERE fov_hash IS NOT NULL
       UNION SELECT png_hash FROM ${live}
       UNION SELECT prob_hash FROM ${live} AND prob_hash IS NOT NULL
       UNION SELECT uncertainty_hash FROM ${live} AND uncertainty_hash IS NOT NULL
       UNION SELECT av_hash FROM ${live} AND av_hash IS NOT NULL
       UNION SELECT artery_prob_hash FROM ${live} AND artery_prob_hash IS NOT NULL
       UNION SELECT png_hash FROM kept_drafts UNION SELECT av_hash FROM kept_drafts WHERE av_hash IS NOT NULL`,
    )
    .pluck()
    .all() as string[];
  return rows.sort();
}

/** The uploads a team job still to run names by hash (stored as blobs for its worker to read). */
export function uploadsOfActiveJobs(store: Store): string[] {
  const specs = store.db
    .prepare("SELECT spec FROM jobs WHERE state IN ('queued', 'running')")
    .pluck()
    .all() as string[];
  return specs.flatMap((spec) => [...spec.matchAll(/"hash":"([0-9a-f]{64})"/g)].map((m) => m[1]));
}

/** Every blob something needs now: a row's, or a queued or running team job's upload (not picked up yet). */
export function blobsInUse(store: Store): Set<string> {
  return new Set([
    ...referencedBlobs(store.db, store.schemaVersion >= COMPACTION_SINCE),
    ...uploadsOfActiveJobs(store),
  ]);
}

/** Which rows hold each blob, in words (for a check that finds files missing or damaged). */
const OWNERS: { sql: string; what: string }[] = [
  { sql: 'SELECT file_hash AS h, id AS image, file_name AS name FROM images', what: 'photograph' },
  { sql: 'SELECT raster_hash AS h, id AS image, file_name AS name FROM images', what: 'decoded photograph' },
  { sql: 'SELECT fov_hash AS h, id AS image, file_name AS name FROM images', what: 'field of view' },
  ...(
    [
      ['png_hash', 'mask'],
      ['prob_hash', 'probability map'],
      ['uncertainty_hash', 'uncertainty map'],
      ['av_hash', 'artery/vein map'],
      ['artery_prob_hash', 'artery probability'],
    ] as const
  ).map(([column, what]) => ({
    sql: `SELECT m.${column} AS h, i.id AS image, i.file_name AS name, m.id AS version, m.kind AS kind
          FROM mask_versions m JOIN images i ON i.id = m.image_id`,
    what,
  })),
  {
    sql: `SELECT k.png_hash AS h, i.id AS image, i.file_name AS name FROM kept_drafts k JOIN images i ON i.id = k.image_id`,
    what: 'kept draft',
  },
];

/** For each of `hashes`, what it is and whose ("the mask of 03_test.tif (image 3), draft version 12"). */
export function blobOwners(db: SqlDatabase, hashes: readonly string[]): Map<string, string> {
  const wanted = new Set(hashes);
  const out = new Map<string, string>();
  if (wanted.size === 0) return out;
  for (const { sql, what } of OWNERS) {
    const rows = db.prepare(sql).all() as {
      h: string | null;
      image: number;
      name: string;
      version?: number;
      kind?: string;
    }[];
    for (const r of rows) {
      if (!r.h || !wanted.has(r.h) || out.has(r.h)) continue;
      const version = r.version !== undefined ? `, ${r.kind} version ${r.version}` : '';
      out.set(r.h, `the ${what} of ${r.name} (image ${r.image}${version})`);
    }
  }
  return out;
}
