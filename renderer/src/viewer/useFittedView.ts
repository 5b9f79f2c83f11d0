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

  // Fit once, before the first paint. Later resizes (the window, the jobs tray opening beside the viewer) refit a
  // view the user has not changed, so the whole image stays in sight, and keep the user's own view otherwise.
  useLayoutEffect(() => {
    if (!image || !box) return;
    if (fitted.current && current.current !== lastFit.current) return;
    fitted.current = true;
    lastFit.current = fitView(image.width, image.height, box.w, box.h);
    setView(lastFit.current);
  }, [image, box]);

  const onSize = useCallback((w: number, h: number) => setBox({ w, h }), []);
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
