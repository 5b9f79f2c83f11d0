// The optic disc edited by hand: where a press on the disc marker grabs it (its centre dot moves it, its rim
// resizes it), the disc a drag draws (centre where it started, rim where it is), and the size a disc placed by a
// plain click gets. Image pixels throughout; the viewer converts its grab distance from screen pixels.
import type { AnatomyRecord } from '../../../shared/contract.js';
import type { Point } from './rect.js';

export type Disc = NonNullable<AnatomyRecord['disc']>;
export type Fovea = NonNullable<AnatomyRecord['fovea']>;

/** What a person edits of the anatomy record by hand: the disc and the fovea, and the laterality read from them. */
export type Markers = AnatomyRecord;

/** A fovea put by hand: a person's word, not an estimate. */
export const HAND_FOVEA_CONFIDENCE = 1;

/** The smallest diameter a disc drawn by hand takes (image pixels): a slip of the pointer is not a disc. */
export const MIN_DISC_DIAMETER = 4;

/**
 * The diameter of a disc placed by a click, before the annotator sizes it: about a seventh of the photograph's
 * shorter side, what a 45-degree field shows (DRIVE: about 80 of 565 pixels). Any other field is resized by
 * dragging the rim.
 */
export function defaultDiscDiameter(width: number, height: number): number {
  return Math.max(MIN_DISC_DIAMETER, Math.round(Math.min(width, height) / 7));
}

/** `d` brought onto a width x height image: the centre inside it, the diameter within what the store accepts. */
export function clampDisc(d: Disc, width: number, height: number): Disc {
  return {
    x: Math.min(width, Math.max(0, d.x)),
    y: Math.min(height, Math.max(0, d.y)),
    diameter: Math.min(Math.max(width, height), Math.max(MIN_DISC_DIAMETER, d.diameter)),
  };
}

/** What a press at `p` grabs of `disc`: its centre dot, its rim, or neither (`handle`: the reach, image pixels). */
export function discGrab(p: Point, disc: Disc | null, handle: number): 'centre' | 'rim' | null {
  if (!disc) return null;
  const r = Math.hypot(p.x - disc.x, p.y - disc.y);
  if (r <= handle) return 'centre';
  return Math.abs(r - disc.diameter / 2) <= handle ? 'rim' : null;
}

/** A step of the disc's size from the keyboard: 5% bigger (+1) or smaller (-1), about the same centre. */
export const DISC_SIZE_STEP = 1.05;

export const resizedDisc = (d: Disc, direction: 1 | -1): Disc => ({
  ...d,
  diameter: d.diameter * DISC_SIZE_STEP ** direction,
});

/** The disc centred on `centre` whose rim passes through `rim`. */
export const discThrough = (centre: Point, rim: Point): Disc => ({
  x: centre.x,
  y: centre.y,
  diameter: 2 * Math.hypot(rim.x - centre.x, rim.y - centre.y),
});

export const sameDisc = (a: Disc | null, b: Disc | null): boolean =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.diameter === b.diameter);
