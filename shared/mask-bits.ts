// Binary masks eight pixels a byte, for the wire: opening a 3504x2336 image sends its mask as 1 MB rather than
// 8 MB, and receiving those bytes was as long a wait as decoding the photograph. Pixel 8k + i is bit i of byte k.
// The probability cut is here so main packs a prediction exactly as the viewer thresholds it.

/** Bytes that hold `pixels` pixels packed. */
export const packedLength = (pixels: number): number => Math.ceil(pixels / 8);

/**
 * The value a probability map is compared with for threshold `t`: vessel where prob[p] >= cut. Uint16 maps hold
 * p * 65535, Uint8 maps p * 255, which is tested as the Uint16 value 257 v it equals (both give one mask at every
 * threshold); float maps hold p.
 */
export function probabilityCut(prob: { BYTES_PER_ELEMENT: number }, t: number): number {
  if (!Number.isFinite(t)) throw new RangeError(`threshold ${t} is not a number`);
  const cut16 = Math.ceil(t * 65535);
  // 257 v >= cut16 exactly when v >= ceil(cut16 / 257), v being an integer. Told apart by element size, which holds
  // for arrays from another realm too (an Electron bridge).
  const bytes = prob.BYTES_PER_ELEMENT;
  return bytes === 2 ? cut16 : bytes === 1 ? Math.ceil(cut16 / 257) : t;
}

/** Packs a bit per pixel, set where values[p] >= atLeast (1: a 0/1 mask; a probability cut: a thresholded map). */
export function packBits(values: Uint8Array, atLeast = 1): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(packedLength(n));
  const whole = n >> 3;
  for (let k = 0; k < whole; k++) {
    const p = k << 3;
    out[k] =
      (values[p] >= atLeast ? 1 : 0) |
      (values[p + 1] >= atLeast ? 2 : 0) |
      (values[p + 2] >= atLeast ? 4 : 0) |
      (values[p + 3] >= atLeast ? 8 : 0) |
      (values[p + 4] >= atLeast ? 16 : 0) |
      (values[p + 5] >= atLeast ? 32 : 0) |
      (values[p + 6] >= atLeast ? 64 : 0) |
      (values[p + 7] >= atLeast ? 128 : 0);
  }
  for (let p = whole << 3; p < n; p++) if (values[p] >= atLeast) out[p >> 3] |= 1 << (p & 7);
  return out;
}

// Each byte's eight pixels as two little-endian words: unpacking writes a quarter as many elements as pixels.
let wordTable: Uint32Array | null = null;
function words(): Uint32Array {
  if (wordTable) return wordTable;
  wordTable = new Uint32Array(512);
  for (let b = 0; b < 256; b++) {
    for (let i = 0; i < 8; i++) if (b & (1 << i)) wordTable[2 * b + (i >> 2)] |= 1 << ((i & 3) * 8);
  }
  return wordTable;
}
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The 0/1 mask of `pixels` pixels packed in `bits`. The viewer unpacks once per open, while V8 still interprets this loop, so its cost is the loop's trip count:
 * four packed bytes (32 pixels) are tested at a time and the empty ones, most of any mask, are skipped.
 */
export function unpackBits(bits: Uint8Array, pixels: number): Uint8Array {
  if (bits.length !== packedLength(pixels))
    throw new RangeError(`${bits.length} packed bytes do not hold ${pixels} pixels`);
  const out = new Uint8Array(pixels);
  let done = 0;
  if (littleEndian) {
    const table = words();
    const quads = pixels >> 5;
    // An aligned copy when the bytes sit at an odd offset in a received frame (a 1 MB copy is a native memcpy).
    const src = bits.byteOffset % 4 === 0 ? bits : bits.slice();
    const packed = new Uint32Array(src.buffer, src.byteOffset, quads);
    const w = new Uint32Array(out.buffer, out.byteOffset, quads * 8);
    for (let q = 0; q < quads; q++) {
      if (packed[q] === 0) continue;
      for (let k = q * 4, j = q * 8; k < q * 4 + 4; k++, j += 2) {
        const b = src[k] << 1;
        w[j] = table[b];
        w[j + 1] = table[b + 1];
      }
    }
    done = quads << 5;
  }
  for (let p = done; p < pixels; p++) out[p] = (bits[p >> 3] >> (p & 7)) & 1;
  return out;
}
