// Flood fill: sets the 4-connected region of pixels equal to the seed's value to `value`, one horizontal run
// at a time (scanline fill), so the cost is O(filled pixels + runs) and the pending-seed stack stays small.

import { BoundsAccumulator, checkMask, clipRect, EMPTY_RECT, type Rect, type SpanHook } from './rect.js';
import { IntStack } from './stack.js';

export interface FloodFillOptions {
  /** Pixels outside this rectangle are treated as a wall (default: the whole mask). */
  bounds?: Rect;
  /** Called before each run is written (the undo recorder uses it). */
  onSpan?: SpanHook;
}

const seeds = new IntStack();

/** Fills from (seedX, seedY) (integer pixel coordinates). Returns the rectangle written; empty if nothing changed. */
export function floodFill(
  mask: Uint8Array,
  width: number,
  height: number,
  seedX: number,
  seedY: number,
  value: 0 | 1,
  options: FloodFillOptions = {},
): Rect {
  checkMask(mask, width, height);
  const box = clipRect(options.bounds ?? { x: 0, y: 0, width, height }, width, height);
  const bx0 = box.x;
  const by0 = box.y;
  const bx1 = box.x + box.width;
  const by1 = box.y + box.height;
  const sx = Math.floor(seedX);
  const sy = Math.floor(seedY);
  if (sx < bx0 || sx >= bx1 || sy < by0 || sy >= by1) return { ...EMPTY_RECT };
  const target = mask[sy * width + sx];
  // Filling a region with its own value changes nothing (and would never terminate the "still target" test).
  if (target === value) return { ...EMPTY_RECT };

  const bounds = new BoundsAccumulator();
  seeds.clear();
  seeds.push(sy * width + sx);
  while (seeds.length > 0) {
    const p = seeds.pop();
    const y = (p / width) | 0;
    const row = y * width;
    let x = p - row;
    if (mask[p] !== target) continue;
    while (x > bx0 && mask[row + x - 1] === target) x--;
    let end = p - row + 1;
    while (end < bx1 && mask[row + end] === target) end++;
    options.onSpan?.(y, x, end);
    mask.fill(value, row + x, row + end);
    bounds.addSpan(y, x, end);
    // One seed per run of target pixels on the rows above and below.
    for (let ny = y - 1; ny <= y + 1; ny += 2) {
      if (ny < by0 || ny >= by1) continue;
      const nrow = ny * width;
      let inRun = false;
      for (let i = x; i < end; i++) {
        const isTarget = mask[nrow + i] === target;
        if (isTarget && !inRun) seeds.push(nrow + i);
        inRun = isTarget;
      }
    }
  }
  return bounds.toRect();
}
