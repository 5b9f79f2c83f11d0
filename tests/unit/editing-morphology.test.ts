import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fillHoles, removeIslands } from '../../renderer/src/editing/morphology.js';
import { diffBox, driveManual, referenceComponents } from './editing-fixtures.js';

describe('morphology', () => {
  test('removeIslands on a real DRIVE mask keeps exactly the 8-connected components of >= N pixels', async () => {
    const { width, height, data } = await driveManual(21); // 19 components, sizes 1 to 24216
    const { label, sizes } = referenceComponents(data, width, height, 1, true);
    assert.ok(
      sizes.some((s) => s < 30) && sizes.some((s) => s >= 30),
      'the mask has small and large components',
    );
    const m = data.slice();
    const res = removeIslands(m, width, height, 30);
    const expected = data.map((v, p) => (v === 1 && sizes[label[p]] >= 30 ? 1 : 0));
    assert.deepEqual(m, expected);
    assert.equal(res.components, sizes.filter((s) => s < 30).length);
    assert.equal(
      res.pixels,
      sizes.filter((s) => s < 30).reduce((a, b) => a + b, 0),
    );
    assert.deepEqual(res.rect, diffBox(m, data, width));
  });

  test('diagonal chains are one island; minSize is a strict lower bound', () => {
    const w = 8;
    const h = 5;
    // prettier-ignore
    const m = Uint8Array.from([
      1, 0, 0, 0, 0, 0, 0, 1,
      0, 1, 0, 0, 0, 0, 1, 1,
      0, 0, 1, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 1, 0, 0, 0,
    ]);
    const res = removeIslands(m, w, h, 3);
    assert.equal(res.components, 1); // the single pixel; the diagonal (3) and the L (3) stay
    assert.equal(m[4 * w + 4], 0);
    assert.equal(m[2 * w + 2], 1);
  });

  test('fillHoles fills enclosed background (4-connected), never the border-connected outside; maxSize limits', () => {
    const w = 12;
    const h = 9;
    const m = new Uint8Array(w * h);
    const ring = (x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++) if (x === x0 || x === x1 || y === y0 || y === y1) m[y * w + x] = 1;
    };
    ring(1, 1, 5, 5); // hole of 9 pixels
    ring(7, 1, 9, 3); // hole of 1 pixel
    // An open ring touching the border: its inside connects to the border, so it is not a hole.
    for (let x = 0; x <= 4; x++) m[7 * w + x] = 1;
    const before = m.slice();
    const limited = m.slice();
    const small = fillHoles(limited, w, h, 4);
    assert.equal(small.components, 1);
    assert.equal(small.pixels, 1);
    const res = fillHoles(m, w, h);
    assert.equal(res.components, 2);
    assert.equal(res.pixels, 10);
    assert.deepEqual(res.rect, diffBox(m, before, w));
    assert.equal(m[8 * w + 2], 0);
  });

  test('a diagonal gap in a ring does not open the hole (background is 4-connected)', () => {
    const w = 5;
    const h = 5;
    // prettier-ignore
    const m = Uint8Array.from([
      0, 1, 0, 0, 0,
      1, 0, 1, 0, 0,
      0, 1, 0, 0, 0,
      0, 0, 0, 0, 0,
      0, 0, 0, 0, 0,
    ]);
    assert.equal(fillHoles(m, w, h).pixels, 1);
    assert.equal(m[1 * w + 1], 1);
  });
});
