import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { floodFill } from '../../renderer/src/editing/floodFill.js';
import { diffBox, driveManual, referenceComponents } from './editing-fixtures.js';

describe('flood fill', () => {
  test('on a real DRIVE vessel mask, filling background from a seed sets exactly its 4-connected region', async () => {
    const { width, height, data } = await driveManual(21);
    const { label } = referenceComponents(data, width, height, 0, false);
    // Seeds: a corner (the big outside region) and a pixel inside a small enclosed background pocket.
    const pocket = label.findIndex(
      (l, p) => data[p] === 0 && l > 0 && label.filter((x) => x === l).length < 200,
    );
    for (const seed of [0, pocket]) {
      assert.ok(seed >= 0);
      const m = data.slice();
      const rect = floodFill(m, width, height, seed % width, Math.floor(seed / width), 1);
      const expected = data.slice();
      for (let p = 0; p < expected.length; p++) if (label[p] === label[seed]) expected[p] = 1;
      assert.deepEqual(m, expected);
      assert.deepEqual(rect, diffBox(m, data, width));
    }
  });

  test('filling a vessel with 0 erases that vessel tree only (4-connected: diagonal contacts are walls)', () => {
    const w = 6;
    const h = 4;
    // prettier-ignore
    const m = Uint8Array.from([
      1, 1, 0, 0, 0, 0,
      0, 1, 0, 0, 0, 0,
      0, 0, 1, 1, 0, 0,
      0, 0, 0, 0, 0, 1,
    ]);
    const rect = floodFill(m, w, h, 0, 0, 0);
    assert.deepEqual(rect, { x: 0, y: 0, width: 2, height: 2 });
    assert.deepEqual([...m].filter((v) => v === 1).length, 3);
  });

  test('bounds act as a wall; a seed already at the value or outside changes nothing', () => {
    const w = 50;
    const h = 40;
    const m = new Uint8Array(w * h);
    const rect = floodFill(m, w, h, 20, 20, 1, { bounds: { x: 10, y: 15, width: 20, height: 10 } });
    assert.deepEqual(rect, { x: 10, y: 15, width: 20, height: 10 });
    assert.equal(
      m.reduce((a, b) => a + b, 0),
      200,
    );
    assert.equal(floodFill(m, w, h, 20, 20, 1).width, 0);
    assert.equal(floodFill(m, w, h, -1, 3, 1).width, 0);
    assert.equal(floodFill(m, w, h, 5, 5, 1, { bounds: { x: 10, y: 15, width: 20, height: 10 } }).width, 0);
  });

  test('a full 3504x2336 background fill is a scanline fill: each maximal run written once, as one span', () => {
    // Counted, not timed: the cost is O(filled pixels + runs) when every run is found and written exactly once.
    const w = 3504;
    const h = 2336;
    const m = new Uint8Array(w * h);
    // A comb of walls makes many runs.
    for (let x = 7; x < w; x += 16) for (let y = x % 32 === 7 ? 0 : 1; y < h - 1; y++) m[y * w + x] = 1;
    let runs = 0;
    for (let p = 0; p < m.length; p++) if (m[p] === 0 && (p % w === 0 || m[p - 1] !== 0)) runs++;
    const written = new Uint8Array(w * h);
    let spans = 0;
    let rewritten = 0;
    floodFill(m, w, h, 0, 0, 1, {
      onSpan: (y, x0, x1) => {
        spans++;
        for (let p = y * w + x0; p < y * w + x1; p++) rewritten += written[p]++;
      },
    });
    assert.equal(
      m.every((v) => v === 1),
      true,
    );
    assert.equal(rewritten, 0, 'a pixel was written twice');
    assert.ok(runs > 500_000, `${runs} runs`);
    assert.equal(spans, runs, 'one span per maximal run of background pixels');
  });
});
