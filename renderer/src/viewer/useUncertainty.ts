// Where the prediction is unsure: the heat map's on/off (U), its map fetched from main only once it is first
// needed (shown, or N pressed), so opening an image never waits for it, and "next uncertain region" (N), which
// walks the regions from the most uncertain down, skipping those already edited or shown in this session.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ImageQuality, UncertaintyPayload } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import type { Rect } from '../editing/rect.js';
import {
  editedInside,
  findUncertainRegions,
  nextUncertainRegion,
  type UncertainRegion,
  whyNoRegion,
} from '../editing/uncertainRegions.js';
import type { MaskDocument } from './maskDocument.js';
import { useSessionState } from './useSessionState.js';

export type UncertaintyState = 'idle' | 'loading' | 'ready' | 'none' | 'error';

export interface Uncertainty {
  shown: boolean;
  toggle: () => void;
  /** The map of the prediction shown, once fetched (null before, or when the model estimated none). */
  payload: UncertaintyPayload | null;
  state: UncertaintyState;
  /** The prediction's quality estimate: from the map once fetched, else from the worklist's summary. */
  quality: ImageQuality | null;
  next: () => void;
  /** The region N moved to last: its rank among the image's regions (1-based). */
  region: { rank: number; count: number } | null;
}

export interface UncertaintyInputs {
  imageId: string;
  doc: MaskDocument | null;
  /** The shown prediction's per-image version (null without a prediction). */
  predictionVersion: number | null;
  /** Its version id: the map asked for is this prediction's, not whichever is the image's latest by then. */
  predictionVersionId: string | null;
  /** The worklist summary's estimate (of the prediction that was newest when the list was read). */
  summary: ImageQuality | null;
  focus: (r: Rect) => void;
}

export const NO_PREDICTION = 'No prediction for this image: predict it first (P)';

const NO_REGION = {
  none: 'This prediction has no uncertain region',
  'all-edited': 'Every uncertain region has been edited',
  'all-visited': 'Every uncertain region not yet edited was shown: N starts again from the most uncertain',
} as const;

// Regions already shown, per prediction, for the whole session (the viewer remounts for each image).
const visitedByPrediction = new Map<string, Set<string>>();

export function useUncertainty(inputs: UncertaintyInputs): Uncertainty {
  const { imageId, doc, predictionVersion, predictionVersionId, summary, focus } = inputs;
  const { client, notify, report } = useApp();
  // The heat map stays on from one image to the next, as the overlay's colour and layers do.
  const [shown, setShown] = useSessionState('uncertainty.shown', false);
  const [loaded, setLoaded] = useState<{ key: string; payload: UncertaintyPayload | null } | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  // Keyed by the prediction it was found in: a new prediction has its own regions, and none visited yet.
  const [region, setRegion] = useState<{ key: string; rank: number; count: number } | null>(null);
  const inFlight = useRef(new Map<string, Promise<UncertaintyPayload | null>>());
  const firstVersion = useRef<number | null>(null);
  firstVersion.current ??= predictionVersion;

  const key = predictionVersion === null ? null : `${imageId}:${predictionVersion}`;
  const payload = loaded && loaded.key === key ? loaded.payload : null;

  const load = useCallback(async (): Promise<UncertaintyPayload | null> => {
    if (!key || !predictionVersionId) return null;
    if (loaded?.key === key) return loaded.payload;
    let p = inFlight.current.get(key);
    if (!p) {
      p = client.invoke('getUncertainty', { imageId, versionId: predictionVersionId });
      inFlight.current.set(key, p);
      setLoading(key);
      p.then(
        (got) => setLoaded({ key, payload: got }),
        () => setFailed(key),
      ).finally(() => {
        inFlight.current.delete(key);
        setLoading((k) => (k === key ? null : k));
      });
    }
    return p;
  }, [client, imageId, predictionVersionId, key, loaded]);

  // Shown, the map is fetched; hidden too once the image was predicted again here, for its quality estimate (the
  // worklist's summary describes the prediction the viewer opened with, and the status bar lost it).
  const repredicted = predictionVersion !== firstVersion.current;
  useEffect(() => {
    if ((shown || repredicted) && key && loaded?.key !== key && failed !== key) load().catch(report);
  }, [shown, repredicted, key, loaded, failed, load, report]);

  // Without a prediction there is no map to show: the setting carries to the next image, so U leaves it alone and
  // says why (the button is disabled). While the masks load, it is not yet known: U toggles as usual.
  const toggle = useCallback(() => {
    if (doc && !key) {
      notify(NO_PREDICTION, 'info');
      return;
    }
    setShown((s) => !s);
  }, [doc, key, notify, setShown]);

  const regions = useMemo(
    () =>
      payload && doc && payload.width === doc.width && payload.height === doc.height
        ? findUncertainRegions(payload.data, payload.width, payload.height)
        : [],
    [payload, doc],
  );

  const next = useCallback(() => {
    if (!doc || !key) {
      notify(NO_PREDICTION, 'info');
      return;
    }
    void (async () => {
      const got = await load();
      if (!got || got.width !== doc.width || got.height !== doc.height) {
        notify(
          'This prediction has no uncertainty map (predict again with a model that estimates one)',
          'info',
        );
        return;
      }
      const all = got === payload ? regions : findUncertainRegions(got.data, got.width, got.height);
      let visited = visitedByPrediction.get(key);
      if (!visited) visitedByPrediction.set(key, (visited = new Set()));
      const predicted = doc.predMask;
      const edited = (c: UncertainRegion) =>
        predicted ? editedInside(doc.mask, predicted, doc.width, c) : false;
      const r: UncertainRegion | null = nextUncertainRegion(all, visited, edited);
      if (!r) {
        const why = whyNoRegion(all, edited);
        // The round is over: the next N starts again from the most uncertain region not yet edited.
        if (why === 'all-visited') visited.clear();
        notify(NO_REGION[why], 'info');
        return;
      }
      visited.add(r.key);
      setRegion({ key, rank: all.indexOf(r) + 1, count: all.length });
      focus(r);
    })().catch(report);
  }, [doc, key, load, payload, regions, focus, notify, report]);

  const state: UncertaintyState = !key
    ? 'idle'
    : loading === key
      ? 'loading'
      : failed === key
        ? 'error'
        : loaded?.key === key
          ? payload
            ? 'ready'
            : 'none'
          : 'idle';
  // The summary describes the prediction that was newest when the list was read: not one predicted since.
  const quality = payload?.quality ?? (predictionVersion === firstVersion.current ? summary : null);
  const shownRegion = region && region.key === key ? { rank: region.rank, count: region.count } : null;
  return { shown, toggle, payload, state, quality, next, region: shownRegion };
}
