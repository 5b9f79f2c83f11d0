// Keeps the user's corrections safe: every edit schedules a draft save, saves run one after another, a pending
// draft is flushed when the image is left, and Approve supersedes whatever draft is still waiting. Every answer
// carries the image's review state, handed to `onReview` (a first draft turns "predicted" into "draft").
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReviewState, SavedVersion } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import type { MaskDocument } from './maskDocument.js';

const AUTOSAVE_MS = 1500;

export type SaveState = 'saved' | 'pending' | 'saving' | 'error';

export interface Autosave {
  saveState: SaveState;
  /** Approves what is on screen; the saved approval, or null when it failed (the error was reported). */
  approve: () => Promise<SavedVersion | null>;
  /** Saves a waiting draft now and resolves once every save has finished (before handing the draft over). */
  flush: () => Promise<void>;
}

export function useAutosave(
  doc: MaskDocument | null,
  imageId: string,
  onReview: (r: ReviewState) => void,
): Autosave {
  const { client, report, openCache } = useApp();
  const [saveState, setSaveState] = useState<SaveState>('saved');
  // Bumped on every edit so the viewer re-renders (undo/redo buttons read the document).
  const [, setEdits] = useState(0);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const saving = useRef<Promise<void>>(Promise.resolve());
  // Save and approve read the document at call time: a reload must not leave them holding the old one.
  const docRef = useRef<MaskDocument | null>(null);
  docRef.current = doc;
  const onReviewRef = useRef(onReview);
  onReviewRef.current = onReview;

  const saveNow = useCallback(async (): Promise<void> => {
    const d = docRef.current;
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    if (!d) return;
    const mask = d.snapshot();
    // The artery/vein labels and the disc go with the mask: one version, saved and checked together.
    const anatomy = d.anatomySnapshot(mask);
    setSaveState('saving');
    saving.current = saving.current.then(async () => {
      try {
        const saved = await client.invoke('saveDraft', {
          imageId,
          width: d.width,
          height: d.height,
          mask,
          parentVersionId: d.parentVersionId,
          ...anatomy,
        });
        setSaveState((s) => (s === 'saving' ? 'saved' : s));
        onReviewRef.current(saved.review);
      } catch (err) {
        setSaveState('error');
        report(err);
      }
    });
    openCache.trackSave(imageId, saving.current);
    return saving.current;
  }, [client, imageId, openCache, report]);

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

  // Flush a pending draft when leaving the image.
  useEffect(
    () => () => {
      if (saveTimer.current) void saveNow();
    },
    [saveNow],
  );

  const approve = useCallback(async (): Promise<SavedVersion | null> => {
    const d = docRef.current;
    if (!d) return null;
    d.commit();
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    try {
      await saving.current;
      // What is approved is the snapshot below: no stroke slips in while the approval is on its way.
      d.locked = true;
      const mask = d.snapshot();
      const approving = client.invoke('approveMask', {
        imageId,
        width: d.width,
        height: d.height,
        mask,
        parentVersionId: d.parentVersionId,
        ...d.anatomySnapshot(mask),
      });
      openCache.trackSave(imageId, approving);
      const r = await approving;
      setSaveState('saved');
      onReviewRef.current(r.review);
      return r;
    } catch (err) {
      d.locked = false;
      report(err);
      return null;
    }
  }, [client, imageId, openCache, report]);

  const flush = useCallback(async (): Promise<void> => {
    docRef.current?.commit();
    if (saveTimer.current) await saveNow();
    else await saving.current;
  }, [saveNow]);

  return { saveState, approve, flush };
}
