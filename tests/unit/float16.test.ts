// float16 conversions: exhaustive over the 2^16 bit patterns, checked against tfjs' own float16 weight decoder
// (the reader of compacted model files), plus rounding (nearest, ties to even) at normal, subnormal and
// overflow boundaries.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { initTf } from '../../main/ml/tf.js';
import {
  encodeFloat16,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  isFiniteFloat16Bits,
  roundToFloat16,
} from '../../main/ml/io/float16.js';
import { Rng } from '../../main/ml/rng.js';

const FINITE_HALVES = Array.from({ length: 0x10000 }, (_, h) => h).filter(isFiniteFloat16Bits);

describe('float16', () => {
  test('every finite half survives decode -> encode, and tfjs decodes it to the same value', async () => {
    assert.equal(FINITE_HALVES.length, 0x10000 - 2 * 1024);
    for (const h of FINITE_HALVES) {
      const back = float32ToFloat16Bits(float16BitsToFloat32(h));
      if (back !== h)
        assert.fail(`half 0x${h.toString(16)} -> ${float16BitsToFloat32(h)} -> 0x${back.toString(16)}`);
    }
    const { tf } = await initTf('cpu');
    const bits = new Uint16Array(FINITE_HALVES);
    const decoded = tf.io.decodeWeights(bits.buffer, [
      { name: 'w', shape: [bits.length], dtype: 'float32', quantization: { dtype: 'float16' } },
    ]);
    const viaTfjs = decoded.w.dataSync();
    decoded.w.dispose();
    for (let i = 0; i < bits.length; i++) {
      if (!Object.is(viaTfjs[i], float16BitsToFloat32(bits[i]))) {
        assert.fail(
          `half 0x${bits[i].toString(16)}: tfjs ${viaTfjs[i]}, ours ${float16BitsToFloat32(bits[i])}`,
        );
      }
    }
  });

  test('rounds to the nearest half, ties to even, at normal, subnormal and overflow boundaries', () => {
    const cases: [number, number][] = [
      [1, 1],
      [1 + 2 ** -11, 1], // tie between 1 (even) and 1 + 2^-10
      [1 + 3 * 2 ** -11, 1 + 2 ** -9], // tie between 1 + 2^-10 (odd) and 1 + 2^-9
      [1 + 2 ** -11 + 2 ** -20, 1 + 2 ** -10], // just above the tie
      [-0.1, float16BitsToFloat32(0xae66)],
      [65504, 65504],
      [65519, 65504],
      [65520, Infinity], // tie between 65504 (odd mantissa) and the next power, which overflows
      [-1e6, -Infinity],
      [2 ** -24, 2 ** -24], // smallest subnormal
      [2 ** -25, 0], // tie between 0 (even) and the smallest subnormal
      [1.5 * 2 ** -25, 2 ** -24],
      [3 * 2 ** -25, 2 * 2 ** -24], // tie between subnormals 1 (odd) and 2
      [2 ** -14 - 2 ** -26, 2 ** -14], // rounds up from the largest subnormal into the smallest normal
      [1e-10, 0],
    ];
    for (const [x, want] of cases)
      assert.equal(float16BitsToFloat32(float32ToFloat16Bits(x)), want, `x = ${x}`);
    assert.ok(Object.is(roundToFloat16([-1e-10])[0], -0), 'negative underflow keeps its sign');
    assert.ok(Number.isNaN(roundToFloat16([NaN])[0]), 'NaN stays NaN');
  });

  test('random float32 values land on a nearest half', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround(rng.normal() * 2 ** rng.int(30) * 2 ** -20);
      const h = float32ToFloat16Bits(x);
      const r = float16BitsToFloat32(h);
      if (!isFiniteFloat16Bits(h)) continue;
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) === 0x7fff || n < 0 || n > 0xffff || (n & 0x8000) !== (h & 0x8000)) continue;
        const other = float16BitsToFloat32(n);
        if (!Number.isFinite(other)) continue;
        assert.ok(Math.abs(x - r) <= Math.abs(x - other), `${x}: ${r} is further than ${other}`);
      }
    }
  });

  test('encodes little-endian halves', () => {
    assert.deepEqual([...encodeFloat16([1, -2, 0.5])], [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38]);
  });
});
