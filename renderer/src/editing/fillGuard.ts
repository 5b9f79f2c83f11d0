// The fill guard: one Fill click on the background can turn nearly the whole image into vessel, so a fill that
// would change more than a set share of the image's pixels is put to the user first. The size is measured by
// running the same flood fill on a scratch copy, so the guard and the fill can never disagree on the region.
import { floodFill } from './floodFill.js';
import { fillHoles, removeIslands } from './morphology.js';
import type { Point } from './rect.js';

/** Share of the image's pixels above which a fill asks first (vessels cover about 10-15% of a fundus image). */
export const FILL_CONFIRM_SHARE = 0.05;

export interface FillJudgement {
  /** Pixels the fill would change. */
  changed: number;
  /** `changed` as a share of all the image's pixels. */
  share: number;
  /** The fill is larger than the limit: ask before doing it. */
  ask: boolean;
}

/** Reused between calls: a fill click on a large image should not allocate a mask-sized buffer each time. */
let scratch = new Uint8Array(0);

/** What filling from `seed` with `value` would do, without changing `mask`. */
export function judgeFill(
  mask: Uint8Array,
  width: number,
  height: number,
  seed: Point,
  value: 0 | 1,
  limit: number = FILL_CONFIRM_SHARE,
): FillJudgement {
  if (scratch.length !== mask.length) scratch = new Uint8Array(mask.length);
  scratch.set(mask);
  let changed = 0;
  floodFill(scratch, width, height, seed.x, seed.y, value, {
    onSpan: (_y, x0, x1) => (changed += x1 - x0),
  });
  const share = width * height > 0 ? changed / (width * height) : 0;
  return { changed, share, ask: share > limit };
}

/** The question the viewer asks, e.g. "This fill would change 61% of the image. Fill anyway?" */
export function fillQuestion(share: number): string {
  // Never "100%" while some pixel is left, never "0%" for a fill that changes something.
  const percent = share >= 1 ? 100 : Math.min(99, Math.max(1, Math.round(share * 100)));
  return `This fill would change ${percent}% of the image. Fill anyway?`;
}

/**
 * Removing islands takes away specks, a few percent of the vessel pixels at most; a size typed wrong (100000 for 100)
 * takes every vessel. Above this share of the vessel pixels it asks first.
 */
export const ISLANDS_CONFIRM_SHARE = 0.1;

export type Cleanup = 'islands' | 'holes';

/**
 * What removing islands under `size` pixels (share: of the vessel pixels) or filling holes up to `size` (share: of
 * the image, as a fill) would do, on a scratch copy, without changing `mask`.
 */
export function judgeCleanup(
  mask: Uint8Array,
  width: number,
  height: number,
  kind: Cleanup,
  size: number,
): FillJudgement {
  if (scratch.length !== mask.length) scratch = new Uint8Array(mask.length);
  scratch.set(mask);
  if (kind === 'islands') {
    let vessel = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) vessel++;
    const changed = removeIslands(scratch, width, height, size).pixels;
    const share = vessel > 0 ? changed / vessel : 0;
    return { changed, share, ask: share > ISLANDS_CONFIRM_SHARE };
  }
  const changed = fillHoles(scratch, width, height, size).pixels;
  const share = width * height > 0 ? changed / (width * height) : 0;
  return { changed, share, ask: share > FILL_CONFIRM_SHARE };
}

/** The question before a large cleanup, e.g. "Removing islands under 100000 px would erase 100% of the vessels. ..." */
export function cleanupQuestion(kind: Cleanup, size: number, share: number): string {
  const percent = share >= 1 ? 100 : Math.min(99, Math.max(1, Math.round(share * 100)));
  return kind === 'islands'
    ? `Removing islands under ${size} px would erase ${percent}% of the vessel pixels. Remove them anyway?`
    : `Filling holes up to ${size} px would change ${percent}% of the image. Fill them anyway?`;
}
