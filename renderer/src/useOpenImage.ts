// Which image the viewer shows, mirrored in the address (see imageRoute): opening from the worklist adds a history
// entry, so the browser's Back returns to the list; moving to the next image replaces it; a reload, or Forward,
// opens the image named again, with the worklist's list (as filtered) to move through.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImageSummary } from '../../shared/contract.js';
import type { RetinaClient } from '../../shared/transport.js';
import { hashForImage, imageIdFromHash } from './imageRoute.js';
import type { OpenCache } from './viewer/openCache.js';
import { groupImages, hasPatients } from './worklist/grouping.js';
import type { Filters } from './worklist/WorklistFilters.js';
import { isGrouped, listImagesQuery } from './worklist/worklistQuery.js';

/** The worklist's first page: what the restored viewer moves through with next and previous. */
const RESTORED_LIST = 100;

type HistoryMode = 'push' | 'replace' | 'none';

function setAddress(imageId: string | null, mode: HistoryMode): void {
  const hash = hashForImage(imageId);
  if (mode === 'none' || location.hash === hash) return;
  const url = hash || location.pathname + location.search;
  if (mode === 'push') history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

export interface OpenImage {
  open: { imageId: string; list: ImageSummary[] } | null;
  /** The image last open in the viewer: the worklist, back, is where the user left it (highlighted, keys working). */
  lastViewed: string | null;
  /** True while the image named in the address at start is being opened. */
  restoring: boolean;
  openImage: (imageId: string, list: ImageSummary[], mode?: HistoryMode) => void;
  close: () => void;
}

export function useOpenImage(
  client: RetinaClient,
  openCache: OpenCache,
  filters: Filters,
  report: (err: unknown) => void,
  ready: boolean,
): OpenImage {
  const [open, setOpen] = useState<OpenImage['open']>(null);
  const [lastViewed, setLastViewed] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(() => imageIdFromHash(location.hash) !== null);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  // The photograph and masks are asked for at the click, not after the viewer's first render: both are on the
  // critical path of opening (a prefetched image's are already on their way or here).
  const openImage = useCallback(
    (imageId: string, list: ImageSummary[], mode: HistoryMode = 'push') => {
      openCache.prefetchOpen(
        imageId,
        list.find((i) => i.id === imageId),
      );
      setOpen({ imageId, list });
      setLastViewed(imageId);
      setAddress(imageId, mode);
    },
    [openCache],
  );

  const close = useCallback(() => {
    setOpen(null);
    setAddress(null, 'push');
  }, []);

  const restore = useCallback(
    async (imageId: string) => {
      try {
        const f = filtersRef.current;
        const [image, page] = await Promise.all([
          client.invoke('getImageInfo', { imageId }),
          client.invoke('listImages', listImagesQuery(f, 0, RESTORED_LIST)),
        ]);
        const rows = isGrouped(f) && hasPatients(page.items) ? groupImages(page.items).rows : page.items;
        openImage(imageId, rows.some((r) => r.id === image.id) ? rows : [image, ...rows], 'none');
      } catch (err) {
        // Gone, or not this account's to see: the worklist, with the reason.
        report(err);
        setOpen(null);
        setAddress(null, 'replace');
      } finally {
        setRestoring(false);
      }
    },
    [client, openImage, report],
  );

  const restoreRef = useRef(restore);
  restoreRef.current = restore;
  // Once the shell is ready: the image the address names at start, then Back and Forward.
  useEffect(() => {
    if (!ready) return;
    const named = imageIdFromHash(location.hash);
    if (named !== null) void restoreRef.current(named);
    const onPopState = () => {
      const id = imageIdFromHash(location.hash);
      if (id === null) setOpen(null);
      else void restoreRef.current(id);
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [ready]);

  return { open, lastViewed, restoring, openImage, close };
}
