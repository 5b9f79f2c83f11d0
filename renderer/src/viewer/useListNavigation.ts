// Moving through the worklist the viewer was opened from: the image's place in it, previous/next, and a prefetch
// of both neighbours once this image is on screen so the arrow keys open them at once.
import { useCallback, useEffect } from 'react';
import type { ImageSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';

export interface ListNavigation {
  /** Position of the image in the list (-1 when it is not there). */
  index: number;
  current: ImageSummary | undefined;
  go: (delta: number) => void;
}

export function useListNavigation(
  list: ImageSummary[],
  imageId: string,
  onNavigate: (imageId: string) => void,
  ready: boolean,
): ListNavigation {
  const { openCache } = useApp();
  const index = list.findIndex((x) => x.id === imageId);

  useEffect(() => {
    if (!ready) return;
    const t = setTimeout(() => {
      openCache.prefetch([list[index + 1]?.id, list[index - 1]?.id].filter((x): x is string => !!x));
    }, 50);
    return () => clearTimeout(t);
  }, [ready, index, list, openCache]);

  const go = useCallback(
    (delta: number) => {
      const next = list[index + delta];
      if (next) onNavigate(next.id);
    },
    [index, list, onNavigate],
  );

  return { index, current: list[index], go };
}
