// Kept drafts: edits whose save was refused (another window held the image's lease, the image was handed on, or
// its mask moved on after the edit started). Their pixels are kept as blobs like any version's, but they stand
// outside the image's version line: no listing, review state or export sees them until someone adopts one
// (adopt-kept-draft.ts).
// Imports nothing from masks.ts, which keeps drafts inside its save transaction.
import { NEXT_KEPT_DRAFT_ID } from './erased-ids.js';
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import { ConstraintError, NotFoundError } from './errors.js';
import { loadBinaryBlob, loadGreyBlob } from './image-data.js';
import type { VersionAnatomy } from './anatomy.js';
import type { SaveRefusal } from '../../shared/edit-lease.js';

export type KeptReason = SaveRefusal['kind'];

export interface KeptDraft {
  id: number;
  imageId: number;
  author: string;
  createdAt: string;
  reason: KeptReason;
  /** The version the edit started from (null: drawn from scratch). */
  basedOnId: number | null;
  /** The image's newest draft or approval when the save was refused. */
  currentId: number | null;
  pngHash: string;
  width: number;
  height: number;
  avHash: string | null;
  anatomy: VersionAnatomy | null;
  /** The draft version that adopting it made; null while it waits. */
  adoptedId: number | null;
}

interface KeptRow {
  id: number;
  image_id: number;
  author: string;
  created_at: string;
  reason: KeptReason;
  based_on_id: number | null;
  current_id: number | null;
  png_hash: string;
  width: number;
  height: number;
  av_hash: string | null;
  anatomy: string | null;
  adopted_id: number | null;
}

const toKept = (r: KeptRow): KeptDraft => ({
  id: r.id,
  imageId: r.image_id,
  author: r.author,
  createdAt: r.created_at,
  reason: r.reason,
  basedOnId: r.based_on_id,
  currentId: r.current_id,
  pngHash: r.png_hash,
  width: r.width,
  height: r.height,
  avHash: r.av_hash,
  anatomy: r.anatomy === null ? null : (JSON.parse(r.anatomy) as VersionAnatomy),
  adoptedId: r.adopted_id,
});

/** A refused save, kept: the edit survives with its pixels though it did not become the image's mask. */
export class EditRefusedError extends ConstraintError {
  override name = 'EditRefusedError';
  constructor(
    message: string,
    readonly keptDraftId: number,
  ) {
    super(message);
  }
}

/**
 * Internal (inside a write): records a refused edit whose blobs are already stored; audited. `saveId`: the refused
 * save's id (its window's), so the same save sent again finds this draft (keptOfSave) instead of keeping another.
 */
export function keepDraftTx(
  store: Store,
  k: Omit<KeptDraft, 'id' | 'createdAt' | 'adoptedId'>,
  saveId: string | null = null,
): KeptDraft {
  const id = store.db
    .prepare(
      `INSERT INTO kept_drafts (id, image_id, author, created_at, reason, based_on_id, current_id, png_hash, width,
         height, av_hash, anatomy, save_id)
       VALUES (${NEXT_KEPT_DRAFT_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(
      k.imageId,
      k.author,
      nowIso(),
      k.reason,
      k.basedOnId,
      k.currentId,
      k.pngHash,
      k.width,
      k.height,
      k.avHash,
      k.anatomy ? JSON.stringify(k.anatomy) : null,
      saveId,
    ) as number;
  recordAudit(store, k.author, 'mask.kept', 'kept_draft', id, {
    imageId: k.imageId,
    reason: k.reason,
    basedOnId: k.basedOnId,
    currentId: k.currentId,
    pngHash: k.pngHash,
  });
  return getKeptDraft(store, id);
}

/** Internal (inside a write): the draft kept when `author`'s save `saveId` of the image was refused, or null. */
export function keptOfSave(store: Store, imageId: number, author: string, saveId: string): KeptDraft | null {
  const row = store.db
    .prepare('SELECT * FROM kept_drafts WHERE image_id = ? AND save_id = ? AND author = ?')
    .get(imageId, saveId, author) as KeptRow | undefined;
  return row ? toKept(row) : null;
}

export function getKeptDraft(store: Store, id: number): KeptDraft {
  const row = store.db.prepare('SELECT * FROM kept_drafts WHERE id = ?').get(id) as KeptRow | undefined;
  if (!row) throw new NotFoundError(`kept draft #${id} does not exist`);
  return toKept(row);
}

/** An image's kept drafts, newest first (adopted ones included, marked by `adoptedId`). */
export function listKeptDrafts(store: Store, imageId: number): KeptDraft[] {
  const rows = store.db
    .prepare('SELECT * FROM kept_drafts WHERE image_id = ? ORDER BY id DESC')
    .all(imageId) as KeptRow[];
  return rows.map(toKept);
}

/** The kept draft's pixels as a 0/1 map. */
export async function loadKeptMask(store: Store, kept: KeptDraft): Promise<Uint8Array> {
  const { pngHash: hash, width, height } = kept;
  return (await loadBinaryBlob(store, { hash, width, height }, `kept draft #${kept.id}`)).data;
}

/** Internal (inside a write): marks the draft adopted by `versionId`; a draft is adopted once. */
export function markAdoptedTx(store: Store, id: number, versionId: number): void {
  const info = store.db
    .prepare('UPDATE kept_drafts SET adopted_id = ? WHERE id = ? AND adopted_id IS NULL')
    .run(versionId, id);
  if (info.changes !== 1) throw new ConstraintError(`kept draft #${id} was already adopted`);
}

/** The kept draft's artery/vein labels (0/1/2 per pixel), or null when it has none. */
export async function loadKeptAv(store: Store, kept: KeptDraft): Promise<Uint8Array | null> {
  if (!kept.avHash) return null;
  const { avHash: hash, width, height } = kept;
  return (await loadGreyBlob(store, { hash, width, height }, `artery/vein map of kept draft #${kept.id}`))
    .data;
}
