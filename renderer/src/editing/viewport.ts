// Zoom and pan arithmetic for the viewer. A view maps image pixel (u, v) to screen (x + u * scale, y + v * scale).

export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** Zooms by `factor` keeping the image point under `pointer` (screen coordinates) fixed. */
export function zoomAround(view: View, pointer: { x: number; y: number }, factor: number): View {
  const scale = clampScale(view.scale * factor);
  const u = (pointer.x - view.x) / view.scale;
  const v = (pointer.y - view.y) / view.scale;
  return { scale, x: pointer.x - u * scale, y: pointer.y - v * scale };
}

/** The whole image centred in the viewport, with a small margin. */
export function fitView(imageW: number, imageH: number, viewW: number, viewH: number, margin = 16): View {
  const scale = clampScale(Math.min((viewW - 2 * margin) / imageW, (viewH - 2 * margin) / imageH));
  return { scale, x: (viewW - imageW * scale) / 2, y: (viewH - imageH * scale) / 2 };
}

/** 1:1 (one image pixel per screen pixel) around the viewport centre's image point, snapped to whole pixels. */
export function actualSize(view: View, viewW: number, viewH: number): View {
  const z = zoomAround(view, { x: viewW / 2, y: viewH / 2 }, 1 / view.scale);
  return { scale: 1, x: Math.round(z.x), y: Math.round(z.y) };
}

/** Screen point to image pixel coordinates (continuous: pixel (i, j) spans [i, i + 1) x [j, j + 1)). */
export function toImage(view: View, p: { x: number; y: number }): { x: number; y: number } {
  return { x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale };
}

/** Wheel delta to a zoom factor: smooth for trackpads (small deltas), ~1.2x per mouse notch. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-300, Math.min(300, pixels)) * 0.0018);
}

/**
 * The view that shows `rect` (image pixels) in the middle of the viewport. From the fitted view (or further out)
 * it also zooms in, so the region fills about 60% of the viewport's shorter side; a view the user already zoomed
 * keeps its scale and only pans.
 */
export function focusView(
  view: View,
  rect: { x: number; y: number; width: number; height: number },
  viewW: number,
  viewH: number,
  fitScale: number,
): View {
  const zoomed = view.scale > fitScale * 1.05;
  const wanted = (0.6 * Math.min(viewW, viewH)) / Math.max(1, rect.width, rect.height);
  const scale = zoomed ? view.scale : clampScale(Math.max(view.scale, Math.min(8, wanted)));
  return {
    scale,
    x: viewW / 2 - (rect.x + rect.width / 2) * scale,
    y: viewH / 2 - (rect.y + rect.height / 2) * scale,
  };
}
