// Zoom and pan of the stage: fitted when both the image and the canvas size are known, then the user's.
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { actualSize, fitView, focusView, type View } from '../editing/viewport.js';
import type { Rect } from '../editing/rect.js';
import type { DecodedImage } from './imageSource.js';

export interface FittedView {
  view: View;
  setView: (v: View) => void;
  /** The canvas's size, reported by the MaskCanvas on mount and resize. */
  onSize: (w: number, h: number) => void;
  /** Set (before the first paint) once the initial fit happened. */
  fitted: RefObject<boolean>;
  fit: () => void;
  actual: () => void;
  /** Centres a region of the image, zooming in when the view is fitted. */
  focus: (r: Rect) => void;
}

export function useFittedView(image: DecodedImage | null): FittedView {
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const [box, setBox] = useState<{ w: number; h: number } | null>(null);
  const fitted = useRef(false);
  // The last fitted view, and the view now: while they are the same object the user has not zoomed or panned.
  const lastFit = useRef<View | null>(null);
  const current = useRef(view);
  current.current = view;

  const imageRef = useRef(image);
  imageRef.current = image;

  // Fit once, before the first paint. Later resizes (the window, the jobs tray opening beside the viewer) refit a
  // view the user has not changed, so the whole image stays in sight, and keep the user's own view otherwise.
  const refit = useCallback((img: DecodedImage, w: number, h: number) => {
    if (fitted.current && current.current !== lastFit.current) return;
    const v = fitView(img.width, img.height, w, h);
    const prev = lastFit.current;
    fitted.current = true;
    if (prev && current.current === prev && prev.scale === v.scale && prev.x === v.x && prev.y === v.y)
      return;
    lastFit.current = v;
    setView(v);
  }, []);

  useLayoutEffect(() => {
    if (image && box) refit(image, box.w, box.h);
  }, [image, box, refit]);

  // The canvas measures itself in a layout effect: fitting right there (rather than in the effect above, after
  // one more render) lets the stage's first render already have the fitted view.
  const onSize = useCallback(
    (w: number, h: number) => {
      setBox((b) => (b && b.w === w && b.h === h ? b : { w, h }));
      if (imageRef.current) refit(imageRef.current, w, h);
    },
    [refit],
  );
  const fit = useCallback(() => {
    if (!image || !box) return;
    lastFit.current = fitView(image.width, image.height, box.w, box.h);
    setView(lastFit.current);
  }, [image, box]);
  const actual = useCallback(() => {
    if (box) setView((v) => actualSize(v, box.w, box.h));
  }, [box]);

  const focus = useCallback(
    (r: Rect) => {
      if (!image || !box) return;
      const fitScale = fitView(image.width, image.height, box.w, box.h).scale;
      setView((v) => focusView(v, r, box.w, box.h, fitScale));
    },
    [image, box],
  );

  return { view, setView, onSize, fitted, fit, actual, focus };
}
