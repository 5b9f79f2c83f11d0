// Run-length encodings of binary masks (any non-zero byte counts as 1; decoding yields 0/1).
//
// - COCO uncompressed RLE: shared/coco-rle.ts (re-exported here).
// - Row-runs: runs in row-major order, starting with 0s, written as LEB128 varints into bytes. Compact and
//   quick to produce (a DRIVE vessel mask of 330 kB becomes a few tens of kB), for transport and storage.

export { encodeCocoRle, decodeCocoRle, type CocoRle } from '../../../shared/coco-rle.js';

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
