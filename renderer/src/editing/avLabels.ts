// Keeping an artery/vein label map (0 background, 1 artery, 2 vein) consistent with the vessel mask it labels:
// every vessel pixel is artery or vein, nothing else is labelled. After a mask edit, erased pixels lose their label
// and new vessel pixels take the label of the nearest labelled vessel pixel along the vessels (a vessel drawn on from
// an artery continues the artery, even where a vein runs closer across the background); a new piece not joined to
// any labelled vessel takes the nearest label across the background. The search is a breadth-first flood from the
// labelled pixels around the edit, so its cost follows the edit's size, not the image's.

import { AV_VALUES } from '../../../shared/contract.js';
import { checkMask, clipRect, isEmptyRect, BoundsAccumulator, type Rect, type SpanHook } from './rect.js';

/** How far around an edit the nearest label is looked for before the whole image is searched. */
const NEAR = 48;

/** The label a new vessel pixel takes when no vessel pixel anywhere is labelled yet. */
export const DEFAULT_LABEL = AV_VALUES.vein;

/**
 * Makes `labels` consistent with `mask` inside `rect`: labels off the mask are cleared, unlabelled vessel pixels
 * take the label of the nearest labelled vessel pixel joined to them through vessel pixels, else of the nearest one
 * at all (8-connected steps; ties by scan order).
 * `onSpan` is called before each run of label writes (the undo recorder). Returns the rectangle of labels changed.
 */
export function reconcileLabels(
  mask: Uint8Array,
  labels: Uint8Array,
  width: number,
  height: number,
  rect: Rect,
  onSpan?: SpanHook,
): Rect {
  checkMask(mask, width, height);
  checkMask(labels, width, height);
  const r = clipRect(rect, width, height);
  const changed = new BoundsAccumulator();
  if (isEmptyRect(r)) return changed.toRect();
  let missing = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      const i = y * width + x;
      if (!mask[i] && labels[i]) {
        onSpan?.(y, x, x + 1);
        labels[i] = 0;
        changed.addSpan(y, x, x + 1);
      } else if (mask[i] && !labels[i]) missing++;
    }
  }
  if (missing === 0) return changed.toRect();
  const near = clipRect(
    { x: r.x - NEAR, y: r.y - NEAR, width: r.width + 2 * NEAR, height: r.height + 2 * NEAR },
    width,
    height,
  );
  // Along the vessels first: a stroke that extends an artery beside a vein is nearer the vein across the background.
  let left = fillFromNearest(mask, labels, width, near, r, changed, true, onSpan);
  if (left > 0) left = fillFromNearest(mask, labels, width, near, r, changed, false, onSpan);
  // Wider only when nothing is labelled near the edit (a new vessel drawn away from the others).
  for (const grow of [8 * NEAR, Math.max(width, height)]) {
    if (left === 0) break;
    const wide = clipRect(
      { x: r.x - grow, y: r.y - grow, width: r.width + 2 * grow, height: r.height + 2 * grow },
      width,
      height,
    );
    left = fillFromNearest(mask, labels, width, wide, r, changed, false, onSpan);
  }
  if (left > 0) {
    // Nothing is labelled anywhere: every new vessel pixel gets the default.
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) {
        const i = y * width + x;
        if (mask[i] && !labels[i]) {
          onSpan?.(y, x, x + 1);
          labels[i] = DEFAULT_LABEL;
          changed.addSpan(y, x, x + 1);
        }
      }
    }
  }
  return changed.toRect();
}

/**
 * Floods labels out of the labelled vessel pixels of `area` over `area` (over its vessel pixels only when
 * `alongVessels`) and writes them into the unlabelled vessel pixels of `target` (inside `area`). Returns how many
 * unlabelled vessel pixels of `target` are left.
 */
function fillFromNearest(
  mask: Uint8Array,
  labels: Uint8Array,
  width: number,
  area: Rect,
  target: Rect,
  changed: BoundsAccumulator,
  alongVessels: boolean,
  onSpan?: SpanHook,
): number {
  const aw = area.width;
  const ah = area.height;
  // Per area pixel: the label that reached it (0: not yet).
  const reached = new Uint8Array(aw * ah);
  let frontier: number[] = [];
  for (let y = 0; y < ah; y++) {
    for (let x = 0; x < aw; x++) {
      const i = (area.y + y) * width + area.x + x;
      if (mask[i] && labels[i]) {
        reached[y * aw + x] = labels[i];
        frontier.push(y * aw + x);
      }
    }
  }
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const k of frontier) {
      const x = k % aw;
      const y = (k - x) / aw;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= aw || ny >= ah) continue;
          const q = ny * aw + nx;
          if (reached[q]) continue;
          if (alongVessels && !mask[(area.y + ny) * width + area.x + nx]) continue;
          reached[q] = reached[k];
          next.push(q);
        }
      }
    }
    frontier = next;
  }
  let left = 0;
  for (let y = target.y; y < target.y + target.height; y++) {
    for (let x = target.x; x < target.x + target.width; x++) {
      const i = y * width + x;
      if (!mask[i] || labels[i]) continue;
      const v = reached[(y - area.y) * aw + (x - area.x)];
      if (v) {
        onSpan?.(y, x, x + 1);
        labels[i] = v;
        changed.addSpan(y, x, x + 1);
      } else left++;
    }
  }
  return left;
}

/**
 * Labels for `mask` made from another version's labels (e.g. the prediction's, for a draft saved before it had
 * any): kept where both are vessel, filled from the nearest label elsewhere.
 */
export function labelsForMask(
  mask: Uint8Array,
  source: Uint8Array,
  width: number,
  height: number,
): Uint8Array {
  checkMask(source, width, height);
  const labels = source.slice();
  reconcileLabels(mask, labels, width, height, { x: 0, y: 0, width, height });
  return labels;
}
