import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { clahe, claheMappings } from '../../main/ml/clahe.js';
import { createRng } from '../../main/ml/rng.js';

function randomGrey(w: number, h: number, seed: number, lo = 0, hi = 1): Float32Array {
  const r = createRng(seed);
  return Float32Array.from({ length: w * h }, () => r.uniform(lo, hi));
}

function std(v: Float32Array): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

describe('clahe', () => {
  test('every tile mapping is monotone non-decreasing within [0, 1]', () => {
    const w = 97;
    const h = 61;
    const grey = randomGrey(w, h, 1, 0.2, 0.5);
    const m = claheMappings(grey, w, h, null, { clipLimit: 2, tileGrid: 8, bins: 256 });
    assert.equal(m.gx * m.gy, 64);
    for (let t = 0; t < 64; t++) {
      const lut = m.luts.subarray(t * 256, (t + 1) * 256);
      for (let b = 1; b < 256; b++) assert.ok(lut[b] >= lut[b - 1], `tile ${t} bin ${b}`);
      assert.ok(lut[0] >= 0 && lut[255] <= 1 && Math.abs(lut[255] - 1) < 1e-5);
    }
  });

  test('within one tile the output is a monotone function of the input', () => {
    const w = 40;
    const h = 30;
    const grey = randomGrey(w, h, 2, 0.3, 0.6);
    const out = clahe(grey, w, h, null, { clipLimit: 3, tileGrid: 1, bins: 256 });
    const order = Array.from(grey.keys()).sort((a, b) => grey[a] - grey[b]);
    for (let k = 1; k < order.length; k++) assert.ok(out[order[k]] >= out[order[k - 1]]);
  });

  test('hand-computed single-tile mapping with clipping and redistribution', () => {
    // 4 bins, 8 pixels: counts [6, 2, 0, 0], clip limit 1.0 * 8 / 4 = 2 per bin.
    // Clipped [2, 2, 0, 0], excess 4 spread as 1 per bin -> [3, 3, 1, 1], cdf / 8 = [3/8, 6/8, 7/8, 1].
    const grey = Float32Array.of(0, 0, 0, 0, 0, 0, 1 / 3, 1 / 3);
    const out = clahe(grey, 8, 1, null, { clipLimit: 1, tileGrid: 1, bins: 4 });
    assert.deepEqual(Array.from(out), [3 / 8, 3 / 8, 3 / 8, 3 / 8, 3 / 8, 3 / 8, 6 / 8, 6 / 8]);
    // A huge clip limit is plain histogram equalisation: cdf [6, 8, 8, 8] / 8.
    const he = clahe(grey, 8, 1, null, { clipLimit: 100, tileGrid: 1, bins: 4 });
    assert.deepEqual(Array.from(he), [6 / 8, 6 / 8, 6 / 8, 6 / 8, 6 / 8, 6 / 8, 1, 1]);
  });

  test('raises the contrast of a low-contrast image, more with a higher clip limit', () => {
    const w = 128;
    const h = 128;
    const grey = randomGrey(w, h, 3, 0.4, 0.5);
    const low = clahe(grey, w, h, null, { clipLimit: 1.5, tileGrid: 8, bins: 256 });
    const high = clahe(grey, w, h, null, { clipLimit: 4, tileGrid: 8, bins: 256 });
    assert.ok(std(low) > 2 * std(grey));
    assert.ok(std(high) > std(low));
  });

  test('interpolation leaves no seams: a smooth ramp stays smooth across tile borders', () => {
    const w = 256;
    const h = 64;
    const grey = Float32Array.from({ length: w * h }, (_, i) => (i % w) / (w - 1));
    const cfg = { clipLimit: 8, tileGrid: 8, bins: 256 };
    const out = clahe(grey, w, h, null, cfg);
    // Unclipped, each tile stretches its own 32 grey levels over about [0, 1], so using a tile's mapping alone would jump by
    // almost 1 where two tiles meet; interpolated, neighbouring pixels differ by about one tile-level step.
    const luts = claheMappings(grey, w, h, null, cfg).luts;
    const seam = luts[0 * 256 + 31] - luts[1 * 256 + 32];
    assert.ok(seam > 0.8, `uninterpolated seam ${seam}`);
    let maxStep = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 1; x < w; x++) maxStep = Math.max(maxStep, Math.abs(out[y * w + x] - out[y * w + x - 1]));
    }
    assert.ok(maxStep < 0.05, `max step ${maxStep}`);
  });

  test('FOV: only FOV pixels enter histograms; near-empty tiles fall back to the whole-FOV mapping', () => {
    const w = 64;
    const h = 64;
    const grey = randomGrey(w, h, 4);
    const fov = new Uint8Array(w * h);
    for (let y = 8; y < 56; y++) for (let x = 8; x < 56; x++) fov[y * w + x] = 1;
    fov[0] = 1; // a single FOV pixel in the top-left tile
    const m = claheMappings(grey, w, h, fov, { clipLimit: 2, tileGrid: 8, bins: 64 });
    assert.equal(m.counts[0], 1);
    assert.equal(m.fallback[0], 1);
    assert.equal(m.fallback[9], 0); // tile (1,1) is fully inside
    assert.equal(m.counts[9], 64);
    // Changing pixels outside the FOV changes no mapping.
    const grey2 = grey.slice();
    for (let i = 0; i < grey2.length; i++) if (!fov[i]) grey2[i] = 1 - grey2[i];
    const m2 = claheMappings(grey2, w, h, fov, { clipLimit: 2, tileGrid: 8, bins: 64 });
    assert.deepEqual(m2.luts, m.luts);
  });

  test('tiny images and bad arguments', () => {
    const grey = Float32Array.of(0.1, 0.9, 0.5);
    // One tile: the mapping is the plain cdf.
    const one = clahe(grey, 3, 1, null, { clipLimit: 2, tileGrid: 1, bins: 256 });
    [1 / 3, 1, 2 / 3].forEach((v, i) => assert.ok(Math.abs(one[i] - v) < 1e-6));
    // More tiles than pixels: the grid shrinks to one tile per pixel column.
    const many = clahe(grey, 3, 1, null, { clipLimit: 2, tileGrid: 8, bins: 256 });
    assert.ok(many.every((v) => v >= 0 && v <= 1));
    assert.throws(
      () => clahe(new Float32Array(5), 2, 2, null, { clipLimit: 2, tileGrid: 2, bins: 256 }),
      /5 values/,
    );
    assert.throws(
      () => clahe(new Float32Array(4), 2, 2, null, { clipLimit: 2, tileGrid: 0, bins: 256 }),
      /tileGrid/,
    );
  });
});
