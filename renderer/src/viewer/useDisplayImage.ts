// The photograph as shown: the decoded image with the display filter (green channel, CLAHE, contrast,
// brightness) applied before paint. The filter is kept from one image to the next.
import { useEffect, useMemo, useRef, type Dispatch, type SetStateAction } from 'react';
import { useApp } from '../appContext.js';
import { NO_FILTER, type DisplayFilter } from '../editing/displayFilter.js';
import { renderFiltered, type DecodedImage } from './imageSource.js';
import { useSessionState } from './useSessionState.js';

export interface DisplayImage {
  display: CanvasImageSource | null;
  filter: DisplayFilter;
  setFilter: Dispatch<SetStateAction<DisplayFilter>>;
}

export function useDisplayImage(image: DecodedImage | null): DisplayImage {
  const { report } = useApp();
  const [filter, setFilter] = useSessionState<DisplayFilter>('display.filter', NO_FILTER);
  const shown = useRef<CanvasImageSource | null>(null);

  // Derived while rendering rather than set from an effect: the image shows in the commit that brought it, one
  // whole re-render of the viewer less when opening. A filter that fails keeps the picture shown before.
  const rendered = useMemo(() => {
    if (!image) return { display: null, error: null };
    try {
      shown.current = renderFiltered(image, filter);
      return { display: shown.current, error: null };
    } catch (error) {
      return { display: shown.current, error };
    }
  }, [image, filter]);

  useEffect(() => {
    if (rendered.error) report(rendered.error);
  }, [rendered, report]);

  return { display: rendered.display, filter, setFilter };
}
