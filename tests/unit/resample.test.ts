// The resampler's fast paths give the bits of the plain sums: a colour image shrunk at once equals each of its
// channels shrunk alone, and every pixel of an enlargement equals `resampleAt`'s pixel-by-pixel sum (which rounds as
// the in-place column pass does), for cubic (four taps, summed in a register) and linear (two, summed in place).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAxis, resample, resampleAt } from '../../main/ml/frame/resample.js';

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

for (const [name, srcW, srcH, dstW, dstH] of [
  ['a whole ratio (4)', 64, 48, 16, 12],
  ['an uneven ratio', 61, 47, 17, 13],
] as const) {
  test(`shrinking colour by ${name} equals shrinking each channel alone, bit for bit`, () => {
    const rgb = bytes(srcW * srcH * 3, srcW);
    const px = planAxis(srcW, dstW, 0, srcW / dstW);
    const py = planAxis(srcH, dstH, 0, srcH / dstH);
    const together = resample(rgb, srcW, srcH, 3, px, py);
    for (let c = 0; c < 3; c++) {
      const plane = Uint8Array.from({ length: srcW * srcH }, (_, i) => rgb[i * 3 + c]);
      const alone = resample(plane, srcW, srcH, 1, px, py);
      const mine = Float32Array.from({ length: dstW * dstH }, (_, i) => together[i * 3 + c]);
      assert.deepEqual(mine, alone, `channel ${c}`);
    }
  });
}

for (const kind of ['cubic', 'linear'] as const) {
  test(`a ${kind} enlargement equals resampleAt at every pixel, bit for bit`, () => {
    const [srcW, srcH, dstW, dstH] = [23, 19, 97, 71];
    const src = Float32Array.from(bytes(srcW * srcH, 7), (v) => v / 255);
    const px = planAxis(srcW, dstW, 0, srcW / dstW, kind);
    const py = planAxis(srcH, dstH, 0, srcH / dstH, kind);
    const out = resample(src, srcW, srcH, 1, px, py);
    let differ = 0;
    for (let y = 0; y < dstH; y++)
      for (let x = 0; x < dstW; x++) if (out[y * dstW + x] !== resampleAt(src, srcW, px, py, x, y)) differ++;
    assert.equal(differ, 0);
    // Not a constant map: the comparison has something to compare.
    assert.ok(Math.max(...out) - Math.min(...out) > 0.5);
  });
}
