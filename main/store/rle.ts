// COCO's uncompressed RLE: run lengths over the pixels in column-major (Fortran) order, starting with a run of
// zeros (possibly of length 0).
import type { BinaryMap } from '../ml/types.js';
import {
  decodeCocoRle as decodeShared,
  encodeCocoRle as encodeShared,
  type CocoRle,
} from '../../shared/coco-rle.js';

export type { CocoRle };

export function encodeCocoRle(mask: BinaryMap): CocoRle {
  return encodeShared(mask.data, mask.width, mask.height);
}

export function decodeCocoRle(rle: CocoRle): BinaryMap {
  return { width: rle.size[1], height: rle.size[0], data: decodeShared(rle) };
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
