// The edit of this image kept in the browser because its save could not be delivered (undeliveredEdits.ts), offered
// when the image is opened again on the same study. Restoring saves it onto the version it was made on, through
// main's stale check: a newer version meanwhile makes it a kept draft of its own, never a save over that one.
// A save whose answer was lost may have been made: before offering the edit, main is asked whether its save (or its
// approval) made a version, and an edit that reached main is not offered as unsaved.
import { useCallback, useEffect, useState } from 'react';
import type { ReviewState } from '../../../shared/contract.js';
import type { RetinaClient } from '../../../shared/transport.js';
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

/** The version a kept edit's lost save or approval made on main, or null (none, or main could not be asked). */
async function reachedMain(
  client: RetinaClient,
  edit: UndeliveredEdit,
): Promise<{ version: number; approved: boolean } | null> {
  if (!edit.saveIds) return null; // kept by an older release: offered, its save answered as before
  const approval = edit.approval ? edit.approvalSaveId : undefined;
  try {
    const { saves } = await client.invoke('savesMade', {
      imageId: edit.imageId,
      saveIds: [edit.saveIds.saveId, ...(approval ? [approval] : [])],
    });
    const approved = saves.find((m) => m.saveId === approval && m.kind === 'approved');
    const draft = saves.find((m) => m.saveId === edit.saveIds?.saveId);
    const made = approved ?? draft;
    return made ? { version: made.version, approved: made === approved } : null;
  } catch (err) {
    // Offered as before: saving it is still answered with what its lost save made.
    console.warn('could not ask the server about the edit kept in this browser', err);
    return null;
  }
}

function reachedWords(edit: UndeliveredEdit, made: { version: number; approved: boolean }): string {
  const at = new Date(edit.at).toLocaleTimeString();
  if (made.approved)
    return `Your approval of this image at ${at} had reached the server: the image was approved (version ${made.version}). Nothing was waiting to be saved.`;
  if (edit.approval)
    return `Your edit of this image at ${at} had reached the server as a draft (version ${made.version}), but not your approval: approve it again when it is ready.`;
  return `Your edit of this image at ${at} had reached the server (version ${made.version}): nothing was waiting to be saved.`;
}

/** How the kept edit is offered: refused (not made), or not delivered (maybe made: the check could not tell). */
export function offerWords(edit: UndeliveredEdit): string {
  const at = new Date(edit.at).toLocaleTimeString();
  // The refusal said nothing was saved: no "maybe", and its own advice (a smaller mask, a higher proxy limit).
  if (edit.refusal && edit.approval)
    return `Your approval of this image at ${at} was refused: ${edit.refusal} The mask you approved was kept in this browser, not approved: saving it makes it a draft, to approve again once you have checked it.`;
  if (edit.refusal)
    return `An edit of this image made at ${at} was not saved: ${edit.refusal} It was kept in this browser.`;
  if (edit.approval)
    return `Your approval of this image at ${at} could not be delivered, or its answer was lost (the server could not be reached or refused this window): the mask you approved was kept in this browser, maybe not approved. Saving it says so if the approval reached the server; else it makes it a draft, to approve again once you have checked it.`;
  return `An edit of this image made at ${at} could not be saved (the server could not be reached or refused this window): it was kept in this browser.`;
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
    void (async () => {
      const found = await undeliveredEdit(study, imageId);
      const made = found && (await reachedMain(client, found));
      if (!live) return;
      if (!found || !made) return setEdit(found);
      await forgetUndelivered(found.study, found.imageId);
      notify(reachedWords(found, made), 'info');
    })().catch((err: unknown) => console.warn('could not read the edits kept in this browser', err));
    return () => {
      live = false;
    };
  }, [client, notify, study, imageId]);

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
