// An image's history for the viewer: its audit trail (the image's own entries, its mask versions' and its kept
// drafts'), oldest first, each in a reviewer's words. An image edited all day has hundreds of autosaved drafts:
// a run of one person's drafts is one line ("saved 287 drafts"), so the approval and the import stay in view.
// An entry that made a mask version names it, so the viewer can open it and restore it.
import { auditWords } from '../../shared/audit-words.js';
import type { HistoryEntry } from '../../shared/contract.js';
import {
  auditRowsOfImages,
  compactedVersionsOf,
  getImage,
  listAudit,
  listMaskVersions,
  type AuditEntry,
  type MaskVersion,
  type Store,
} from '../store/index.js';
import { rowId } from './ids.js';

/** Read at most this many entries; more (years of edits) are said, not shown. */
const MOST = 20_000;

/** The mask version an entry made: its entity, or for an adoption the draft it became. */
function versionMade(e: AuditEntry): number | null {
  if (e.entity === 'mask_version' && e.action !== 'mask.disc.move') return e.entityId;
  const v = (e.details as { versionId?: unknown } | null)?.versionId;
  return e.action === 'mask.adopt' && typeof v === 'number' ? v : null;
}

/**
 * An approval of another person's draft as it was (a reviewer adjudicating two readers picks one reading): the words
 * name whose, so the History says which reading became the image's mask. Null for any other approval.
 */
function approvedReading(
  e: AuditEntry,
  versions: ReadonlyMap<number, MaskVersion>,
  numbers: ReadonlyMap<number, number>,
): string | null {
  if (e.action !== 'mask.approved' || e.entityId === null) return null;
  const parentId = (e.details as { parentId?: unknown } | null)?.parentId;
  const parent = typeof parentId === 'number' ? versions.get(parentId) : undefined;
  const approval = versions.get(e.entityId);
  if (!parent || !approval || parent.kind !== 'draft' || parent.author === e.actor) return null;
  if (parent.pngHash !== approval.pngHash) return null;
  return `approved ${parent.author}'s draft (version ${numbers.get(parent.id)}) as it was`;
}

function folded(store: Store, imageId: number, entries: AuditEntry[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let run = 0;
  // Per-image version numbers read once (an image edited all day has hundreds of drafts, each an entry).
  const all = listMaskVersions(store, imageId);
  const numbers = new Map(all.map((v, i) => [v.id, i + 1]));
  const versions = new Map(all.map((v) => [v.id, v]));
  const compacted = compactedVersionsOf(store, imageId);
  const version = (e: AuditEntry): Pick<HistoryEntry, 'versionId' | 'version' | 'compacted'> => {
    const id = versionMade(e);
    const n = id === null ? undefined : numbers.get(id);
    if (n === undefined) return {};
    const at = compacted.get(id!);
    return at === undefined
      ? { versionId: String(id), version: n }
      : { versionId: String(id), version: n, compacted: at };
  };
  for (const e of entries) {
    const last = out.at(-1);
    if (e.action === 'mask.draft' && last?.action === 'mask.draft' && last.actor === e.actor) {
      run++;
      // The run's last draft stands for it: its version, and whether that one was compacted.
      delete last.compacted;
      Object.assign(last, { words: `saved ${run} drafts`, until: e.at }, version(e));
      continue;
    }
    run = 1;
    out.push({
      at: e.at,
      actor: e.actor,
      action: e.action,
      words: approvedReading(e, versions, numbers) ?? auditWords(e.action, e.details),
      ...version(e),
    });
  }
  return out;
}

export function getImageHistory(store: Store, imageIdArg: string): { entries: HistoryEntry[]; cut: boolean } {
  const imageId = getImage(store, rowId(imageIdArg, 'image')).id;
  const entries = listAudit(store, { anyOf: auditRowsOfImages(store, [imageId]), limit: MOST });
  // Reopening an approval or restoring a version writes a draft and the act: one step for the reader.
  const acts = new Set(
    entries.filter((e) => e.action === 'mask.reopen' || e.action === 'mask.restore').map((e) => e.entityId),
  );
  const steps = entries.filter((e) => !(e.action === 'mask.draft' && acts.has(e.entityId)));
  return { entries: folded(store, imageId, steps.reverse()), cut: entries.length === MOST };
}
