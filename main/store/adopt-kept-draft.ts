// Adopting a kept draft: an explicit, audited choice to make a refused edit the image's mask. It becomes a new draft
// version on top of the image's current one (never replacing history), under the same rules as an editor's save:
// the adopter must hold the lease (or nobody does), must have seen the current version, and in a team the image must
// be theirs in the hand-off (not submitted for review by them, nor sent back to its annotators by them).
import { refusalMessage, saveRefusal } from '../../shared/edit-lease.js';
import { recordAudit } from './audit.js';
import type { Store } from './database.js';
import { getLease } from './edit-leases.js';
import { ConstraintError } from './errors.js';
import { getImage } from './images.js';
import { getKeptDraft, markAdoptedTx } from './kept-drafts.js';
import { insertMaskVersionTx, latestPersonVersion, type MaskVersion } from './masks.js';
import { reviewOf } from './review.js';

export interface AdoptRequest {
  keptDraftId: number;
  author: string;
  /** The image's current draft or approval as the adopter saw it (null: none). */
  parentId: number | null;
  clientId: string | null;
  nowMs: number;
  /** Team mode: why the image is not the adopter's to edit in the hand-off (null: it is), as for a save. */
  handedOff?: string | null;
}

export function adoptKeptDraft(store: Store, req: AdoptRequest): MaskVersion {
  const kept = getKeptDraft(store, req.keptDraftId);
  const image = getImage(store, kept.imageId);
  return store.write('adopt a kept draft', () => {
    const refusal = saveRefusal({
      lease: getLease(store, image.id),
      clientId: req.clientId,
      nowMs: req.nowMs,
      current: latestPersonVersion(store, image.id),
      parentId: req.parentId,
      handedOff: req.handedOff ?? null,
    });
    // Nothing to keep here: the draft is kept already, and stays so.
    if (refusal) {
      throw new ConstraintError(
        refusalMessage(refusal, image.fileName, kept.id).replace(/your edit is kept as/, 'still kept:'),
      );
    }
    if (reviewOf(store, image.id).status === 'approved') {
      throw new ConstraintError(
        `${image.fileName} is approved: reopen it for editing before adopting a draft`,
      );
    }
    const version = insertMaskVersionTx(store, {
      imageId: image.id,
      kind: 'draft',
      author: req.author,
      parentId: req.parentId,
      modelId: null,
      pngHash: kept.pngHash,
      width: kept.width,
      height: kept.height,
      avHash: kept.avHash,
      anatomy: kept.anatomy,
      note: `adopted kept draft #${kept.id}`,
      probHash: null,
      uncertaintyHash: null,
      quality: null,
      threshold: null,
    });
    markAdoptedTx(store, kept.id, version.id);
    recordAudit(store, req.author, 'mask.adopt', 'kept_draft', kept.id, {
      imageId: image.id,
      versionId: version.id,
      keptAuthor: kept.author,
    });
    return version;
  });
}
