// The resampler's fast paths give the bits of the plain sums: a colour image shrunk at once equals each of its
// channels shrunk alone, and every pixel of an enlargement or a shrink equals `resampleAt`'s pixel-by-pixel sum (which
// rounds as the in-place column pass does), with four taps a row (summed in a register) and with other counts.
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

for (const [name, kind, srcW, srcH, dstW, dstH] of [
  ['a cubic enlargement', 'cubic', 23, 19, 97, 71],
  ['a linear enlargement', 'linear', 23, 19, 97, 71],
  ['a shrink by 4 (four taps a row)', 'linear', 96, 72, 24, 18],
  ['an uneven shrink', 'linear', 97, 71, 23, 19],
] as const) {
  test(`${name} equals resampleAt at every pixel, bit for bit`, () => {
    // A ramp under noise: averaging (a shrink) keeps the ramp's range, so the check below holds for every case.
    const src = Float32Array.from(
      bytes(srcW * srcH, 7),
      (v, i) => (0.8 * ((i % srcW) + Math.floor(i / srcW))) / (srcW + srcH) + (0.2 * v) / 255,
    );
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
