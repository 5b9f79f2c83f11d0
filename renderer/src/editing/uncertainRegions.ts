// "Next uncertain region": the places where the model is most likely wrong, as a ranked list the viewer walks with
// N. The one-byte uncertainty map is summed over square blocks; the hottest blocks seed regions that absorb their
// hot neighbours (one ring, so a region stays small enough to zoom into), and regions are ranked by the summed
// uncertainty they hold. Walking skips what the annotator already corrected and what was already shown.
import type { Rect } from './rect.js';

export interface UncertainRegion extends Rect {
  /** Summed uncertainty inside (u = v / 255), the rank. */
  score: number;
  /** Stable name of the region (its seed block) for the "already visited" set. */
  key: string;
}

export interface RegionOptions {
  /** Block side in pixels. */
  block?: number;
  /** A block is hot when its sum reaches this share of the hottest block's sum... */
  relative?: number;
  /** ...and its mean uncertainty reaches this (u in 0..1): a calm image has no regions at all. */
  minMean?: number;
}

const DEFAULTS: Required<RegionOptions> = { block: 64, relative: 0.2, minMean: 0.02 };

/** Regions of high uncertainty in descending order of summed uncertainty. */
export function findUncertainRegions(
  u: Uint8Array,
  width: number,
  height: number,
  options: RegionOptions = {},
): UncertainRegion[] {
  const { block, relative, minMean } = { ...DEFAULTS, ...options };
  if (u.length !== width * height)
    throw new RangeError(`a map of ${u.length} values is not ${width}x${height}`);
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const sums = new Float64Array(cols * rows);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / block) * cols;
    for (let x = 0; x < width; x++) sums[row + Math.floor(x / block)] += u[y * width + x];
  }
  let max = 0;
  for (const s of sums) max = Math.max(max, s);
  // Edge blocks are smaller: their mean is over the pixels they hold.
  const area = (b: number) => {
    const bx = b % cols;
    const by = Math.floor(b / cols);
    return (
      (Math.min(width, (bx + 1) * block) - bx * block) * (Math.min(height, (by + 1) * block) - by * block)
    );
  };
  const hot = (b: number) => sums[b] > 0 && sums[b] >= relative * max && sums[b] / area(b) >= minMean * 255;
  const order = [...sums.keys()].filter(hot).sort((a, b) => sums[b] - sums[a] || a - b);
  const taken = new Uint8Array(sums.length);
  const regions: UncertainRegion[] = [];
  for (const seed of order) {
    if (taken[seed]) continue;
    const sx = seed % cols;
    const sy = Math.floor(seed / cols);
    let [x0, y0, x1, y1] = [sx, sy, sx, sy];
    let score = 0;
    for (let by = Math.max(0, sy - 1); by <= Math.min(rows - 1, sy + 1); by++) {
      for (let bx = Math.max(0, sx - 1); bx <= Math.min(cols - 1, sx + 1); bx++) {
        const b = by * cols + bx;
        if (taken[b] || !hot(b)) continue;
        taken[b] = 1;
        score += sums[b] / 255;
        x0 = Math.min(x0, bx);
        y0 = Math.min(y0, by);
        x1 = Math.max(x1, bx);
        y1 = Math.max(y1, by);
      }
    }
    const x = x0 * block;
    const y = y0 * block;
    regions.push({
      x,
      y,
      width: Math.min(width, (x1 + 1) * block) - x,
      height: Math.min(height, (y1 + 1) * block) - y,
      score,
      key: `${sx},${sy}`,
    });
  }
  return regions.sort((a, b) => b.score - a.score);
}

/** True when the working mask differs from the prediction somewhere inside `r`: the annotator has been there. */
export function editedInside(mask: Uint8Array, predicted: Uint8Array, width: number, r: Rect): boolean {
  for (let y = r.y; y < r.y + r.height; y++) {
    const row = y * width;
    for (let x = r.x; x < r.x + r.width; x++) if (mask[row + x] !== predicted[row + x]) return true;
  }
  return false;
}

/** The best region not yet visited and not yet edited, or null when none is left. */
export function nextUncertainRegion(
  regions: readonly UncertainRegion[],
  visited: ReadonlySet<string>,
  edited: (r: UncertainRegion) => boolean,
): UncertainRegion | null {
  return regions.find((r) => !visited.has(r.key) && !edited(r)) ?? null;
}

/**
 * Why nextUncertainRegion found nothing: the map has no region at all, the annotator edited every one (nothing a
 * new round could show), or every region not edited was already shown (a new round starts from the best).
 */
export function whyNoRegion(
  regions: readonly UncertainRegion[],
  edited: (r: UncertainRegion) => boolean,
): 'none' | 'all-edited' | 'all-visited' {
  if (regions.length === 0) return 'none';
  return regions.every(edited) ? 'all-edited' : 'all-visited';
}
