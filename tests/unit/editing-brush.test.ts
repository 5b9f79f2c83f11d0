import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { strokeSegment, stampDisc, type BrushWork } from '../../renderer/src/editing/brush.js';
import { countOnes, diffBox, prng, referenceComponents } from './editing-fixtures.js';

/** Distance from point p to segment ab: the definition the rasteriser must match. */
function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function reference(
  w: number,
  h: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: number,
): Uint8Array {
  const m = new Uint8Array(w * h);
  const rr = Math.max(r, 0.5);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++)
      if (distToSegment(i + 0.5, j + 0.5, ax, ay, bx, by) <= rr + 1e-9) m[j * w + i] = 1;
  for (const [x, y] of [
    [ax, ay],
    [bx, by],
  ]) {
    const i = Math.floor(x);
    const j = Math.floor(y);
    if (i >= 0 && j >= 0 && i < w && j < h) m[j * w + i] = 1;
  }
  return m;
}

describe('brush', () => {
  test('capsules match the per-pixel distance definition exactly (random segments, some off the mask)', () => {
    const rand = prng(7);
    const w = 61;
    const h = 47;
    for (let k = 0; k < 400; k++) {
      const ax = rand() * 80 - 10;
      const ay = rand() * 66 - 10;
      // Mix long strokes, short ones and zero-length clicks.
      const bx = k % 5 === 0 ? ax : ax + (rand() - 0.5) * (k % 2 ? 80 : 6);
      const by = k % 5 === 0 ? ay : ay + (rand() - 0.5) * (k % 2 ? 80 : 6);
      const r = k % 7 === 0 ? 0.2 : rand() * 8;
      const m = new Uint8Array(w * h);
      const rect = strokeSegment(m, w, h, { x: ax, y: ay }, { x: bx, y: by }, r, 1);
      const ref = reference(w, h, ax, ay, bx, by, r);
      assert.deepEqual(m, ref, `segment ${k}: (${ax},${ay})-(${bx},${by}) r=${r}`);
      assert.deepEqual(rect, diffBox(m, new Uint8Array(w * h), w), `dirty rect of segment ${k}`);
    }
  });

  test('integer radius at a pixel centre gives the textbook digital disc', () => {
    const m = new Uint8Array(21 * 21);
    stampDisc(m, 21, 21, { x: 10.5, y: 10.5 }, 1, 1);
    assert.equal(countOnes(m), 5); // centre plus 4 neighbours at distance exactly 1
    m.fill(0);
    stampDisc(m, 21, 21, { x: 10.5, y: 10.5 }, 3, 1);
    // Lattice points within distance 3 of the origin: Gauss circle N(3) = 29.
    assert.equal(countOnes(m), 29);
  });

  test('a fast stroke sampled sparsely equals the same line sampled densely, and is one 8-connected piece', () => {
    // r >= sqrt(2)/2 so the always-paint-the-endpoint-pixel rule adds nothing the capsules do not cover.
    const r = 0.75;
    const w = 300;
    const h = 200;
    const sparse = new Uint8Array(w * h);
    const dense = new Uint8Array(w * h);
    const pts = [
      { x: 3.2, y: 5.7 },
      { x: 290.4, y: 190.1 },
      { x: 10.9, y: 150.3 },
    ];
    for (let k = 0; k + 1 < pts.length; k++) {
      strokeSegment(sparse, w, h, pts[k], pts[k + 1], r, 1);
      for (let s = 0; s < 200; s++) {
        const a = s / 200;
        const b = (s + 1) / 200;
        const lerp = (t: number) => ({
          x: pts[k].x + t * (pts[k + 1].x - pts[k].x),
          y: pts[k].y + t * (pts[k + 1].y - pts[k].y),
        });
        strokeSegment(dense, w, h, lerp(a), lerp(b), r, 1);
      }
    }
    assert.deepEqual(sparse, dense);
    assert.equal(referenceComponents(sparse, w, h, 1, true).sizes.length, 1);
    // The thinnest brush (r = 0.5) over the same sparse samples is still one 8-connected piece.
    const thin = new Uint8Array(w * h);
    for (let k = 0; k + 1 < pts.length; k++) strokeSegment(thin, w, h, pts[k], pts[k + 1], 0.5, 1);
    assert.equal(referenceComponents(thin, w, h, 1, true).sizes.length, 1);
  });

  test('eraser writes 0 and only inside the capsule; onSpan sees every run before it is written', () => {
    const w = 40;
    const h = 30;
    const m = new Uint8Array(w * h).fill(1);
    const seen = new Uint8Array(w * h);
    const rect = strokeSegment(m, w, h, { x: 5, y: 5 }, { x: 30, y: 20 }, 2.5, 0, (y, x0, x1) => {
      for (let x = x0; x < x1; x++) {
        assert.equal(m[y * w + x], 1, 'hook runs before the write');
        seen[y * w + x] = 1;
      }
    });
    const erased = m.map((v) => 1 - v);
    assert.deepEqual(seen, erased);
    assert.ok(rect.width > 0 && rect.x >= 0 && rect.x + rect.width <= w);
    assert.equal(countOnes(erased), countOnes(reference(w, h, 5, 5, 30, 20, 2.5)));
  });

  test('rejects a mask of the wrong size and non-finite input', () => {
    assert.throws(
      () => strokeSegment(new Uint8Array(10), 4, 4, { x: 0, y: 0 }, { x: 1, y: 1 }, 1, 1),
      /expected 4x4/,
    );
    assert.throws(() => stampDisc(new Uint8Array(16), 4, 4, { x: NaN, y: 0 }, 1, 1), /non-finite/);
  });

  test('cost follows the painted area: a full-diagonal stroke on a 3504x2336 mask', () => {
    // Counted, not timed (the timing is in bench/ui.bench.ts): wall-clock limits flake on a loaded machine.
    const w = 3504;
    const h = 2336;
    const m = new Uint8Array(w * h);
    const work: BrushWork = { rows: 0, pixels: 0 };
    const rect = strokeSegment(m, w, h, { x: 0, y: 0 }, { x: w, y: h }, 6, 1, undefined, work);
    const painted = countOnes(m);
    const box = rect.width * rect.height;
    assert.ok(painted > 40_000 && painted < 60_000, `painted ${painted}`);
    // Each row's run is written once, plus a read of each endpoint's pixel: nothing else is touched.
    assert.ok(
      work.pixels >= painted && work.pixels <= painted + 2,
      `touched ${work.pixels} pixels to paint ${painted}`,
    );
    assert.ok(work.rows <= rect.height + 2, `examined ${work.rows} rows of ${rect.height}`);
    // A bounding-box scan would touch every pixel of the box, about 8 M.
    assert.ok(work.pixels * 50 < box, `touched ${work.pixels} pixels of a ${box}-pixel bounding box`);
    // Erasing the same stroke costs the same.
    const again: BrushWork = { rows: 0, pixels: 0 };
    strokeSegment(m, w, h, { x: 0, y: 0 }, { x: w, y: h }, 6, 0, undefined, again);
    assert.deepEqual(again, work);
    assert.equal(countOnes(m), 0);
  });
});
