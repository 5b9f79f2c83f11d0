// Rectangles in mask pixel coordinates, shared by every editing module. A rectangle covers the pixels
// x <= i < x + width, y <= j < y + height; an empty one has width or height 0.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Called with a horizontal run of pixels [x0, x1) on row y just before an editing function writes it. */
export type SpanHook = (y: number, x0: number, x1: number) => void;

export const EMPTY_RECT: Readonly<Rect> = Object.freeze({ x: 0, y: 0, width: 0, height: 0 });

export function isEmptyRect(r: Rect): boolean {
  return r.width <= 0 || r.height <= 0;
}

export function unionRect(a: Rect, b: Rect): Rect {
  if (isEmptyRect(a)) return { ...b };
  if (isEmptyRect(b)) return { ...a };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

export function clipRect(r: Rect, width: number, height: number): Rect {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : { ...EMPTY_RECT };
}

/** Grows a bounding box incrementally without allocating; `toRect` turns it into a Rect. */
export class BoundsAccumulator {
  x0 = Infinity;
  y0 = Infinity;
  x1 = -Infinity;
  y1 = -Infinity;

  addSpan(y: number, x0: number, x1: number): void {
    if (x1 <= x0) return;
    if (x0 < this.x0) this.x0 = x0;
    if (x1 > this.x1) this.x1 = x1;
    if (y < this.y0) this.y0 = y;
    if (y + 1 > this.y1) this.y1 = y + 1;
  }

  toRect(): Rect {
    return this.x1 > this.x0
      ? { x: this.x0, y: this.y0, width: this.x1 - this.x0, height: this.y1 - this.y0 }
      : { ...EMPTY_RECT };
  }
}

/** Throws unless `mask` holds exactly width*height bytes; every editing entry point calls it. */
export function checkMask(mask: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`mask size ${width}x${height} is not a positive integer size`);
  }
  if (mask.length !== width * height) {
    throw new RangeError(`mask has ${mask.length} bytes, expected ${width}x${height} = ${width * height}`);
  }
}
