// Edits main refused and kept (a stale save, or one made without the lease): the refusal shown until the user opens
// the kept draft or loads the latest mask, the kept draft shown over the current mask, and adopting it. An earlier
// version opened from the History is shown and restored the same way. While any is shown the viewer edits nothing.
// The document's loaders are passed to each action (this hook runs before them). A restore or adoption under way
// is kept in the browser until answered: a page loaded again meanwhile asks main whether it was made and says so.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApp } from '../appContext.js';
import type { KeptPreview } from './EditNotice.js';
import type { SaveRefused } from './useAutosave.js';
import type { ViewerDocument } from './useViewerDocument.js';
import { windowClientId } from './windowClientId.js';
import { ActIds, mayHaveBeenMade } from './unansweredSaves.js';
import { forgetPendingAct, keepPendingAct, pendingAct } from './undeliveredEdits.js';

const warnKept = (err: unknown): void => console.warn('the browser could not keep the act under way', err);

type Loaders = Pick<ViewerDocument, 'reloadMasks' | 'showKeptDraft'>;

export interface KeptDraftsState {
  refused: SaveRefused | null;
  preview: KeptPreview | null;
  /** A refusal or a kept draft is on screen: the document is not the image's current mask. */
  active: boolean;
  /** Bumped when the list of kept drafts changed. */
  refresh: number;
  busy: boolean;
  onRefused: (r: SaveRefused) => void;
  /** Shows a kept draft (after saving what is waiting, `flush`). */
  open: (keptDraftId: string, doc: Loaders, flush: () => Promise<void>) => Promise<void>;
  /** Shows an earlier version of the mask from the History (after saving what is waiting). */
  openVersion: (versionId: string, doc: Loaders, flush: () => Promise<void>) => Promise<void>;
  loadLatest: (doc: Loaders) => Promise<void>;
  adopt: (doc: Loaders) => Promise<void>;
}

export function useKeptDrafts(imageId: string): KeptDraftsState {
  const { client, notify, report, study } = useApp();
  const [refused, setRefused] = useState<SaveRefused | null>(null);
  const [preview, setPreview] = useState<KeptPreview | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [busy, setBusy] = useState(false);
  // A restore or adoption whose answer was lost may have been made: clicked again, it carries the same id.
  const actIds = useRef(new ActIds());
  useEffect(() => {
    setRefused(null);
    setPreview(null);
  }, [imageId]);

  // An act sent before the page was loaded again, its answer never heard: made, the user is told (the page shows
  // the image as it is now); not made (or not yet), sent again it keeps its id.
  useEffect(() => {
    if (!study) return;
    let live = true;
    void (async () => {
      const act = await pendingAct(study, imageId);
      if (!act) return;
      const { saves } = await client.invoke('savesMade', { imageId, saveIds: [act.saveId] });
      if (!live) return;
      const made = saves.find((m) => m.saveId === act.saveId);
      if (!made) return actIds.current.resume(act.act, act.saveId);
      await forgetPendingAct(study, imageId);
      const at = new Date(act.at).toLocaleTimeString();
      notify(`Your ${act.words} at ${at} had reached the server: it is version ${made.version}.`, 'info');
      setRefresh((n) => n + 1);
    })().catch((err: unknown) => console.warn('could not check the act kept in this browser', err));
    return () => {
      live = false;
    };
  }, [client, imageId, notify, study]);

  /** Sends a restore or an adoption under its act's id, kept in the browser until main answers. */
  const sendAct = useCallback(
    async <T>(act: string, words: string, send: (saveId: string) => Promise<T>): Promise<T> => {
      const saveId = actIds.current.idFor(act);
      const at = new Date().toISOString();
      if (study) await keepPendingAct({ study, imageId, act, saveId, words, at }).catch(warnKept);
      const answered = async () => {
        actIds.current.answered();
        if (study) await forgetPendingAct(study, imageId).catch(warnKept);
      };
      try {
        const answer = await send(saveId);
        await answered();
        return answer;
      } catch (err) {
        // Refused, it was not made: nothing to ask about or resume after a reload (the refusal is said).
        if (!mayHaveBeenMade(err)) await answered();
        throw err;
      }
    },
    [imageId, study],
  );

  const onRefused = useCallback((r: SaveRefused) => {
    setRefused(r);
    setRefresh((n) => n + 1);
  }, []);

  const action = useCallback(
    async (work: () => Promise<void>) => {
      setBusy(true);
      try {
        await work();
      } catch (err) {
        report(err);
      } finally {
        setBusy(false);
      }
    },
    [report],
  );

  const open = useCallback(
    (keptDraftId: string, doc: Loaders, flush: () => Promise<void>) =>
      action(async () => {
        await flush();
        const { data, av, anatomy, ...kept } = await client.invoke('getKeptDraft', { keptDraftId });
        const shown = await doc.showKeptDraft({ id: kept.id, data, av, anatomy });
        setRefused(null);
        setPreview({ kept, ...shown });
      }),
    [action, client],
  );

  const openVersion = useCallback(
    (versionId: string, doc: Loaders, flush: () => Promise<void>) =>
      action(async () => {
        await flush();
        const { data, av, anatomy, ...earlier } = await client.invoke('getMaskVersionPreview', {
          imageId,
          versionId,
        });
        const shown = await doc.showKeptDraft({ id: versionId, data, av, anatomy });
        // A refusal stays on screen beside the version (opening one is not opening the refused edit's kept draft).
        setPreview({
          earlier: { ...earlier, own: { av: av !== null, disc: Boolean(anatomy?.disc) } },
          ...shown,
        });
      }),
    [action, client, imageId],
  );

  const loadLatest = useCallback(
    (doc: Loaders) =>
      action(async () => {
        await doc.reloadMasks();
        setRefused(null);
        setPreview(null);
      }),
    [action],
  );

  const adopt = useCallback(
    (doc: Loaders) =>
      action(async () => {
        if (!preview) return;
        const parentVersionId = preview.currentVersionId;
        const clientId = windowClientId();
        if (preview.earlier) {
          const { versionId, version } = preview.earlier;
          const saved = await sendAct(
            `restore ${imageId}/${versionId} on ${parentVersionId}`,
            `restore of version ${version}`,
            (saveId) =>
              client.invoke('restoreMaskVersion', { imageId, versionId, parentVersionId, clientId, saveId }),
          );
          await doc.reloadMasks();
          setPreview(null);
          // The refusal's notice goes with the preview: said once more, where the refused edit still is.
          const still = refused ? ` Your refused edit is still kept as draft #${refused.keptDraftId}.` : '';
          setRefused(null);
          notify(`Version ${version} restored as version ${saved.version}.${still}`, 'info');
          return;
        }
        const { kept } = preview;
        const saved = await sendAct(
          `adopt ${kept.id} on ${parentVersionId}`,
          `adoption of kept draft #${kept.id}`,
          (saveId) =>
            client.invoke('adoptKeptDraft', { keptDraftId: kept.id, parentVersionId, clientId, saveId }),
        );
        await doc.reloadMasks();
        setPreview(null);
        setRefresh((n) => n + 1);
        notify(`Kept draft #${kept.id} adopted as version ${saved.version}.`, 'info');
      }),
    [action, client, imageId, notify, preview, refused, sendAct],
  );

  return {
    refused,
    preview,
    active: refused !== null || preview !== null,
    refresh,
    busy,
    onRefused,
    open,
    openVersion,
    loadLatest,
    adopt,
  };
}
