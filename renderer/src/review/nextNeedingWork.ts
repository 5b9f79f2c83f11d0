// After an approval: which image to open next. The worklist's own order, starting after the approved image and
// wrapping around to the top, skipping images that are approved (asked fresh: the list the viewer was opened with
// may predate approvals made since).
import type { Id, ImageStatus } from '../../../shared/contract.js';

/** The ids to consider, in order: those after `index`, then those before it (never the image at `index`). */
export function candidatesAfter(ids: readonly Id[], index: number): Id[] {
  if (index < 0) return ids.slice();
  return [...ids.slice(index + 1), ...ids.slice(0, index)];
}

/**
 * The first candidate whose current status is not 'approved', asking `statusOf` for a few at a time (in order, so
 * the answer is the first in list order, not the first to reply); null when every one is approved.
 */
export async function nextNeedingWork(
  candidates: readonly Id[],
  statusOf: (id: Id) => Promise<ImageStatus>,
  batch = 6,
): Promise<Id | null> {
  for (let i = 0; i < candidates.length; i += batch) {
    const ids = candidates.slice(i, i + batch);
    const statuses = await Promise.all(ids.map(statusOf));
    const k = statuses.findIndex((s) => s !== 'approved');
    if (k >= 0) return ids[k];
  }
  return null;
}
