// What other processes changed in a SQLite study (a `retina` command, a second app on the same file): a process
// learns of its own writes as it makes them, of theirs only by looking. PostgreSQL teams have their own events.
import type { Store } from './database.js';
import { sqliteConnection } from './sqlite-backend.js';

export interface ChangeMark {
  /** SQLite's data_version: it moves when another connection commits, never for this one's own writes. */
  dataVersion: number;
  /** The newest audit row then: each change since is one after it. */
  auditId: number;
}

/** Where the study stands now; null for a store that is not a SQLite file. */
export function changeMark(store: Store): ChangeMark | null {
  const db = sqliteConnection(store);
  if (!db) return null;
  const auditId = db.prepare('SELECT COALESCE(MAX(id), 0) FROM audit_log').pluck().get() as number;
  return { dataVersion: db.pragma('data_version', { simple: true }) as number, auditId };
}

/** The images that audit rows after `auditId` speak of (an image's own row, or a mask's with its imageId). */
export function imagesChangedSince(store: Store, auditId: number): number[] {
  return store.db
    .prepare(
      `SELECT DISTINCT COALESCE(CASE WHEN entity = 'image' THEN entity_id END, json_extract(details, '$.imageId'))
       FROM audit_log WHERE id > ? ORDER BY 1`,
    )
    .pluck()
    .all(auditId)
    .filter((id): id is number => typeof id === 'number');
}
