// An image's history for the viewer: its audit trail (the image's own entries, its mask versions' and its kept
// drafts'), oldest first, each in a reviewer's words. An image edited all day has hundreds of autosaved drafts:
// a run of one person's drafts is one line ("saved 287 drafts"), so the approval and the import stay in view.
import { auditWords } from '../../shared/audit-words.js';
import type { HistoryEntry } from '../../shared/contract.js';
import { auditRowsOfImages, getImage, listAudit, type AuditEntry, type Store } from '../store/index.js';
import { rowId } from './ids.js';

/** Read at most this many entries; more (years of edits) are said, not shown. */
const MOST = 20_000;

function folded(entries: AuditEntry[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let run = 0;
  for (const e of entries) {
    const last = out.at(-1);
    if (e.action === 'mask.draft' && last?.action === 'mask.draft' && last.actor === e.actor) {
      run++;
      last.words = `saved ${run} drafts`;
      last.until = e.at;
      continue;
    }
    run = 1;
    out.push({ at: e.at, actor: e.actor, action: e.action, words: auditWords(e.action, e.details) });
  }
  return out;
}

export function getImageHistory(store: Store, imageIdArg: string): { entries: HistoryEntry[]; cut: boolean } {
  const imageId = getImage(store, rowId(imageIdArg, 'image')).id;
  const entries = listAudit(store, { anyOf: auditRowsOfImages(store, [imageId]), limit: MOST });
  // Reopening an approval writes its draft copy and the reopening: one step for the reader.
  const reopened = new Set(entries.filter((e) => e.action === 'mask.reopen').map((e) => e.entityId));
  const steps = entries.filter((e) => !(e.action === 'mask.draft' && reopened.has(e.entityId)));
  return { entries: folded(steps.reverse()), cut: entries.length === MOST };
}
