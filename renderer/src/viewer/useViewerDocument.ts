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
          prob: p.encoding === 'prob16' ? prob16View(p.data) : p.encoding === 'prob8' ? p.data : null,
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

  const adopt = useCallback((d: MaskDocument) => {
    setThreshold(d.threshold);
    setDoc(d);
    return d;
  }, []);

  const reloadMasks = useCallback(
    async () => adopt(buildDocument(await client.invoke('getMasks', { imageId }))),
    [adopt, client, imageId],
  );

  useEffect(() => {
    let cancelled = false;
    const t0 = performance.now();
    // The document (threshold and overlay, 8 M pixels for a large image) is built while the photograph still
    // decodes off the main thread.
    const building = openCache.takeMasks(imageId).then(buildDocument);
    Promise.all([openCache.image(imageId, true), building])
      .then(([img, d]) => {
        if (cancelled) return;
        if (img.width !== d.width || img.height !== d.height) {
          throw new Error(`the masks are ${d.width}x${d.height} but the image is ${img.width}x${img.height}`);
        }
        adopt(d);
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
