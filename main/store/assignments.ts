// Which annotators an image is assigned to. Annotators see only their images; reviewers and admins see all.
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import { ConstraintError, NotFoundError } from './errors.js';
import { findUser } from './users.js';

/** Replaces the assignees of each image with `userNames` (annotators only; empty: unassigned). */
export function setAssignees(store: Store, imageIds: number[], userNames: string[], actor: string): void {
  store.write('assign images', () => {
    // One account whatever case its name came in ('anna', 'Anna'): assigned once.
    const found = userNames.map((name) => findUser(store, name));
    const users = [...new Map(found.map((u) => [u.id, u])).values()];
    const wrong = users.find((u) => u.role !== 'annotator' || u.disabled);
    if (wrong) {
      throw new ConstraintError(
        `${wrong.name} is ${wrong.disabled ? 'disabled' : `a ${wrong.role}`}: only annotators are assigned images`,
      );
    }
    const exists = store.db.prepare('SELECT 1 FROM images WHERE id = ?').pluck();
    const clear = store.db.prepare('DELETE FROM image_assignments WHERE image_id = ?');
    const add = store.db.prepare(
      'INSERT INTO image_assignments (image_id, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?)',
    );
    const at = nowIso();
    for (const imageId of imageIds) {
      if (!exists.get(imageId)) throw new NotFoundError(`no image ${imageId}`);
      clear.run(imageId);
      for (const u of users) add.run(imageId, u.id, actor, at);
      recordAudit(store, actor, 'image.assign', 'image', imageId, { assignees: users.map((u) => u.name) });
    }
  });
}

export function isAssigned(store: Store, imageId: number, userId: number): boolean {
  return (
    store.db
      .prepare('SELECT 1 FROM image_assignments WHERE image_id = ? AND user_id = ?')
      .pluck()
      .get(imageId, userId) !== undefined
  );
}

/**
 * Whether the image was ever assigned to `name`, as the audit log of its assignments tells (the assignments table
 * holds only the current ones): an annotator taken off it mid-edit still has a stroke on its way to be kept.
 */
export function wasAssigned(store: Store, imageId: number, name: string): boolean {
  return everAssigned(store, imageId).includes(name);
}

/** Everyone the image was ever assigned to, as the audit log of its assignments tells, in name order. */
export function everAssigned(store: Store, imageId: number): string[] {
  const rows = store.db
    .prepare(
      "SELECT details FROM audit_log WHERE entity = 'image' AND entity_id = ? AND action = 'image.assign'",
    )
    .pluck()
    .all(imageId) as (string | null)[];
  const names = rows.flatMap((d) =>
    d === null ? [] : ((JSON.parse(d) as { assignees?: string[] }).assignees ?? []),
  );
  return [...new Set(names)].sort();
}

/** The names of an image's assignees, in name order. */
export function assigneesOf(store: Store, imageId: number): string[] {
  return store.db
    .prepare(
      `SELECT u.name FROM image_assignments a JOIN users u ON u.id = a.user_id WHERE a.image_id = ?
       ORDER BY u.name`,
    )
    .pluck()
    .all(imageId) as string[];
}

/** SQL condition (for an image listing's `i`): the image is assigned to the user bound at this `?`. */
export const ASSIGNED_TO_SQL =
  'EXISTS (SELECT 1 FROM image_assignments a WHERE a.image_id = i.id AND a.user_id = ?)';

/**
 * Whether the image is read blind: assigned to several annotators now, or ever. A reader taken off it (or left off
 * once their account was disabled) leaves drafts of their own behind, which the reader left must still not see.
 */
export function readBySeveral(store: Store, imageId: number, readers = assigneesOf(store, imageId)): boolean {
  if (readers.length > 1) return true;
  // Only an assignment naming two or more can have made it so: its details hold '","' between the names.
  const rows = store.db
    .prepare(
      `SELECT details FROM audit_log WHERE entity = 'image' AND entity_id = ? AND action = 'image.assign'
         AND details LIKE '%","%'`,
    )
    .pluck()
    .all(imageId) as string[];
  return rows.some((d) => ((JSON.parse(d) as { assignees?: string[] }).assignees?.length ?? 0) > 1);
}

/**
 * Whether `user` reads the image blind, one of its readers (see readBySeveral): each works on a draft line of their
 * own, so the image's edit lease and the stale-save check (one editor, one line) do not apply between the readers.
 */
export function readsBlind(store: Store, imageId: number, user: string): boolean {
  const readers = assigneesOf(store, imageId);
  return readers.includes(user) && readBySeveral(store, imageId, readers);
}
