// The Measurements panel's state: shown or not (Shift+M, kept from one image to the next), and the measures of the
// image's current mask, fetched when the panel opens and again whenever main says the image changed (an autosaved
// correction, a moved disc, a new field angle, an approval). The last answer stays on screen while the next one is
// computed; an answer to an older request never replaces a newer one.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MeasurementsPayload } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { useSessionState } from './useSessionState.js';

export interface Measurements {
  shown: boolean;
  toggle: () => void;
  /** The latest answer (null before the first, or when the image has no mask). */
  payload: MeasurementsPayload | null;
  /** A request is on its way (the values shown may be about to change). */
  updating: boolean;
  error: string | null;
  /** Answers received for this image: the panel's updates. */
  updates: number;
  /** The named vessel whose row the pointer is over (A1..V6), drawn highlighted on the image. */
  hovered: string | null;
  setHovered: (name: string | null) => void;
}

export function useMeasurements(imageId: string): Measurements {
  const { client } = useApp();
  const [shown, setShown] = useSessionState('measurements.shown', false);
  const [payload, setPayload] = useState<MeasurementsPayload | null>(null);
  const [updating, setUpdating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [updates, setUpdates] = useState(0);
  const [hovered, setHovered] = useState<string | null>(null);
  const latest = useRef(0);

  const refresh = useCallback(() => {
    const ticket = ++latest.current;
    setUpdating(true);
    client.invoke('getMeasurements', { imageId }).then(
      (p) => {
        if (ticket !== latest.current) return;
        setPayload(p);
        setError(null);
        setUpdating(false);
        setUpdates((n) => n + 1);
      },
      (err: unknown) => {
        if (ticket !== latest.current) return;
        setError(err instanceof Error ? err.message : String(err));
        setUpdating(false);
      },
    );
  }, [client, imageId]);

  useEffect(() => {
    setPayload(null);
    setUpdates(0);
    setError(null);
    setHovered(null);
  }, [imageId]);

  useEffect(() => {
    if (!shown) return;
    refresh();
    return client.on('imagesChanged', (e) => {
      if (!e.leaseOnly && e.imageIds.includes(imageId)) refresh();
    });
  }, [shown, imageId, client, refresh]);

  const toggle = useCallback(() => setShown((s) => !s), [setShown]);
  return { shown, toggle, payload, updating, error, updates, hovered, setHovered };
}
