// Approve and reopen, the two acts that move an image through review. Approving (A or the button) saves the
// approval, then opens the next image in the worklist's order that still needs work, or says that none does. An
// approved image is read-only; "Reopen for editing" is the one explicit way back to a draft.
import { useCallback, useRef, useState } from 'react';
import type { ImageSummary, ReviewState, SavedVersion } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { candidatesAfter, nextNeedingWork } from '../review/nextNeedingWork.js';
import { windowClientId } from './windowClientId.js';

export interface ReviewFlowOptions {
  imageId: string;
  /** The worklist the viewer was opened from, and this image's place in it (-1 when absent). */
  list: ImageSummary[];
  index: number;
  review: ReviewState | null;
  approve: () => Promise<SavedVersion | null>;
  /** Loads the masks again as a new document (the reopened draft). */
  reloadMasks: () => Promise<unknown>;
  onNavigate: (imageId: string) => void;
}

export interface ReviewFlow {
  /** Approved: the editing tools and keys do nothing until reopened. */
  locked: boolean;
  /** An approval or a reopen is on its way. */
  busy: boolean;
  approveAndNext: () => Promise<void>;
  /** The reason (may be empty) is kept in the audit log's reopen entry. */
  reopen: (reason: string) => Promise<void>;
}

export function useReviewFlow(o: ReviewFlowOptions): ReviewFlow {
  const { client, notify, report, openCache } = useApp();
  const { imageId, list, index, review, approve, reloadMasks, onNavigate } = o;
  const [busy, setBusy] = useState(false);
  // A second A pressed while the first approval is on its way is ignored, not queued.
  const inFlight = useRef(false);
  const locked = review?.status === 'approved';

  const guarded = useCallback(
    async (work: () => Promise<void>) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setBusy(true);
      try {
        await work();
      } catch (err) {
        report(err);
      } finally {
        inFlight.current = false;
        setBusy(false);
      }
    },
    [report],
  );

  const approveAndNext = useCallback(
    () =>
      guarded(async () => {
        if (locked) {
          const v = review?.approval ? ` (version ${review.approval.version})` : '';
          notify(`Already approved${v}. Reopen it for editing to change the mask.`, 'info');
          return;
        }
        const saved = await approve();
        if (!saved) return;
        const next = await nextNeedingWork(
          candidatesAfter(
            list.map((i) => i.id),
            index,
          ),
          async (id) => (await client.invoke('getImageInfo', { imageId: id })).status,
        );
        if (next === null) {
          notify(`Approved (version ${saved.version}). Every image in this list is approved.`, 'info');
          return;
        }
        const name = list.find((i) => i.id === next)?.fileName ?? next;
        notify(`Approved (version ${saved.version}). Next: ${name}`, 'info');
        onNavigate(next);
      }),
    [approve, client, guarded, index, list, locked, notify, onNavigate, review],
  );

  const reopen = useCallback(
    (reason: string) =>
      guarded(async () => {
        const reopening = client.invoke('reopenMask', {
          imageId,
          clientId: windowClientId(),
          ...(reason ? { reason } : {}),
        });
        openCache.trackSave(imageId, reopening);
        await reopening;
        await reloadMasks();
        notify('Reopened for editing: a draft until it is approved again.', 'info');
      }),
    [client, guarded, imageId, notify, openCache, reloadMasks],
  );

  return { locked, busy, approveAndNext, reopen };
}
