// Whether a mask version's pixels were compacted away (compaction.ts): every reader of a version's pixels asks
// first, so a compacted version is said to be one, not reported as a missing or damaged file.
import { zonedDateTime } from '../../shared/local-time.js';
import { COMPACTION_SINCE } from './blobs-referenced.js';
import type { Store } from './database.js';
import { NotFoundError } from './errors.js';
import { maskVersionNumber } from './review.js';

/** A version whose pixels are no longer kept: a NotFoundError, so it crosses the RPC boundary as one. */
export class CompactedVersionError extends NotFoundError {
  constructor(
    message: string,
    readonly versionId: number,
    readonly compactedAt: string,
  ) {
    super(message);
  }
}

/** When the version was compacted, or null while its pixels are kept. */
export function compactedAt(store: Store, versionId: number): string | null {
  if (store.schemaVersion < COMPACTION_SINCE) return null;
  const at = store.db
    .prepare('SELECT compacted_at FROM compacted_versions WHERE mask_version_id = ?')
    .pluck()
    .get(versionId) as string | undefined;
  return at ?? null;
}

/** An image's compacted versions and when each was compacted (none before the schema has compaction). */
export function compactedVersionsOf(store: Store, imageId: number): Map<number, string> {
  if (store.schemaVersion < COMPACTION_SINCE) return new Map();
  const rows = store.db
    .prepare(
      `SELECT c.mask_version_id AS id, c.compacted_at AS at FROM compacted_versions c
       JOIN mask_versions m ON m.id = c.mask_version_id WHERE m.image_id = ?`,
    )
    .all(imageId) as { id: number; at: string }[];
  return new Map(rows.map((r) => [Number(r.id), r.at]));
}

/** Throws CompactedVersionError, naming the version by its number in the image's History, when it was compacted. */
export function refuseIfCompacted(store: Store, version: { id: number; imageId: number }): void {
  const at = compactedAt(store, version.id);
  if (at === null) return;
  const number = maskVersionNumber(store, version);
  // Main's zone, named: the message may be read in a browser in another zone (a team server run in UTC), where
  // UTC's date alone was a day off at UTC+14.
  throw new CompactedVersionError(
    `version ${number} was compacted on ${zonedDateTime(at)}; its pixels are no longer kept`,
    version.id,
    at,
  );
}
