// Hand-drawn inputs for the pure editing and vote tests: vessels as thick line segments on a mask, and key presses
// as the keymap reads them.

/** Draws a vessel of half-width `r` along the line from (x0, y0) to (x1, y1) into a `w`-wide mask. */
export function drawVessel(
  m: Uint8Array,
  w: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r = 1.5,
): void {
  const h = m.length / w;
  const len2 = (x1 - x0) ** 2 + (y1 - y0) ** 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / len2));
      if (Math.hypot(x - (x0 + t * (x1 - x0)), y - (y0 + t * (y1 - y0))) <= r) m[y * w + x] = 1;
    }
  }
}

/** A key press with no modifier but Shift (when asked). */
export function keyPress(key: string, shiftKey = false) {
  return { key, shiftKey, ctrlKey: false, metaKey: false, altKey: false };
}

/** A `w` x `h` mask with a vessel along each line [x0, y0, x1, y1]. */
export function drawnMask(w: number, h: number, lines: [number, number, number, number][]): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const [x0, y0, x1, y1] of lines) drawVessel(m, w, x0, y0, x1, y1);
  return m;
}
