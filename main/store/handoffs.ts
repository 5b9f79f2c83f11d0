// The hand-off between annotator and reviewer: an annotator submits a draft for review; a reviewer sends it back
// with a comment, or approves it. An approval newer than the hand-off settles it, so approving (through the
// ordinary mask save) needs no extra write here, and a re-approval after a fix settles the next hand-off alike.
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import { ConstraintError, NotFoundError } from './errors.js';
import { latestIdSql, latestIds, ownLatestIds, reviewStatus } from './review.js';
import { assigneesOf, readsBlind } from './assignments.js';

export type HandoffState = 'awaiting-review' | 'needs-work';

export interface HandoffRecord {
  state: HandoffState;
  /** The reviewer's comment when sent back. */
  comment: string | null;
  by: string;
  at: string;
  /** handoffSeenByReviewer: the readers whose send-back is not answered yet. */
  sentBackTo?: string[];
  /** A reader's earlier send-backs not answered yet, oldest first. */
  earlier?: EarlierSendBack[];
}

export interface EarlierSendBack {
  comment: string;
  by: string;
  at: string;
}

interface HandoffRow {
  state: HandoffState;
  comment: string | null;
  mask_version_id: number | null;
  by_user: string;
  at: string;
  /** The send-backs before this one not answered yet (JSON, oldest first); null when none. */
  earlier: string | null;
}

/** The record of a hand-off row (open: an approval has not settled it). */
function recordOf(row: HandoffRow): HandoffRecord {
  const earlier = row.earlier === null ? [] : (JSON.parse(row.earlier) as EarlierSendBack[]);
  return {
    state: row.state,
    comment: row.comment,
    by: row.by_user,
    at: row.at,
    ...(earlier.length > 0 ? { earlier } : {}),
  };
}

/** The send-backs not answered yet once `open` is followed by another: its own earlier ones, then itself. */
function stillOpen(open: HandoffRecord | null): string | null {
  if (open?.state !== 'needs-work') return null;
  const earlier = [...(open.earlier ?? []), { comment: open.comment ?? '', by: open.by, at: open.at }];
  return JSON.stringify(earlier);
}

/** The image's open hand-off, or null when there is none or an approval has settled it. */
export function handoffOf(store: Store, imageId: number): HandoffRecord | null {
  const row = store.db.prepare('SELECT * FROM image_handoffs WHERE image_id = ?').get(imageId) as
    HandoffRow | undefined;
  if (!row) return null;
  const approved = latestIds(store, imageId).approved;
  if (approved !== null && approved > (row.mask_version_id ?? 0)) return null;
  return recordOf(row);
}

/**
 * SQL condition (for an image listing's `i`): its hand-off is open and awaiting review, as handoffOf tells it (an
 * approval newer than the hand-off settles it).
 */
export const AWAITING_REVIEW_SQL = `EXISTS (SELECT 1 FROM image_handoffs h WHERE h.image_id = i.id
  AND h.state = 'awaiting-review' AND COALESCE(${latestIdSql('approved', 'i.id')}, 0) <= COALESCE(h.mask_version_id, 0))`;

/** When `user` last submitted the image for review, unless it was sent back since (then, and never: null). */
export function ownSubmission(store: Store, imageId: number, user: string): string | null {
  const atOf = (sql: string, ...params: unknown[]): string =>
    (store.db
      .prepare(sql)
      .pluck()
      .get(imageId, ...params) as string | null) ?? '';
  const base = "SELECT MAX(at) FROM audit_log WHERE entity = 'image' AND entity_id = ?";
  const submitted = atOf(`${base} AND action = 'review.submit' AND actor = ?`, user);
  return submitted !== '' && submitted >= atOf(`${base} AND action = 'review.send-back'`) ? submitted : null;
}

/**
 * The hand-off as a blind reader of a two-reader image is told of it: their own submission, or the send-back they
 * have not answered yet, never the other reader's doings (which would tell them the image is done when their
 * reading is not, or drop the reviewer's comment once the other reader resubmitted).
 */
export function handoffSeenBy(store: Store, imageId: number, reader: string): HandoffRecord | null {
  const handoff = handoffOf(store, imageId);
  if (handoff === null) return null;
  const at = ownSubmission(store, imageId, reader);
  if (at !== null && handoff.state === 'awaiting-review') return { ...handoff, by: reader, at };
  // No send-back of their own (one from before readers kept theirs, or they were assigned since): the image's.
  return ownSendBack(store, imageId, reader) ?? (handoff.state === 'needs-work' ? handoff : null);
}

/**
 * The hand-off as a reviewer is told of it: the image's, and on an image read blind by several, which readers have
 * not yet answered a send-back (the image's hand-off is the last submitter's, and would say only that it waits).
 */
export function handoffSeenByReviewer(store: Store, imageId: number): HandoffRecord | null {
  const handoff = handoffOf(store, imageId);
  if (handoff === null) return null;
  const sentBackTo = assigneesOf(store, imageId).filter((r) => ownSendBack(store, imageId, r) !== null);
  return sentBackTo.length > 0 ? { ...handoff, sentBackTo } : handoff;
}

/** The send-back `reader` has not answered by resubmitting, unless an approval has settled it since. */
function ownSendBack(store: Store, imageId: number, reader: string): HandoffRecord | null {
  const row = store.db
    .prepare('SELECT * FROM reader_send_backs WHERE image_id = ? AND reader = ?')
    .get(imageId, reader) as Omit<HandoffRow, 'state'> | undefined;
  if (!row) return null;
  const approved = latestIds(store, imageId).approved;
  if (approved !== null && approved > (row.mask_version_id ?? 0)) return null;
  return recordOf({ ...row, state: 'needs-work' });
}

function newestVersion(store: Store, imageId: number): number | null {
  const latest = latestIds(store, imageId);
  return Math.max(latest.prediction ?? 0, latest.draft ?? 0, latest.approved ?? 0) || null;
}

function putHandoff(
  store: Store,
  imageId: number,
  state: HandoffState,
  comment: string | null,
  actor: string,
): void {
  const newest = newestVersion(store, imageId);
  // Sent back again before anyone resubmitted: the comment not answered yet stays with the new one.
  const earlier = state === 'needs-work' ? stillOpen(handoffOf(store, imageId)) : null;
  store.db
    .prepare(
      `INSERT INTO image_handoffs (image_id, state, comment, mask_version_id, by_user, at, earlier)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET state = excluded.state, comment = excluded.comment,
         mask_version_id = excluded.mask_version_id, by_user = excluded.by_user, at = excluded.at,
         earlier = excluded.earlier`,
    )
    .run(imageId, state, comment, newest, actor, nowIso(), earlier);
}

function requireImage(store: Store, imageId: number): void {
  if (store.db.prepare('SELECT 1 FROM images WHERE id = ?').get(imageId) === undefined)
    throw new NotFoundError(`no image ${imageId}`);
}

/** An annotator's draft goes to the reviewers. Needs a draft (an unapproved person-made mask). */
export function submitForReview(store: Store, imageId: number, actor: string): HandoffRecord {
  return store.write('submit for review', () => {
    requireImage(store, imageId);
    // A blind reader hands over their own reading: the other reader's draft is not theirs to submit.
    const blind = readsBlind(store, imageId, actor);
    const status = reviewStatus(
      blind ? ownLatestIds(store, imageId, actor) : latestIds(store, imageId),
    ).status;
    if (status === 'approved')
      throw new ConstraintError(`image ${imageId} is approved already: there is nothing to submit`);
    if (status !== 'draft') {
      throw new ConstraintError(
        blind
          ? `image ${imageId} has no draft of your own to submit: save your reading first`
          : `image ${imageId} has no draft to submit: save your corrections first`,
      );
    }
    putHandoff(store, imageId, 'awaiting-review', null, actor);
    // Answered: the reader's own send-back goes; the other reader's stays theirs until they resubmit.
    store.db.prepare('DELETE FROM reader_send_backs WHERE image_id = ? AND reader = ?').run(imageId, actor);
    recordAudit(store, actor, 'review.submit', 'image', imageId);
    return handoffOf(store, imageId) as HandoffRecord;
  });
}

/** A reviewer returns the image to its annotators as needing work, saying why. */
export function sendBack(store: Store, imageId: number, comment: string, actor: string): HandoffRecord {
  const text = comment.trim();
  if (!text) throw new ConstraintError('sending back needs a comment saying what to fix');
  return store.write('send back for work', () => {
    requireImage(store, imageId);
    if (reviewStatus(latestIds(store, imageId)).status === 'approved') {
      throw new ConstraintError(`image ${imageId} is approved: reopen it before sending it back`);
    }
    putHandoff(store, imageId, 'needs-work', text, actor);
    // Each blind reader keeps the comment until they resubmit: the image's one hand-off is the next submitter's.
    const readers = assigneesOf(store, imageId);
    if (readers.length > 1) {
      const keep = store.db.prepare(
        `INSERT INTO reader_send_backs (image_id, reader, comment, mask_version_id, by_user, at, earlier)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (image_id, reader) DO UPDATE SET comment = excluded.comment,
           mask_version_id = excluded.mask_version_id, by_user = excluded.by_user, at = excluded.at,
           earlier = excluded.earlier`,
      );
      const { at } = handoffOf(store, imageId) as HandoffRecord;
      for (const reader of readers) {
        // Sent back again before they resubmitted: the comment they have not answered yet stays theirs too.
        const kept = stillOpen(ownSendBack(store, imageId, reader));
        keep.run(imageId, reader, text, newestVersion(store, imageId), actor, at, kept);
      }
    }
    recordAudit(store, actor, 'review.send-back', 'image', imageId, { comment: text });
    return handoffOf(store, imageId) as HandoffRecord;
  });
}
