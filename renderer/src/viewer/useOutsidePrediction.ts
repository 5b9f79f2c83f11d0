// A new prediction of the open image made elsewhere (a second window's P, `retina predict`, a team worker) while
// this window holds the edit lease: the lease's own watch ignores the image's changes then (they are this window's
// saves), so without this the viewer kept the old prediction as its base, its Difference, slider and uncertainty.
// Nothing done on the prediction shown: the new one is shown, as after P, and said in a toast. Edits made: they
// stay as they are, and a notice says a newer prediction exists, with the way to look at it or take it in.
import { useCallback, useEffect, useRef, useState } from 'react';
import { RpcError, type MasksResponse } from '../../../shared/contract.js';
import { clockTime } from '../../../shared/edit-lease.js';
import { useApp } from '../appContext.js';
import type { MaskDocument } from './maskDocument.js';
import { outsidePredictionAction, wayToHeldPrediction } from './predictionRefresh.js';
import type { ViewerDocument } from './useViewerDocument.js';

export interface NewerPrediction {
  versionId: string;
  version: number;
  /** "HH:MM" it was made. */
  at: string;
}

export interface OutsidePredictionOptions {
  imageId: string;
  /** This window holds the image's edit lease (without it, the lease's watch reloads the masks). */
  held: boolean;
  doc: MaskDocument | null;
  /** Another version or a refused save is on screen. */
  previewing: boolean;
  /** Another version or a kept draft is on screen (not only a refused save's notice). */
  versionShown: boolean;
  /** This window's own prediction is running: its arrival is the P path's to show. */
  predicting: boolean;
  viewerDoc: Pick<ViewerDocument, 'prediction' | 'shownPrediction' | 'refreshPrediction'>;
}

export interface OutsidePrediction {
  /** A newer prediction not shown because of the edits on screen (null: none). */
  newer: NewerPrediction | null;
  dismiss: () => void;
  /** Runs this window's own prediction arrival, so that no check for one made elsewhere reads masks meanwhile. */
  own: (arrival: () => Promise<void>) => Promise<void>;
}

export function useOutsidePrediction(o: OutsidePredictionOptions): OutsidePrediction {
  const { client, notify, report } = useApp();
  const live = useRef(o);
  live.current = o;
  const [newer, setNewer] = useState<NewerPrediction | null>(null);
  const dismissed = useRef<string | null>(null);
  // Told once per prediction (a toast while a version is shown, or the notice): later saves bring more notices.
  const told = useRef<string | null>(null);
  // Checks and the own arrival run one after another: a check never compares with a prediction being taken in.
  const chain = useRef<Promise<void>>(Promise.resolve());
  const queue = useCallback((task: () => Promise<void>): Promise<void> => {
    const next = chain.current.then(task);
    chain.current = next.catch(() => undefined);
    return next;
  }, []);
  const { imageId } = o;

  useEffect(() => {
    setNewer(null);
    dismissed.current = null;
    told.current = null;
    let stopped = false;
    const usable = (): boolean => {
      const s = live.current;
      return !stopped && s.held && s.doc !== null && !s.predicting;
    };
    const decide = (m: MasksResponse) => {
      const s = live.current;
      return outsidePredictionAction(s.viewerDoc.shownPrediction(), m.prediction, s.doc!, s.previewing);
    };
    const showNotice = (n: NewerPrediction): void => {
      // Told by the notice: opening it (View it) saves what waits, and that save's notice finds it 'held'.
      told.current = n.versionId;
      if (dismissed.current !== n.versionId) setNewer(n);
    };
    const check = async (): Promise<void> => {
      if (!usable()) return;
      // The small form first: every save of this window's own brings a notice too.
      const probe = await client.invoke('getMasks', { imageId, bits: true });
      if (!usable() || !probe.prediction) return;
      const action = decide(probe);
      const p = { versionId: probe.prediction.versionId, version: probe.prediction.version };
      const at = clockTime(probe.prediction.createdAt);
      if (action === 'none') return;
      if (action === 'held') {
        if (told.current === p.versionId) return;
        told.current = p.versionId;
        notify(
          `A new prediction made elsewhere at ${at}: ${wayToHeldPrediction(live.current.versionShown)} to see it.`,
          'info',
        );
        return;
      }
      if (action === 'notice') return showNotice({ ...p, at });
      const m = await client.invoke('getMasks', { imageId });
      // Decided again on what is here now: an edit begun meanwhile keeps the document as it is.
      if (!usable() || m.prediction?.versionId !== p.versionId) return;
      const now = decide(m);
      if (now === 'notice') showNotice({ ...p, at });
      if (now !== 'take') return;
      await live.current.viewerDoc.refreshPrediction(m);
      notify(`A new prediction made elsewhere at ${at} is shown.`, 'info');
    };
    const off = client.on('imagesChanged', ({ imageIds, leaseOnly }) => {
      if (leaseOnly || !imageIds.includes(imageId)) return;
      queue(check).catch((err: unknown) => {
        // An image erased meanwhile: the open-image watcher closes the viewer and says so.
        if (!stopped && !(err instanceof RpcError && err.code === 'not-found')) report(err);
      });
    });
    return () => {
      stopped = true;
      off();
    };
  }, [client, imageId, notify, queue, report]);

  // Shown by now (P, going back to the current mask, a reload): the notice has nothing left to say.
  const shownVersion = o.viewerDoc.prediction?.version ?? 0;
  useEffect(() => {
    if (newer && shownVersion >= newer.version) setNewer(null);
  }, [newer, shownVersion]);

  const dismiss = useCallback(() => {
    dismissed.current = newer?.versionId ?? null;
    setNewer(null);
  }, [newer]);

  return { newer, dismiss, own: queue };
}
