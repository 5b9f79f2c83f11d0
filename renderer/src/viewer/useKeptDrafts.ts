// Edits main refused and kept (a stale save, or one made without the lease): the refusal shown until the user opens
// the kept draft or loads the latest mask, the kept draft shown over the current mask, and adopting it. An earlier
// version opened from the History is shown and restored the same way. While any is shown the viewer edits nothing.
// The document's loaders are passed to each action (this hook runs before them).
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApp } from '../appContext.js';
import type { KeptPreview } from './EditNotice.js';
import type { SaveRefused } from './useAutosave.js';
import type { ViewerDocument } from './useViewerDocument.js';
import { windowClientId } from './windowClientId.js';
import { ActIds } from './unansweredSaves.js';

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
  const { client, notify, report } = useApp();
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
          const saveId = actIds.current.idFor(`restore ${imageId}/${versionId} on ${parentVersionId}`);
          const saved = await client.invoke('restoreMaskVersion', {
            imageId,
            versionId,
            parentVersionId,
            clientId,
            saveId,
          });
          actIds.current.answered();
          await doc.reloadMasks();
          setPreview(null);
          // The refusal's notice goes with the preview: said once more, where the refused edit still is.
          const still = refused ? ` Your refused edit is still kept as draft #${refused.keptDraftId}.` : '';
          setRefused(null);
          notify(`Version ${version} restored as version ${saved.version}.${still}`, 'info');
          return;
        }
        const { kept } = preview;
        const saveId = actIds.current.idFor(`adopt ${kept.id} on ${parentVersionId}`);
        const saved = await client.invoke('adoptKeptDraft', {
          keptDraftId: kept.id,
          parentVersionId,
          clientId,
          saveId,
        });
        actIds.current.answered();
        await doc.reloadMasks();
        setPreview(null);
        setRefresh((n) => n + 1);
        notify(`Kept draft #${kept.id} adopted as version ${saved.version}.`, 'info');
      }),
    [action, client, imageId, notify, preview, refused],
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
