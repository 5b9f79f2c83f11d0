// The derived field of view scales with the photograph: the same aperture drawn at twice the size gives a fitted
// circle twice as large, so the pixel size from a field angle agrees across sizes. Its erosion was rounded to whole
// pixels (2 px at a 565-px side but 5 at 1130): 0.29% smaller at twice the size. What is left, 0.14%, is the chamfer
// distance's own quantisation of the erosion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveFov } from '../../main/ml/image/fov.js';
import { fitFovCircle } from '../../main/ml/frame/fov-circle.js';
import type { RasterImage } from '../../main/ml/types.js';

/** A bright disc of radius r (the aperture) on black, centred, in a w x h RGB image. */
function aperture(w: number, h: number, r: number): RasterImage {
  const data = new Uint8Array(w * h * 3);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (Math.hypot(x - cx, y - cy) > r) continue;
      const i = (y * w + x) * 3;
      data[i] = 180;
      data[i + 1] = 90;
      data[i + 2] = 40;
    }
  }
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

test('an aperture at twice the size is fitted twice as large', () => {
  const one = fitFovCircle(deriveFov(aperture(565, 584, 270)))!;
  const two = fitFovCircle(deriveFov(aperture(1130, 1168, 540)))!;
  assert.ok(one && two, 'both apertures fitted');
  const change = two.r / (2 * one.r) - 1;
  assert.ok(
    Math.abs(change) < 0.002,
    `radius ${one.r.toFixed(2)} at 1x, ${two.r.toFixed(2)} at 2x (${(change * 100).toFixed(3)}%)`,
  );
});
