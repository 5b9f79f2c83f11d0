// The viewer's edit lease: asked for when an image opens, renewed by a heartbeat while it stays open, given back when
// it closes or its window does (a crashed window simply stops beating, and the lease expires). Without the lease the
// viewer is read-only; it keeps asking at the same pace, so it gets the image as soon as the other window lets go,
// and it takes over another's expired lease only when the user says so.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EditLeaseState } from '../../../shared/contract.js';
import { heartbeatMs, LEASE_DURATION_MS } from '../../../shared/edit-lease.js';
import { useApp } from '../appContext.js';
import { leaseView, type LeaseView } from './leaseStatus.js';
import { windowClientId } from './windowClientId.js';

export interface EditLeaseHandle {
  view: LeaseView;
  state: EditLeaseState | null;
  /** Takes over another's expired lease (audited by main). */
  takeOver: () => Promise<void>;
  /** Asks at once instead of at the next beat: after a hand-off the pen may have gone to someone else. */
  recheck: () => void;
}

/**
 * `onStale`: the masks shown may be behind main's: the lease came to this window after another held it, or the
 * image changed while another holds it (their saves are to be loaded).
 */
export function useEditLease(imageId: string, onStale: () => void): EditLeaseHandle {
  const { client, report } = useApp();
  const [state, setState] = useState<EditLeaseState | null>(null);
  const onStaleRef = useRef(onStale);
  onStaleRef.current = onStale;
  // The running heartbeat's way to apply an answer (a take-over's answer goes through it too).
  const applyRef = useRef<(s: EditLeaseState) => void>(() => {});
  const beatRef = useRef<() => void>(() => {});

  useEffect(() => {
    const clientId = windowClientId();
    let stopped = false;
    // The page is going (pagehide): ask for nothing more, or a last event could take the lease back after its release.
    let hidden = false;
    let held = false;
    // The lease as this page last renewed it: its release names it, so that a release landing after this window's
    // next page (a reload) renewed the lease leaves that page's lease alone.
    let heldUntil: string | undefined;
    let otherSeen = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let every = heartbeatMs(LEASE_DURATION_MS);
    setState(null);

    const apply = (s: EditLeaseState): void => {
      if (stopped) return;
      // A beat sent before the page went, answered after: give that lease back too.
      if (hidden) {
        held = s.granted;
        heldUntil = s.granted ? s.lease?.expiresAt : undefined;
        release(true);
        return;
      }
      if (s.granted && !held && otherSeen) onStaleRef.current();
      held = s.granted;
      heldUntil = s.granted ? s.lease?.expiresAt : undefined;
      if (!s.granted && s.lease && !s.lease.mine) otherSeen = true;
      every = s.heartbeatMs;
      setState(s);
    };
    applyRef.current = apply;

    const beat = async (): Promise<void> => {
      if (stopped || hidden) return;
      try {
        apply(await client.invoke('acquireEditLease', { imageId, clientId }));
      } catch {
        // Main unreachable for a moment: the next beat asks again (and main refuses stale saves meanwhile).
      }
      if (stopped || hidden) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void beat(), every);
    };
    // A closed tab or window unmounts nothing: give the lease back as the page goes, so the image is free for the
    // next window at once instead of after the lease's expiry and an explicit take-over.
    function release(whileClosing: boolean): void {
      if (!held) return;
      held = false;
      const named = heldUntil === undefined ? {} : { expiresAt: heldUntil };
      void client
        .invoke('releaseEditLease', { imageId, clientId, ...named }, { whileClosing })
        .catch(() => undefined);
    }
    void beat();
    beatRef.current = () => void beat();
    const onHide = (): void => {
      hidden = true;
      release(true);
    };
    // A page kept for back/forward (bfcache) comes back without its lease: ask again at once.
    const onShow = (e: PageTransitionEvent): void => {
      if (!e.persisted || stopped) return;
      hidden = false;
      void beat();
    };
    window.addEventListener('pagehide', onHide);
    window.addEventListener('pageshow', onShow);
    // Someone else's save or release: ask at once rather than at the next beat.
    const off = client.on('imagesChanged', ({ imageIds }) => {
      if (held || !imageIds.includes(imageId) || stopped || hidden) return;
      if (otherSeen) onStaleRef.current();
      void beat();
    });
    return () => {
      stopped = true;
      off();
      window.removeEventListener('pagehide', onHide);
      window.removeEventListener('pageshow', onShow);
      if (timer) clearTimeout(timer);
      applyRef.current = () => {};
      beatRef.current = () => {};
      release(false);
    };
  }, [client, imageId]);

  const takeOver = useCallback(async () => {
    try {
      const s = await client.invoke('acquireEditLease', {
        imageId,
        clientId: windowClientId(),
        takeOver: true,
      });
      applyRef.current(s);
    } catch (err) {
      report(err);
    }
  }, [client, imageId, report]);

  const recheck = useCallback(() => beatRef.current(), []);

  return { view: leaseView(state), state, takeOver, recheck };
}
