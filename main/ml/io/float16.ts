// IEEE 754 binary16 ("half") conversions, bit-exact with what tfjs' float16 weight decoder and ONNX Runtime
// read, so a weight rounded here has one value in every engine.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half nearest to `x` (ties to even), as its 16 bits. Beyond the half range: +-Infinity (0x7c00). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // Inf, NaN
  const e = exp - 127 + 15; // the half's biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: m * 2^-24 with the implicit bit shifted into the mantissa.
    if (e < -10) return sign; // below half the smallest subnormal
    const full = mant | 0x800000;
    const shift = 14 - e;
    let m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m; // m may carry into 0x400, the smallest normal: still correct
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry may reach 0x7c00 = Infinity
  return sign | h;
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function isFiniteFloat16Bits(h: number): boolean {
  return (h & 0x7c00) !== 0x7c00;
}

/** Little-endian halves of `values` (the byte order of tfjs weight files and ONNX raw_data). */
export function encodeFloat16(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, float32ToFloat16Bits(values[i]), true);
  return out;
}

/** True when every value is exactly a half, so storing it as float16 loses nothing. */
export function allExactFloat16(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    if (float16BitsToFloat32(float32ToFloat16Bits(values[i])) !== values[i]) return false;
  }
  return true;
}

/** `values` rounded to the nearest halves, as float32 (exactly representable). */
export function roundToFloat16(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16BitsToFloat32(float32ToFloat16Bits(values[i]));
  return out;
}
