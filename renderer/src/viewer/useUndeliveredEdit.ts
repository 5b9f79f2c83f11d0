// The edit of this image kept in the browser because its save could not be delivered (undeliveredEdits.ts), offered
// when the image is opened again on the same study. Restoring saves it onto the version it was made on, through
// main's stale check: a newer version meanwhile makes it a kept draft of its own, never a save over that one.
import { useCallback, useEffect, useState } from 'react';
import type { ReviewState } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { refusedOf, type SaveRefused } from './useAutosave.js';
import { forgetUndelivered, undeliveredEdit, type UndeliveredEdit } from './undeliveredEdits.js';
import type { ViewerDocument } from './useViewerDocument.js';
import { windowClientId } from './windowClientId.js';

export interface UndeliveredOffer {
  edit: UndeliveredEdit | null;
  busy: boolean;
  restore: () => Promise<void>;
  discard: () => Promise<void>;
}

export function useUndeliveredEdit(
  imageId: string,
  doc: Pick<ViewerDocument, 'reloadMasks'>,
  onReview: (r: ReviewState) => void,
  onRefused: (r: SaveRefused) => void,
): UndeliveredOffer {
  const { client, notify, report, study } = useApp();
  const [edit, setEdit] = useState<UndeliveredEdit | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setEdit(null);
    if (!study) return;
    let live = true;
    undeliveredEdit(study, imageId).then(
      (found) => live && setEdit(found),
      (err: unknown) => console.warn('could not read the edits kept in this browser', err),
    );
    return () => {
      live = false;
    };
  }, [study, imageId]);

  const forget = useCallback(async (e: UndeliveredEdit) => {
    await forgetUndelivered(e.study, e.imageId);
    setEdit(null);
  }, []);

  const restore = useCallback(async () => {
    if (!edit) return;
    setBusy(true);
    try {
      const saved = await client.invoke('saveDraft', {
        imageId: edit.imageId,
        width: edit.width,
        height: edit.height,
        mask: edit.mask,
        parentVersionId: edit.parentVersionId,
        clientId: windowClientId(),
        ...(edit.av ? { av: edit.av } : {}),
        ...(edit.anatomy ? { anatomy: edit.anatomy } : {}),
        ...edit.saveIds,
      });
      await forget(edit);
      // Answered with the approval whose answer was lost (main approves nothing else a draft save sends).
      if (saved.status === 'approved')
        notify(
          `Your approval of this image at ${new Date(edit.at).toLocaleTimeString()} had reached the server: the image is approved (version ${saved.version}).`,
          'info',
        );
      onReview(saved.review);
      await doc.reloadMasks();
    } catch (err) {
      const refused = refusedOf(err);
      if (refused) {
        await forget(edit);
        onRefused(refused);
      } else report(err);
    } finally {
      setBusy(false);
    }
  }, [client, doc, edit, forget, notify, onRefused, onReview, report]);

  const discard = useCallback(async () => {
    if (edit) await forget(edit).catch(report);
  }, [edit, forget, report]);

  return { edit, busy, restore, discard };
}
