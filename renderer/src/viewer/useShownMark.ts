// The bench's "opened" moment: the first frame with the image, its mask and the fitted view.
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { View } from '../editing/viewport.js';
import type { DecodedImage } from './imageSource.js';
import type { MaskDocument } from './maskDocument.js';
import { viewerShown } from '../perf.js';

export function useShownMark(
  imageId: string,
  fitted: RefObject<boolean>,
  doc: MaskDocument | null,
  image: DecodedImage | null,
  view: View,
): void {
  const [openedAt] = useState(() => performance.now());
  const shown = useRef(false);
  // Runs after the fit's layout effect in the same commit, so `fitted` is already set there.
  useLayoutEffect(() => {
    if (shown.current || !fitted.current || !doc || !image) return;
    shown.current = true;
    viewerShown(imageId, openedAt);
  }, [doc, image, view, imageId, openedAt, fitted]);
}
