// The photograph as shown: the decoded image with the display filter (green channel, CLAHE, contrast,
// brightness) applied before paint.
import { useLayoutEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { useApp } from '../appContext.js';
import { NO_FILTER, type DisplayFilter } from '../editing/displayFilter.js';
import { renderFiltered, type DecodedImage } from './imageSource.js';

export interface DisplayImage {
  display: CanvasImageSource | null;
  filter: DisplayFilter;
  setFilter: Dispatch<SetStateAction<DisplayFilter>>;
}

export function useDisplayImage(image: DecodedImage | null): DisplayImage {
  const { report } = useApp();
  const [display, setDisplay] = useState<CanvasImageSource | null>(null);
  const [filter, setFilter] = useState<DisplayFilter>(NO_FILTER);

  useLayoutEffect(() => {
    if (!image) return;
    try {
      setDisplay(renderFiltered(image, filter));
    } catch (err) {
      report(err);
    }
  }, [image, filter, report]);

  return { display, filter, setFilter };
}
