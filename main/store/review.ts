// Review state: what an image's newest person-made version says. An approval stands until someone edits or
// reopens the mask; the draft that follows makes the image a draft again ("approved, then edited") until it is
// re-approved. Predictions never change the state of a reviewed image.
import type { Store } from './database.js';
import type { MaskStatus } from './images.js';

export interface ReviewRecord {
  status: MaskStatus;
  /** A draft newer than an approval: approved once, edited since. */
  reopened: boolean;
  /** The latest approval, with its per-image version number. */
  approval: { versionId: number; by: string; at: string; version: number } | null;
}

/** Per-image version number: the version's rank among its image's versions, all kinds, oldest first (1-based). */
export function maskVersionNumber(store: Store, version: { id: number; imageId: number }): number {
  return store.db
    .prepare('SELECT COUNT(*) FROM mask_versions WHERE image_id = ? AND id <= ?')
    .pluck()
    .get(version.imageId, version.id) as number;
}

interface LatestRow {
  id: number;
  kind: 'draft' | 'approved';
}

export function reviewOf(store: Store, imageId: number): ReviewRecord {
  const human = store.db
    .prepare(
      `SELECT id, kind FROM mask_versions WHERE image_id = ? AND kind IN ('draft', 'approved')
       ORDER BY id DESC LIMIT 1`,
    )
    .get(imageId) as LatestRow | undefined;
  const approvedRow = store.db
    .prepare(
      `SELECT id, author, created_at FROM mask_versions WHERE image_id = ? AND kind = 'approved'
       ORDER BY id DESC LIMIT 1`,
    )
    .get(imageId) as { id: number; author: string; created_at: string } | undefined;
  const approval = approvedRow
    ? {
        versionId: approvedRow.id,
        by: approvedRow.author,
        at: approvedRow.created_at,
        version: maskVersionNumber(store, { id: approvedRow.id, imageId }),
      }
    : null;
  if (human) {
    return {
      status: human.kind,
      reopened: human.kind === 'draft' && approval !== null,
      approval,
    };
  }
  const predicted = store.db
    .prepare(`SELECT 1 FROM mask_versions WHERE image_id = ? AND kind = 'prediction' LIMIT 1`)
    .get(imageId);
  return { status: predicted ? 'prediction' : 'none', reopened: false, approval };
}
