// Which image the viewer shows, mirrored in the address (see imageRoute): opening from the worklist adds a history
// entry, so the browser's Back returns to the list; moving to the next image replaces it; a reload, or Forward,
// opens the image named again, with the worklist's list (as filtered) to move through.
import { useCallback, useEffect, useRef, useState } from 'react';
import { RpcError, type ImageSummary } from '../../shared/contract.js';
import type { RetinaClient } from '../../shared/transport.js';
import { hashForImage, imageIdFromHash } from './imageRoute.js';
import type { OpenCache } from './viewer/openCache.js';
import { groupImages, hasPatients } from './worklist/grouping.js';
import type { Filters } from './worklist/WorklistFilters.js';
import { isGrouped } from './worklist/worklistQuery.js';
import { readRows } from './worklist/readRows.js';

/** The worklist's page: a list passed to the viewer this long may have more rows the worklist had not loaded. */
const WORKLIST_PAGE = 100;
/** Bounds the rows read for the viewer's list (next, previous, approve and next): 20 pages of 500. */
const MOST_ROWS = 10_000;

/** The worklist's whole list as filtered and ordered (up to MOST_ROWS), in the order the worklist shows it. */
async function wholeList(client: RetinaClient, f: Filters): Promise<ImageSummary[]> {
  const { rows } = await readRows(client, f, 0, MOST_ROWS);
  return isGrouped(f) && hasPatients(rows) ? groupImages(rows).rows : rows;
}

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
      // The worklist had loaded only its first pages: next, previous and "approve and next" must see every row
      // (they stopped at the 100th, or went back to the first). The rest is read while the image opens.
      if (mode === 'push' && list.length >= WORKLIST_PAGE) {
        wholeList(client, filtersRef.current).then(
          (whole) =>
            setOpen((o) =>
              o && (o.list === list || o.imageId === imageId) && whole.some((r) => r.id === o.imageId)
                ? { ...o, list: whole }
                : o,
            ),
          report,
        );
      }
    },
    [client, openCache, report],
  );

  const close = useCallback(() => {
    setOpen(null);
    setAddress(null, 'push');
  }, []);

  const restore = useCallback(
    async (imageId: string) => {
      try {
        const [image, rows] = await Promise.all([
          client.invoke('getImageInfo', { imageId }),
          wholeList(client, filtersRef.current),
        ]);
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

  // The viewer reads the image's patient, visit and assignees from its list entry: when another window or a job
  // changes the open image, the entry is read again (the Visit report link and the visits to compare came only on
  // reopening the image).
  const openId = open?.imageId ?? null;
  const openRef = useRef(open);
  openRef.current = open;
  useEffect(() => {
    if (openId === null) return;
    return client.on('imagesChanged', ({ imageIds }) => {
      if (!imageIds.includes(openId)) return;
      client.invoke('getImageInfo', { imageId: openId }).then(
        (fresh) =>
          setOpen((o) =>
            o && o.imageId === fresh.id
              ? { ...o, list: o.list.map((i) => (i.id === fresh.id ? fresh : i)) }
              : o,
          ),
        (err: unknown) => {
          // Erased by an administrator (or no longer assigned to this annotator): back to the worklist, saying
          // so, rather than a viewer whose every request fails.
          if (!(err instanceof RpcError && err.code === 'not-found') || openRef.current?.imageId !== openId)
            return;
          const name = openRef.current.list.find((i) => i.id === openId)?.fileName ?? `image ${openId}`;
          setOpen(null);
          setAddress(null, 'replace');
          report(
            new Error(`${name} is no longer in this study: it was erased, or is no longer yours to see`),
          );
        },
      );
    });
  }, [client, openId, report]);

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
