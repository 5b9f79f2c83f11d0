// An image's history for the viewer: its audit trail (the image's own entries, its mask versions' and its kept
// drafts'), oldest first, each in a reviewer's words.
import { auditWords } from '../../shared/audit-words.js';
import type { HistoryEntry } from '../../shared/contract.js';
import { auditRowsOfImages, getImage, listAudit, type Store } from '../store/index.js';
import { rowId } from './ids.js';

/** The newest this many are shown: an image edited all day has hundreds of autosaved drafts. */
const MOST = 300;

export function getImageHistory(store: Store, imageIdArg: string): { entries: HistoryEntry[] } {
  const imageId = getImage(store, rowId(imageIdArg, 'image')).id;
  const entries = listAudit(store, { anyOf: auditRowsOfImages(store, [imageId]), limit: MOST });
  // Reopening an approval writes its draft copy and the reopening: one step for the reader.
  const reopened = new Set(entries.filter((e) => e.action === 'mask.reopen').map((e) => e.entityId));
  const steps = entries.filter((e) => !(e.action === 'mask.draft' && reopened.has(e.entityId)));
  return {
    entries: steps.reverse().map((e) => ({
      at: e.at,
      actor: e.actor,
      action: e.action,
      words: auditWords(e.action, e.details),
    })),
  };
}
