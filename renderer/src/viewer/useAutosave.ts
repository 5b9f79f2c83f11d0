// Keeps the user's corrections safe: every edit schedules a draft save, saves run one after another, a pending
// draft is flushed when the image is left, and Approve supersedes whatever draft is still waiting. Every answer
// carries the image's review state, handed to `onReview` (a first draft turns "predicted" into "draft"). Every save
// names the version it builds on (the last one this window saved, or the one it opened) and this window's lease id;
// main refuses a stale one and keeps the edit as a draft of its own, handed to `onRefused` (or said in a toast when
// the answer comes after the viewer left the image).
import { useCallback, useEffect, useRef, useState } from 'react';
import { RpcError, type ReviewState, type SavedVersion } from '../../../shared/contract.js';
import { keptDraftOf } from '../../../shared/edit-lease.js';
import { useApp } from '../appContext.js';
import type { MaskDocument } from './maskDocument.js';
import { windowClientId } from './windowClientId.js';
import { UnansweredSaves, mayHaveBeenMade, sameEdit, type Sent } from './unansweredSaves.js';
import { forgetUndelivered, keepUndelivered, type UndeliveredEdit } from './undeliveredEdits.js';

const AUTOSAVE_MS = 1500;

/** 'kept': main refused the save (stale, or another window's lease) and kept the edit as a draft of its own. */
export type SaveState = 'saved' | 'pending' | 'saving' | 'error' | 'kept';

export interface Autosave {
  saveState: SaveState;
  /** Approves what is on screen; the saved approval, or null when it failed (the error was reported). */
  approve: () => Promise<SavedVersion | null>;
  /** Saves a waiting draft now and waits for every save under way (before the document is swapped). */
  flush: () => Promise<void>;
  /** Counts the document's edits: what is drawn from the working mask redraws when it changes. */
  edits: number;
  /**
   * Why this browser could not keep the edit it could not save (IndexedDB refused it: full, or private browsing),
   * so the edit is only in this window; null when it was kept, or nothing needed keeping.
   */
  notKept: string | null;
}

/** A refused save: main's message, and the kept draft it names. */
export interface SaveRefused {
  message: string;
  keptDraftId: string;
}

/**
 * Where a refused save is said: in the viewer while it shows the saved image; else in a toast (the message names the
 * image and the kept draft), for a save answered after the viewer left the image (closed, or another image shown)
 * would otherwise go to a viewer that is gone or shows something else, and the user would be told nothing.
 */
export function refusalShownIn(savedImageId: string, shownImageId: string | null): 'viewer' | 'toast' {
  return savedImageId === shownImageId ? 'viewer' : 'toast';
}

/** A save main refused and kept as a draft of its own, or null for any other failure. */
export function refusedOf(err: unknown): SaveRefused | null {
  if (!(err instanceof RpcError) || err.code !== 'conflict') return null;
  const keptDraftId = keptDraftOf(err.message);
  return keptDraftId ? { message: err.message, keptDraftId } : null;
}

export function useAutosave(
  doc: MaskDocument | null,
  imageId: string,
  onReview: (r: ReviewState) => void,
  onRefused: (r: SaveRefused) => void,
): Autosave {
  const { client, report, openCache, study } = useApp();
  const [saveState, setSaveState] = useState<SaveState>('saved');
  // Bumped on every edit so the viewer re-renders (undo/redo buttons read the document).
  const [edits, setEdits] = useState(0);
  const [notKept, setNotKept] = useState<string | null>(null);
  // An approval main did not get: what it sent, so the edit kept in the browser stays said to be an approval.
  const undeliveredApproval = useRef<{ sent: Sent; saveId: string } | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const saving = useRef<Promise<void>>(Promise.resolve());
  // Saves and approvals sent and not yet answered: closing the window now could lose them.
  const unanswered = useRef(0);
  // The last save failed (a full disk, the server gone): the edit exists only here until a save succeeds. It is
  // tried again when the user leaves the image or closes the window (which asks first), and at the next edit.
  const unsaved = useRef(false);
  const lastFailure = useRef<string | null>(null);
  // Saves that failed without main's answer: they may have been saved (see unansweredSaves.ts).
  const unansweredSaves = useRef(new UnansweredSaves());
  // Save and approve read the document at call time: a reload must not leave them holding the old one.
  const docRef = useRef<MaskDocument | null>(null);
  docRef.current = doc;
  const onReviewRef = useRef(onReview);
  onReviewRef.current = onReview;
  const onRefusedRef = useRef(onRefused);
  onRefusedRef.current = onRefused;
  // The image the viewer shows now, null once it is gone: a save is answered after it was sent, maybe elsewhere.
  const shownRef = useRef<string | null>(imageId);
  shownRef.current = imageId;
  useEffect(() => {
    shownRef.current = imageId;
    return () => {
      shownRef.current = null;
    };
  }, [imageId]);
  /** Main has the edit (saved, approved, or refused and kept as a draft of its own): nothing is waiting in the browser for this image any more. */
  const delivered = useCallback(() => {
    setNotKept(null);
    undeliveredApproval.current = null;
    if (study) forgetUndelivered(study, imageId).catch(() => {});
  }, [imageId, study]);

  /**
   * Reports a failed save of `savedImageId`: a refusal (the edit kept by main) to `onRefused`, or in a toast when
   * the viewer no longer shows that image (refusalShownIn); anything else as an error.
   */
  const failed = useCallback(
    (err: unknown, savedImageId: string, save: { saveId: string; sent: Sent } | null): SaveState => {
      const refused = refusedOf(err);
      if (refused) unansweredSaves.current.answered();
      else if (save && mayHaveBeenMade(err)) unansweredSaves.current.unanswered(save.saveId, save.sent);
      // A refused edit is kept by main as a draft of its own: nothing is lost here, and the copy kept in this browser
      // (an earlier save's, or this one's) would be offered again after a reload though the user set it aside.
      unsaved.current = !refused;
      if (refused) delivered();
      if (refused && refusalShownIn(savedImageId, shownRef.current) === 'toast')
        report(new Error(refused.message));
      else if (refused) onRefusedRef.current(refused);
      else {
        // A retry failing the same way is not reported again (the status bar still says it).
        const message = err instanceof Error ? err.message : String(err);
        // The image is gone (erased) or no longer this annotator's: the edit cannot be saved anywhere, say so.
        const gone = err instanceof RpcError && err.code === 'not-found';
        if (message !== lastFailure.current)
          report(
            gone
              ? new Error(
                  `${message}: it was erased, or is no longer yours to edit, so the last edit was not saved`,
                )
              : err,
          );
        lastFailure.current = message;
      }
      return refused ? 'kept' : 'error';
    },
    [delivered, report],
  );

  /**
   * An edit main did not get (and so did not keep): kept in the browser too, so opening the page again keeps it. When
   * the browser cannot keep it the user is told, visibly: the window is then the only place the edit is.
   */
  const keepHere = useCallback(
    (d: MaskDocument, sent: Sent, saveId: string, err: unknown) => {
      if (!study) return;
      // The approved mask saved as a draft afterwards (leaving the image or the page) is still that approval.
      if (sent.kind === 'approved') undeliveredApproval.current = { sent, saveId };
      const approved = undeliveredApproval.current;
      const approval = approved !== null && sameEdit(approved.sent, sent);
      const { imageId: id, mask, av, anatomy } = sent;
      const edit: UndeliveredEdit = {
        study,
        imageId: id,
        parentVersionId: d.parentVersionId,
        width: d.width,
        height: d.height,
        mask,
        ...(av ? { av } : {}),
        ...(anatomy ? { anatomy } : {}),
        at: new Date().toISOString(),
        ...(approval ? { approval: true, approvalSaveId: approved.saveId } : {}),
        // Kept as the draft it is saved as: the same draft save's id, a new one after an approval (named unanswered).
        saveIds: unansweredSaves.current.idsFor({ ...sent, kind: 'draft' }),
        ...(mayHaveBeenMade(err) ? {} : { refusal: err instanceof Error ? err.message : String(err) }),
      };
      keepUndelivered(edit).then(
        () => setNotKept(null),
        (e: unknown) => {
          const why = e instanceof Error ? e.message : String(e);
          setNotKept(why);
          report(
            new Error(
              `This browser could not keep the edit that was not saved (${why}): it is only in this window. ` +
                'Keep the window open until it is saved; closing or reloading it loses the edit.',
            ),
          );
        },
      );
    },
    [report, study],
  );

  const saveNow = useCallback(async (): Promise<void> => {
    const d = docRef.current;
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    if (!d) return;
    const mask = d.snapshot();
    // The artery/vein labels and the disc go with the mask: one version, saved and checked together.
    const anatomy = d.anatomySnapshot(mask);
    setSaveState('saving');
    unanswered.current++;
    saving.current = saving.current.then(async () => {
      // Read when the save runs too, after the one before it was answered or not.
      const sent: Sent = { kind: 'draft', imageId, mask, ...anatomy };
      const ids = unansweredSaves.current.idsFor(sent);
      try {
        // The parent is read when the save runs, after the one before it: it names that one's version.
        const saved = await client.invoke('saveDraft', {
          imageId,
          width: d.width,
          height: d.height,
          mask,
          parentVersionId: d.parentVersionId,
          clientId: windowClientId(),
          ...anatomy,
          ...ids,
        });
        unansweredSaves.current.answered();
        d.savedAs(saved.versionId);
        unsaved.current = false;
        lastFailure.current = null;
        setSaveState((s) => (s === 'saving' ? 'saved' : s));
        onReviewRef.current(saved.review);
        delivered();
      } catch (err) {
        const state = failed(err, imageId, { saveId: ids.saveId, sent });
        setSaveState(state);
        if (state === 'error') keepHere(d, sent, ids.saveId, err);
      } finally {
        unanswered.current--;
      }
    });
    openCache.trackSave(imageId, saving.current);
    return saving.current;
  }, [client, delivered, failed, imageId, keepHere, openCache]);

  useEffect(() => {
    if (!doc) return;
    doc.onEdited = () => {
      setEdits((n) => n + 1);
      setSaveState('pending');
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(() => void saveNow(), AUTOSAVE_MS);
    };
    return () => {
      doc.onEdited = () => {};
    };
  }, [doc, saveNow]);

  // Back in touch with main (the event socket connected again: a team session logged in again after it ended, a
  // server restarted): an edit whose save failed is tried again at once rather than at the next stroke.
  useEffect(
    () =>
      client.onResync?.(() => {
        if (unsaved.current && !saveTimer.current) void saveNow();
      }),
    [client, saveNow],
  );

  // Flush a pending draft, or try a failed one again, when leaving the image.
  useEffect(
    () => () => {
      // A failure now is reported again: the user has left the image the edit is on.
      lastFailure.current = null;
      // A stroke still being drawn (a key left the image with the pointer down) is saved as far as it went.
      const drawn = docRef.current?.commit() ?? false;
      if (drawn || saveTimer.current || unsaved.current) void saveNow();
    },
    [saveNow],
  );

  // Closing the window (or reloading it) unmounts nothing: an edit younger than the autosave delay, or a save on
  // its way, would go with the page. Save at once, and ask the browser to confirm leaving, which gives the save the
  // moment it needs (Electron's main process asks the same question).
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent): void => {
      if (!saveTimer.current && unanswered.current === 0 && !unsaved.current) return;
      if (saveTimer.current || unsaved.current) void saveNow();
      e.preventDefault();
      e.returnValue = ''; // Chromium before 119 (older Electron) asks only when this is set
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [saveNow]);

  const approve = useCallback(async (): Promise<SavedVersion | null> => {
    const d = docRef.current;
    if (!d) return null;
    d.commit();
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    // Locked from here, before waiting for a save under way, until the approval is answered: an edit or an undo
    // landing meanwhile would go into the approval unseen, or autosave against the approved image.
    d.approving = true;
    let save: { saveId: string; sent: Sent } | null = null;
    try {
      await saving.current;
      const mask = d.snapshot();
      const anatomy = d.anatomySnapshot(mask);
      const sent: Sent = { kind: 'approved', imageId, mask, ...anatomy };
      const ids = unansweredSaves.current.idsFor(sent);
      save = { saveId: ids.saveId, sent };
      const approving = client.invoke('approveMask', {
        imageId,
        width: d.width,
        height: d.height,
        mask,
        parentVersionId: d.parentVersionId,
        clientId: windowClientId(),
        ...anatomy,
        ...ids,
      });
      openCache.trackSave(imageId, approving);
      unanswered.current++;
      const r = await approving.finally(() => unanswered.current--);
      unansweredSaves.current.answered();
      d.savedAs(r.versionId);
      unsaved.current = false;
      lastFailure.current = null;
      setSaveState('saved');
      onReviewRef.current(r.review);
      delivered();
      return r;
    } catch (err) {
      const state = failed(err, imageId, save);
      if (state === 'kept') setSaveState('kept');
      // The approved mask is kept like a draft's edit: offered back to save and approve again, never approved.
      else if (save) keepHere(d, save.sent, save.saveId, err);
      return null;
    } finally {
      // Approved: the review state locks it now. Failed: editable again (unless read-only meanwhile).
      d.approving = false;
    }
  }, [client, delivered, failed, imageId, keepHere, openCache]);

  const flush = useCallback(async (): Promise<void> => {
    docRef.current?.commit();
    if (saveTimer.current) await saveNow();
    else await saving.current;
  }, [saveNow]);

  return { saveState, approve, flush, edits, notKept };
}
