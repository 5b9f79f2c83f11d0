// A draft that copies pixels the store already holds (a kept draft adopted, an earlier version restored): an
// explicit, audited step that puts a new draft version on top of the image's current one, never rewriting history,
// under the rules an editor's save passes (the lease, the version the user saw, the team hand-off), and never over
// an approval (that needs a reopen first).
import { refusalMessage, saveRefusal } from '../../shared/edit-lease.js';
import { sameDisc } from './anatomy.js';
import { recordAudit } from './audit.js';
import type { Store } from './database.js';
import { ConstraintError } from './errors.js';
import { getImage } from './images.js';
import {
  anatomyBefore,
  editorsLine,
  insertMaskVersionTx,
  versionOfSaveTx,
  type MaskVersion,
} from './masks.js';
import { reviewOf } from './review.js';

export interface DraftOnTop {
  imageId: number;
  author: string;
  /** The image's current draft or approval as the user saw it (null: none). */
  parentId: number | null;
  clientId: string | null;
  nowMs: number;
  /** Team mode: why the image is not the user's to edit in the hand-off (null: it is), as for a save. */
  handedOff?: string | null;
  /** The act's id, chosen by its window: sent again (its answer lost), it gets the draft it made (copyOfSaveTx). */
  saveId?: string | null;
}

export type CopiedPixels = Pick<MaskVersion, 'pngHash' | 'width' | 'height' | 'avHash' | 'anatomy'>;

/**
 * Internal (inside a write): the draft this act made before, when its window sends it again after the answer was
 * lost (else the retry would be refused as stale against that very draft, or adopt twice); null when it made none.
 * The same id with other pixels or another parent is another act: refused.
 */
export function copyOfSaveTx(store: Store, req: DraftOnTop, from: CopiedPixels): MaskVersion | null {
  if (!req.saveId) return null;
  const made = versionOfSaveTx(store, req.saveId, {
    imageId: req.imageId,
    author: req.author,
    kind: 'draft',
  });
  if (made && (made.pngHash !== from.pngHash || made.parentId !== req.parentId))
    throw new ConstraintError(`save ${req.saveId} was another save (version ${made.id})`);
  return made;
}

/**
 * Internal (inside a write): the new draft, or a ConstraintError that says why not. `outcome` ends a refusal
 * ("nothing was restored"); `step` names the act for an approved image ("restoring an earlier version").
 */
export function insertDraftCopyTx(
  store: Store,
  req: DraftOnTop,
  from: CopiedPixels,
  words: { note: string; outcome: string; step: string },
): MaskVersion {
  const image = getImage(store, req.imageId);
  // Judged as the user's save would be: a blind reader of a two-reader image builds on their own drafts.
  const refusal = saveRefusal({
    ...editorsLine(store, image.id, req.author, req.parentId),
    clientId: req.clientId,
    nowMs: req.nowMs,
    parentId: req.parentId,
    handedOff: req.handedOff ?? null,
  });
  if (refusal) throw new ConstraintError(refusalMessage(refusal, image.fileName, words.outcome));
  if (reviewOf(store, image.id).status === 'approved') {
    throw new ConstraintError(`${image.fileName} is approved: reopen it for editing before ${words.step}`);
  }
  const before = anatomyBefore(store, image.id, req.parentId);
  const version = insertMaskVersionTx(store, {
    imageId: image.id,
    kind: 'draft',
    author: req.author,
    parentId: req.parentId,
    modelId: null,
    pngHash: from.pngHash,
    width: from.width,
    height: from.height,
    avHash: from.avHash,
    // The disc is the image's, not the vessel version's: a version with no disc record of its own (made before
    // any disc was predicted or placed) keeps the one the user sees now rather than dropping it.
    anatomy: from.anatomy ?? before,
    note: words.note,
    probHash: null,
    uncertaintyHash: null,
    quality: null,
    threshold: null,
    saveId: req.saveId ?? null,
  });
  // The copy puts its own disc back: a disc elsewhere than the current one's moved, audited as a move by hand is.
  if (from.anatomy && before && !sameDisc(before.disc, from.anatomy.disc)) {
    recordAudit(store, req.author, 'mask.disc.move', 'mask_version', version.id, {
      imageId: image.id,
      from: before.disc,
      to: from.anatomy.disc,
    });
  }
  return version;
}
