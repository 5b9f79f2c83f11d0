// Likely gaps the annotator has closed. The prediction's gap list is fixed, the working mask is not: a gap whose
// two ends the working mask joins, where the prediction did not, is done, and its marker goes (undo brings it back).
// Joined means 8-connected through mask pixels inside a box around the two ends, which a bridging stroke is.
import type { GapMarker } from '../../../shared/contract.js';

/** Whether mask pixels join the gap's two ends inside a box around them (the gap's length beyond each end). */
function joined(mask: Uint8Array, width: number, height: number, g: GapMarker): boolean {
  const { from, to } = g;
  const at = (p: { x: number; y: number }) => p.y * width + p.x;
  if (!mask[at(from)] || !mask[at(to)]) return false;
  const reach = Math.ceil(Math.hypot(to.x - from.x, to.y - from.y)) + 4;
  const x0 = Math.max(0, Math.min(from.x, to.x) - reach);
  const y0 = Math.max(0, Math.min(from.y, to.y) - reach);
  const x1 = Math.min(width - 1, Math.max(from.x, to.x) + reach);
  const y1 = Math.min(height - 1, Math.max(from.y, to.y) + reach);
  const bw = x1 - x0 + 1;
  const seen = new Uint8Array(bw * (y1 - y0 + 1));
  const queue: number[] = [at(from)];
  seen[(from.y - y0) * bw + from.x - x0] = 1;
  const goal = at(to);
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (i === goal) return true;
    const x = i % width;
    const y = (i - x) / width;
    for (let ny = Math.max(y0, y - 1); ny <= Math.min(y1, y + 1); ny++) {
      for (let nx = Math.max(x0, x - 1); nx <= Math.min(x1, x + 1); nx++) {
        const s = (ny - y0) * bw + nx - x0;
        if (seen[s] || !mask[ny * width + nx]) continue;
        seen[s] = 1;
        queue.push(ny * width + nx);
      }
    }
  }
  return false;
}

/** The gaps still open in `mask`: those it does not join, or that the prediction already joined. */
export function openGaps(
  gaps: readonly GapMarker[],
  mask: Uint8Array,
  predicted: Uint8Array | null,
  width: number,
  height: number,
): GapMarker[] {
  const inside = (p: { x: number; y: number }) => p.x >= 0 && p.y >= 0 && p.x < width && p.y < height;
  return gaps.filter(
    (g) =>
      !inside(g.from) ||
      !inside(g.to) ||
      !joined(mask, width, height, g) ||
      (predicted !== null && joined(predicted, width, height, g)),
  );
}
