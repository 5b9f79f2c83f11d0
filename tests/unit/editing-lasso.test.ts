import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fillPolygon, type FillRule } from '../../renderer/src/editing/lasso.js';
import type { Point } from '../../renderer/src/editing/rect.js';
import { countOnes, diffBox, prng } from './editing-fixtures.js';

/** Winding number of `poly` around (x, y): the reference for both fill rules. */
function winding(poly: Point[], x: number, y: number): { wn: number; crossings: number } {
  let wn = 0;
  let crossings = 0;
  for (let k = 0; k < poly.length; k++) {
    const a = poly[k];
    const b = poly[(k + 1) % poly.length];
    const up = a.y <= y && b.y > y;
    const down = b.y <= y && a.y > y;
    if (!up && !down) continue;
    const cx = a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x);
    if (cx > x) {
      crossings++;
      wn += up ? 1 : -1;
    }
  }
  return { wn, crossings };
}

function reference(poly: Point[], w: number, h: number, rule: FillRule): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const { wn, crossings } = winding(poly, i + 0.5, j + 0.5);
      if (rule === 'evenodd' ? crossings % 2 === 1 : wn !== 0) m[j * w + i] = 1;
    }
  return m;
}

describe('lasso', () => {
  test('random self-intersecting polygons match the point-in-polygon reference under both rules', () => {
    const rand = prng(11);
    const w = 64;
    const h = 48;
    for (let k = 0; k < 150; k++) {
      const n = 3 + Math.floor(rand() * 12);
      const poly = Array.from({ length: n }, () => ({ x: rand() * 84 - 10, y: rand() * 68 - 10 }));
      for (const rule of ['evenodd', 'nonzero'] as const) {
        const m = new Uint8Array(w * h);
        const rect = fillPolygon(m, w, h, poly, 1, rule);
        assert.deepEqual(m, reference(poly, w, h, rule), `polygon ${k} (${rule})`);
        assert.deepEqual(rect, diffBox(m, new Uint8Array(w * h), w));
      }
    }
  });

  test('an axis-aligned square on pixel edges covers exactly its pixels; shared edges are not claimed twice', () => {
    const w = 20;
    const h = 20;
    const m = new Uint8Array(w * h);
    fillPolygon(
      m,
      w,
      h,
      [
        { x: 2, y: 3 },
        { x: 12, y: 3 },
        { x: 12, y: 8 },
        { x: 2, y: 8 },
      ],
      1,
    );
    assert.equal(countOnes(m), 50);
    const other = new Uint8Array(w * h);
    fillPolygon(
      other,
      w,
      h,
      [
        { x: 12, y: 3 },
        { x: 17, y: 3 },
        { x: 17, y: 8 },
        { x: 12, y: 8 },
      ],
      1,
    );
    for (let p = 0; p < m.length; p++) assert.ok(!(m[p] && other[p]), 'no pixel in both');
  });

  test('a pentagram: even-odd leaves the centre empty, non-zero fills it; value 0 erases', () => {
    const w = 101;
    const h = 101;
    const star = Array.from({ length: 5 }, (_, k) => {
      const a = -Math.PI / 2 + (k * 4 * Math.PI) / 5;
      return { x: 50.5 + 45 * Math.cos(a), y: 50.5 + 45 * Math.sin(a) };
    });
    const eo = new Uint8Array(w * h);
    const nz = new Uint8Array(w * h);
    fillPolygon(eo, w, h, star, 1, 'evenodd');
    fillPolygon(nz, w, h, star, 1);
    assert.equal(eo[50 * w + 50], 0);
    assert.equal(nz[50 * w + 50], 1);
    assert.ok(countOnes(nz) > countOnes(eo));
    fillPolygon(nz, w, h, star, 0);
    assert.equal(countOnes(nz), 0);
  });

  test('degenerate input: fewer than 3 points writes nothing; NaN is rejected', () => {
    const m = new Uint8Array(100);
    assert.equal(
      fillPolygon(
        m,
        10,
        10,
        [
          { x: 1, y: 1 },
          { x: 5, y: 5 },
        ],
        1,
      ).width,
      0,
    );
    assert.throws(
      () =>
        fillPolygon(
          m,
          10,
          10,
          [
            { x: 1, y: 1 },
            { x: NaN, y: 5 },
            { x: 3, y: 3 },
          ],
          1,
        ),
      /non-finite/,
    );
  });
});
