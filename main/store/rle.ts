// COCO's uncompressed RLE: run lengths over the pixels in column-major (Fortran) order, starting with a run of
// zeros (possibly of length 0).
import type { BinaryMap } from '../ml/types.js';

export interface CocoRle {
  size: [number, number]; // [height, width]
  counts: number[];
}

export function encodeCocoRle(mask: BinaryMap): CocoRle {
  const { width: w, height: h, data } = mask;
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const v = data[y * w + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [h, w], counts };
}

export function decodeCocoRle(rle: CocoRle): BinaryMap {
  const [h, w] = rle.size;
  const data = new Uint8Array(w * h);
  let pos = 0;
  let v = 0;
  for (const count of rle.counts) {
    for (let k = 0; k < count; k++, pos++) {
      if (v) data[(pos % h) * w + Math.floor(pos / h)] = 1;
    }
    v ^= 1;
  }
  return { width: w, height: h, data };
}

/** Pixel area and [x, y, width, height] bounding box of the non-zero pixels (zeros when empty). */
export function areaAndBbox(mask: BinaryMap): { area: number; bbox: [number, number, number, number] } {
  let area = 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[y * mask.width + x]) continue;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return { area, bbox: area ? [x0, y0, x1 - x0 + 1, y1 - y0 + 1] : [0, 0, 0, 0] };
}
