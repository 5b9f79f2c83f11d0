// Adopting a kept draft: an explicit, audited choice to make a refused edit the image's mask, as a new draft on top
// of the image's current version (draft-copy.ts holds the rules it shares with restoring an earlier version).
import { recordAudit } from './audit.js';
import type { Store } from './database.js';
import { copyOfSaveTx, insertDraftCopyTx, type DraftOnTop } from './draft-copy.js';
import { getKeptDraft, markAdoptedTx } from './kept-drafts.js';
import type { MaskVersion } from './masks.js';

export interface AdoptRequest extends Omit<DraftOnTop, 'imageId'> {
  keptDraftId: number;
}

export function adoptKeptDraft(store: Store, req: AdoptRequest): MaskVersion {
  const kept = getKeptDraft(store, req.keptDraftId);
  return store.write('adopt a kept draft', () => {
    const again = copyOfSaveTx(store, { ...req, imageId: kept.imageId }, kept);
    if (again) return again;
    // Nothing to keep on a refusal: the draft is kept already, and stays so.
    const version = insertDraftCopyTx(store, { ...req, imageId: kept.imageId }, kept, {
      note: `adopted kept draft #${kept.id}`,
      outcome: `still kept: draft #${kept.id}`,
      step: 'adopting a draft',
    });
    markAdoptedTx(store, kept.id, version.id);
    recordAudit(store, req.author, 'mask.adopt', 'kept_draft', kept.id, {
      imageId: kept.imageId,
      versionId: version.id,
      keptAuthor: kept.author,
    });
    return version;
  });
}
