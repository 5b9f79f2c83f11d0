// Run-length encodings of binary masks (any non-zero byte counts as 1; decoding yields 0/1).
//
// - COCO uncompressed RLE: runs over the mask in column-major (Fortran) order, starting with a run of 0s
//   (possibly of length 0), `size` = [height, width] — the layout of COCO's `segmentation` field.
// - Row-runs: runs in row-major order, starting with 0s, written as LEB128 varints into bytes. Compact and
//   quick to produce (a DRIVE vessel mask of 330 kB becomes a few tens of kB), for transport and storage.

import { checkMask } from './rect.js';

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

/** Row-major runs (0s first) as LEB128 varints. */
export function encodeRowRuns(mask: Uint8Array): Uint8Array {
  // Worst case: every run has length 1 and needs 1 byte, plus slack for long runs (at most 5 bytes each).
  let out = new Uint8Array(Math.min(mask.length + 16, 4096));
  let n = 0;
  const put = (value: number): void => {
    if (n + 5 > out.length) {
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    while (value >= 0x80) {
      out[n++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    out[n++] = value;
  };
  let current = 0;
  let run = 0;
  for (let p = 0; p < mask.length; p++) {
    const v = mask[p] !== 0 ? 1 : 0;
    if (v !== current) {
      put(run);
      run = 0;
      current = v;
    }
    run++;
  }
  put(run);
  return out.slice(0, n);
}

/** Inverse of encodeRowRuns; `length` is width*height, checked against the runs. */
export function decodeRowRuns(bytes: Uint8Array, length: number): Uint8Array {
  const mask = new Uint8Array(length);
  let p = 0;
  let v = 0;
  let i = 0;
  while (i < bytes.length) {
    let run = 0;
    let shift = 0;
    let b: number;
    do {
      if (i >= bytes.length || shift > 28) throw new RangeError('row-runs: truncated or malformed varint');
      b = bytes[i++];
      run += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (p + run > length) throw new RangeError(`row-runs overflow a mask of ${length} pixels`);
    if (v === 1) mask.fill(1, p, p + run);
    p += run;
    v ^= 1;
  }
  if (p !== length) throw new RangeError(`row-runs cover ${p} of ${length} pixels`);
  return mask;
}
