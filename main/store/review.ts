// Review state: what an image's newest person-made version says. An approval stands until someone edits or
// reopens the mask; the draft that follows makes the image a draft again ("approved, then edited") until it is
// re-approved. Predictions never change the state of a reviewed image.
//
// The rule lives here once, in two forms that must agree: `reviewStatus` over the newest version id of each kind
// (what one image's record and a listed row use), and `reviewStatusFilterSql` (what the listing filters and
// counts by, so a page, its filter and its total never disagree).
// Imports nothing from the other store modules (images and masks use it), so no import goes in a circle.
import type { Store } from './database.js';

/** An image's review status in the store's words: no mask, a prediction only, a draft, or approved. */
export type MaskStatus = 'none' | 'prediction' | 'draft' | 'approved';

export interface ReviewRecord {
  status: MaskStatus;
  /** A draft newer than an approval: approved once, edited since. */
  reopened: boolean;
  /** The latest approval, with its per-image version number. */
  approval: { versionId: number; by: string; at: string; version: number } | null;
}

/** The newest version id of each kind of an image (null: it has none of that kind). */
export interface LatestIds {
  prediction: number | null;
  draft: number | null;
  approved: number | null;
}

/** The review rule: the newer of the latest draft and the latest approval decides; else a prediction; else none. */
export function reviewStatus(latest: LatestIds): { status: MaskStatus; reopened: boolean } {
  const { prediction, draft, approved } = latest;
  if (approved !== null && (draft === null || approved > draft))
    return { status: 'approved', reopened: false };
  if (draft !== null) return { status: 'draft', reopened: approved !== null };
  return { status: prediction !== null ? 'prediction' : 'none', reopened: false };
}

/** SQL for the newest version id of one kind of the image `imageId` (one seek on the (image_id, kind, id) index). */
export function latestIdSql(kind: 'prediction' | 'draft' | 'approved', imageId: string): string {
  return `(SELECT MAX(m.id) FROM mask_versions m WHERE m.image_id = ${imageId} AND m.kind = '${kind}')`;
}

/**
 * SQL condition: the image `imageId` has review status `status` by the rule above. "The latest approval is newer
 * than the latest draft" is written as "some approval has no newer draft": an image without approvals is ruled
 * out by one seek on the (image_id, kind, id) index, so a filtered count costs what an EXISTS does.
 */
export function reviewStatusFilterSql(status: MaskStatus, imageId: string): string {
  const has = (kind?: 'prediction' | 'draft' | 'approved'): string =>
    `EXISTS (SELECT 1 FROM mask_versions m WHERE m.image_id = ${imageId}${kind ? ` AND m.kind = '${kind}'` : ''})`;
  const noNewer = (kind: 'draft' | 'approved', other: 'draft' | 'approved'): string =>
    `EXISTS (SELECT 1 FROM mask_versions m WHERE m.image_id = ${imageId} AND m.kind = '${kind}' AND NOT EXISTS
       (SELECT 1 FROM mask_versions o WHERE o.image_id = ${imageId} AND o.kind = '${other}' AND o.id > m.id))`;
  switch (status) {
    case 'none':
      return `NOT ${has()}`;
    case 'prediction':
      return `${has('prediction')} AND NOT ${has('draft')} AND NOT ${has('approved')}`;
    case 'draft':
      return noNewer('draft', 'approved');
    case 'approved':
      return noNewer('approved', 'draft');
  }
}

/** Per-image version number: the version's rank among its image's versions, all kinds, oldest first (1-based). */
export function maskVersionNumber(store: Store, version: { id: number; imageId: number }): number {
  return store.db
    .prepare('SELECT COUNT(*) FROM mask_versions WHERE image_id = ? AND id <= ?')
    .pluck()
    .get(version.imageId, version.id) as number;
}

/** The newest version id of each kind of one image. */
export function latestIds(store: Store, imageId: number): LatestIds {
  const row = store.db
    .prepare(
      `SELECT ${latestIdSql('prediction', '?')} AS prediction, ${latestIdSql('draft', '?')} AS draft,
         ${latestIdSql('approved', '?')} AS approved`,
    )
    .get(imageId, imageId, imageId) as LatestIds;
  return { prediction: row.prediction, draft: row.draft, approved: row.approved };
}

/**
 * A blind reader's newest version ids (two-reader mode, readers.ts): their own latest draft stands for the image's,
 * so their status says where their reading is, not where the other reader's is.
 */
export function ownLatestIds(
  store: Store,
  imageId: number,
  reader: string,
  latest: LatestIds = latestIds(store, imageId),
): LatestIds {
  const draft = store.db
    .prepare("SELECT MAX(id) FROM mask_versions WHERE image_id = ? AND kind = 'draft' AND author = ?")
    .pluck()
    .get(imageId, reader) as number | null;
  // Reopened after an approval, the image is a draft again for its readers too: the approval no longer stands over
  // a reader's older draft, which is where they go on from.
  const { approved } = latest;
  const reopened = approved !== null && latest.draft !== null && latest.draft > approved;
  return { ...latest, draft, approved: reopened && (draft === null || draft < approved) ? null : approved };
}

/** The review record of an image whose newest version ids are already known (a listed row), or looked up. */
export function reviewOf(
  store: Store,
  imageId: number,
  latest: LatestIds = latestIds(store, imageId),
): ReviewRecord {
  const { status, reopened } = reviewStatus(latest);
  let approval: ReviewRecord['approval'] = null;
  if (latest.approved !== null) {
    const row = store.db
      .prepare('SELECT author, created_at FROM mask_versions WHERE id = ?')
      .get(latest.approved) as { author: string; created_at: string };
    approval = {
      versionId: latest.approved,
      by: row.author,
      at: row.created_at,
      version: maskVersionNumber(store, { id: latest.approved, imageId }),
    };
  }
  return { status, reopened, approval };
}
