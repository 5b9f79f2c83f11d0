// COCO's uncompressed RLE of a binary mask (any non-zero byte counts as 1; decoding yields 0/1): run lengths over
// the pixels in column-major (Fortran) order, starting with a run of 0s (possibly of length 0), `size` =
// [height, width] — the layout of COCO's `segmentation` field. Shared by the renderer and the store's export.

function checkMask(mask: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`mask size ${width}x${height} is not a positive integer size`);
  }
  if (mask.length !== width * height) {
    throw new RangeError(`mask has ${mask.length} bytes, expected ${width}x${height} = ${width * height}`);
  }
}

export interface CocoRle {
  size: [number, number];
  counts: number[];
}

export function encodeCocoRle(mask: Uint8Array, width: number, height: number): CocoRle {
  checkMask(mask, width, height);
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let p = x; p < mask.length; p += width) {
      const v = mask[p] !== 0 ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

export function decodeCocoRle(rle: CocoRle): Uint8Array {
  const [height, width] = rle.size;
  const total = width * height;
  const mask = new Uint8Array(total);
  checkMask(mask, width, height);
  let k = 0; // position in column-major order
  let v = 0;
  for (const c of rle.counts) {
    if (!Number.isInteger(c) || c < 0 || k + c > total) {
      throw new RangeError(`COCO RLE counts overflow a ${width}x${height} mask`);
    }
    if (v === 1) {
      for (let e = k + c; k < e; k++) {
        const x = (k / height) | 0;
        mask[(k - x * height) * width + x] = 1;
      }
    } else {
      k += c;
    }
    v ^= 1;
  }
  if (k !== total) throw new RangeError(`COCO RLE covers ${k} of ${total} pixels`);
  return mask;
}
