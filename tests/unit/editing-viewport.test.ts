import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  actualSize,
  fitView,
  toImage,
  wheelFactor,
  zoomAround,
} from '../../renderer/src/editing/viewport.js';
import { applyDisplayFilter } from '../../renderer/src/editing/displayFilter.js';

describe('viewport', () => {
  test('zooming keeps the image point under the pointer fixed, and 1:1 snaps to whole pixels', () => {
    const v = { scale: 0.8, x: 37, y: -12 };
    const pointer = { x: 300.5, y: 211 };
    const before = toImage(v, pointer);
    for (const f of [1.2, 0.5, wheelFactor(-100, 0), wheelFactor(3, 1)]) {
      const after = toImage(zoomAround(v, pointer, f), pointer);
      assert.ok(Math.abs(after.x - before.x) < 1e-9 && Math.abs(after.y - before.y) < 1e-9);
    }
    const one = actualSize(v, 1000, 700);
    assert.equal(one.scale, 1);
    assert.ok(Number.isInteger(one.x) && Number.isInteger(one.y));
    assert.ok(wheelFactor(-100, 0) > 1 && wheelFactor(100, 0) < 1);
  });

  test('fit centres the whole image inside the margin', () => {
    const v = fitView(3504, 2336, 1000, 700, 10);
    assert.ok(3504 * v.scale <= 980 + 1e-9 && 2336 * v.scale <= 680 + 1e-9);
    assert.ok(Math.abs(v.x + (3504 * v.scale) / 2 - 500) < 1e-9);
    assert.ok(Math.abs(v.y + (2336 * v.scale) / 2 - 350) < 1e-9);
  });

  test('display filter: green channel and contrast via LUT, alpha kept', () => {
    const src = Uint8ClampedArray.from([200, 100, 50, 255, 10, 128, 250, 7]);
    const dst = new Uint8ClampedArray(8);
    applyDisplayFilter(src, dst, { greenOnly: true, contrast: 2, brightness: 0 });
    assert.deepEqual([...dst], [72, 72, 72, 255, 128, 128, 128, 7]);
    applyDisplayFilter(src, dst, { greenOnly: false, contrast: 1, brightness: 10 });
    assert.deepEqual([...dst], [210, 110, 60, 255, 20, 138, 255, 7]);
  });
});
