// Two-reader mode: an image assigned to two (or more) annotators is read blind, each keeping their own drafts.
// These find each reader's own latest draft, so an annotator is shown only theirs and a reviewer sees all of them.
import type { Store } from './database.js';
import { assigneesOf, everAssigned, readBySeveral } from './assignments.js';
import { latestDraftBy, type MaskVersion } from './masks.js';

export { latestDraftBy };

/** Whether the image is read by more than one annotator (its readers are blind to each other's drafts). */
export function isMultiReader(store: Store, imageId: number): boolean {
  return readBySeveral(store, imageId);
}

/** Each assignee of the image with their own latest draft (null when they have not saved one yet). */
export function readerDrafts(store: Store, imageId: number): { reader: string; draft: MaskVersion | null }[] {
  return assigneesOf(store, imageId).map((reader) => ({
    reader,
    draft: latestDraftBy(store, imageId, reader),
  }));
}

/**
 * The readers of an image read blind who are no longer assigned to it (taken off, or left off once their account
 * was disabled) and left a draft of their own, with it, in name order. Their reading is still on the image (its
 * newest draft may be theirs), so the reviewer compares it with the others' and knows whose it is.
 */
export function formerReaderDrafts(store: Store, imageId: number): { reader: string; draft: MaskVersion }[] {
  const current = assigneesOf(store, imageId);
  if (!readBySeveral(store, imageId, current)) return [];
  return everAssigned(store, imageId)
    .filter((name) => !current.includes(name))
    .flatMap((reader) => {
      const draft = latestDraftBy(store, imageId, reader);
      return draft ? [{ reader, draft }] : [];
    });
}

/**
 * Every image read by more than one annotator, in import order: assigned to several now, or ever (see
 * readBySeveral), so an image that lost a reader after they read it still has its two readings to compare.
 */
export function multiReaderImageIds(store: Store): number[] {
  // Only an assignment naming two or more can have made an image read blind: its details hold '","'.
  const candidates = store.db
    .prepare(
      `SELECT i.id FROM images i
       WHERE (SELECT COUNT(*) FROM image_assignments a WHERE a.image_id = i.id) > 1
          OR EXISTS (SELECT 1 FROM audit_log l WHERE l.entity = 'image' AND l.entity_id = i.id
                       AND l.action = 'image.assign' AND l.details LIKE '%","%')
       ORDER BY i.id`,
    )
    .pluck()
    .all() as number[];
  return candidates.filter((imageId) => readBySeveral(store, imageId));
}
