// The image being reviewed and its mask document: decoded photograph and masks from the open cache (prefetched
// when the user came by the arrow keys), checked to match, and reloadable after a prediction finishes.
import { useCallback, useEffect, useState } from 'react';
import { prob16View, type MasksResponse } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import type { DecodedImage } from './imageSource.js';
import { MaskDocument } from './maskDocument.js';

export interface ViewerDocument {
  image: DecodedImage | null;
  doc: MaskDocument | null;
  /** "opened in N ms" once both have arrived. */
  status: string;
  loadError: string | null;
  /** The threshold slider: starts at the document's own, then follows the user. */
  threshold: number;
  setThreshold: (t: number) => void;
  /** Fresh masks from main (after a prediction finished), bypassing any prefetch. */
  reloadMasks: () => Promise<MaskDocument>;
}

function buildDocument(m: MasksResponse): MaskDocument {
  const saved = m.draft ?? m.approved;
  const p = m.prediction;
  return new MaskDocument({
    width: m.width,
    height: m.height,
    saved: saved ? { data: saved.data, versionId: saved.versionId } : null,
    prediction: p
      ? {
          prob: p.encoding === 'prob16' ? prob16View(p.data) : null,
          mask: p.encoding === 'mask8' ? p.data : null,
          threshold: p.threshold,
          versionId: p.versionId,
        }
      : null,
  });
}

export function useViewerDocument(imageId: string): ViewerDocument {
  const { client, openCache } = useApp();
  const [image, setImage] = useState<DecodedImage | null>(null);
  const [doc, setDoc] = useState<MaskDocument | null>(null);
  const [status, setStatus] = useState<string>('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(0.5);

  const adopt = useCallback((m: MasksResponse) => {
    const d = buildDocument(m);
    setThreshold(d.threshold);
    setDoc(d);
    return d;
  }, []);

  const reloadMasks = useCallback(
    async () => adopt(await client.invoke('getMasks', { imageId })),
    [adopt, client, imageId],
  );

  useEffect(() => {
    let cancelled = false;
    const t0 = performance.now();
    Promise.all([openCache.image(imageId, true), openCache.takeMasks(imageId)])
      .then(([img, m]) => {
        if (cancelled) return;
        if (img.width !== m.width || img.height !== m.height) {
          throw new Error(`the masks are ${m.width}x${m.height} but the image is ${img.width}x${img.height}`);
        }
        adopt(m);
        setImage(img);
        setStatus(`opened in ${Math.round(performance.now() - t0)} ms`);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setLoadError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      cancelled = true;
    };
  }, [adopt, imageId, openCache]);

  return { image, doc, status, loadError, threshold, setThreshold, reloadMasks };
}
