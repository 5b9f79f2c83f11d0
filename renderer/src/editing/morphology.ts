// Clean-up operations on whole masks. Connectivity follows the usual digital-topology pairing: foreground
// components are 8-connected and background components (holes) 4-connected, so a diagonal vessel is one
// component and the pixel gap beside it is not a hole.

import { BoundsAccumulator, checkMask, type Rect, type SpanHook } from './rect.js';

export interface CleanupResult {
  /** Components changed (islands removed or holes filled). */
  components: number;
  /** Pixels changed. */
  pixels: number;
  /** Rectangle of the changed pixels. */
  rect: Rect;
}

// Scratch buffers reused across calls: one visited flag and one queue slot per pixel.
let visited = new Uint8Array(0);
let queue = new Int32Array(0);

function scratch(n: number): void {
  if (visited.length < n) {
    visited = new Uint8Array(n);
    queue = new Int32Array(n);
  } else {
    visited.fill(0, 0, n);
  }
}

/**
 * Collects the component containing `start` (pixels equal to `want`) into queue[from...] and returns the index one
 * past its last pixel. Breadth-first over the queue itself, so the component ends up listed contiguously.
 */
function collect(
  mask: Uint8Array,
  width: number,
  height: number,
  start: number,
  want: number,
  eight: boolean,
  from: number,
): number {
  let head = from;
  let tail = from;
  visited[start] = 1;
  queue[tail++] = start;
  while (head < tail) {
    const p = queue[head++];
    const y = (p / width) | 0;
    const x = p - y * width;
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
        const nx = x + dx;
        if (nx < 0 || nx >= width) continue;
        const q = ny * width + nx;
        if (visited[q] === 0 && mask[q] === want) {
          visited[q] = 1;
          queue[tail++] = q;
        }
      }
    }
  }
  return tail;
}

function setComponent(
  mask: Uint8Array,
  width: number,
  from: number,
  to: number,
  value: 0 | 1,
  bounds: BoundsAccumulator,
  onSpan?: SpanHook,
): void {
  for (let k = from; k < to; k++) {
    const p = queue[k];
    const y = (p / width) | 0;
    const x = p - y * width;
    onSpan?.(y, x, x + 1);
    mask[p] = value;
    bounds.addSpan(y, x, x + 1);
  }
}

/** Removes 8-connected foreground components with fewer than `minSize` pixels. */
export function removeIslands(
  mask: Uint8Array,
  width: number,
  height: number,
  minSize: number,
  onSpan?: SpanHook,
): CleanupResult {
  checkMask(mask, width, height);
  const n = width * height;
  scratch(n);
  const bounds = new BoundsAccumulator();
  let components = 0;
  let pixels = 0;
  for (let p = 0; p < n; p++) {
    if (mask[p] === 0 || visited[p] === 1) continue;
    const end = collect(mask, width, height, p, mask[p], true, 0);
    if (end < minSize) {
      setComponent(mask, width, 0, end, 0, bounds, onSpan);
      components++;
      pixels += end;
    }
  }
  return { components, pixels, rect: bounds.toRect() };
}

/**
 * Fills holes: 4-connected background components that do not touch the mask border, of at most `maxSize`
 * pixels (default: any size).
 */
export function fillHoles(
  mask: Uint8Array,
  width: number,
  height: number,
  maxSize = Infinity,
  onSpan?: SpanHook,
): CleanupResult {
  checkMask(mask, width, height);
  const n = width * height;
  scratch(n);
  // Everything reachable from the border is outside, not a hole.
  for (let p = 0; p < n; p++) {
    const y = (p / width) | 0;
    const x = p - y * width;
    const onBorder = x === 0 || y === 0 || x === width - 1 || y === height - 1;
    if (!onBorder) {
      p += width - 3; // jump to the last column of this row
      continue;
    }
    if (mask[p] === 0 && visited[p] === 0) collect(mask, width, height, p, 0, false, 0);
  }
  const bounds = new BoundsAccumulator();
  let components = 0;
  let pixels = 0;
  for (let p = 0; p < n; p++) {
    if (mask[p] !== 0 || visited[p] === 1) continue;
    const end = collect(mask, width, height, p, 0, false, 0);
    if (end <= maxSize) {
      setComponent(mask, width, 0, end, 1, bounds, onSpan);
      components++;
      pixels += end;
    }
  }
  return { components, pixels, rect: bounds.toRect() };
}
