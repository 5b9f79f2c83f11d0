// Area-weighted coverage of 0/1 layers (shared/measure/coverage.ts), which the fractal dimension counts boxes on:
// each output pixel is the share of its area that the layer covers, checked against a direct integral written here
// (the overlap of every input pixel with every output pixel), on several layers at once, shrinking and enlarging;
// and the fractal dimensions of layers counted together equal each layer's counted alone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { layerCoverage } from '../../../shared/measure/coverage.js';
import { fractalDimension, fractalDimensions } from '../../../shared/measure/fractal.js';

/** A reproducible pseudo-random 0..255 byte per pixel. */
function noise(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

/** The covered share of output pixel (ox, oy): the overlap area of every input pixel in the layer, over its area. */
function integral(
  layer: Uint8Array,
  w: number,
  h: number,
  outW: number,
  outH: number,
  ox: number,
  oy: number,
) {
  const [sx, sy] = [w / outW, h / outH];
  const overlap = (a0: number, a1: number, b0: number, b1: number) =>
    Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  let covered = 0;
  for (let y = 0; y < h; y++) {
    const fy = overlap(y, y + 1, oy * sy, Math.min(h, (oy + 1) * sy));
    if (fy === 0) continue;
    for (let x = 0; x < w; x++) {
      if (!layer[y * w + x]) continue;
      covered += fy * overlap(x, x + 1, ox * sx, Math.min(w, (ox + 1) * sx));
    }
  }
  return covered / ((Math.min(w, (ox + 1) * sx) - ox * sx) * (Math.min(h, (oy + 1) * sy) - oy * sy));
}

describe('layer coverage', () => {
  for (const [w, h, outW, outH] of [
    [97, 61, 40, 25],
    [50, 50, 17, 23],
    [20, 13, 33, 29],
  ]) {
    test(`each of three layers, ${w}x${h} to ${outW}x${outH}, is its area-weighted share`, () => {
      const bytes = noise(w * h, w * 31 + h);
      // Layer 0 dense, layer 1 sparse, layer 2 empty: bits as mapMeasures packs them.
      const bits = bytes.map((v) => (v < 128 ? 1 : 0) | (v < 20 ? 2 : 0));
      const maps = layerCoverage(bits, 3, w, h, outW, outH);
      assert.equal(maps.length, 3);
      for (const [l, map] of maps.entries()) {
        assert.deepEqual([map.width, map.height], [outW, outH]);
        const layer = bits.map((b) => (b >> l) & 1);
        for (let oy = 0; oy < outH; oy++)
          for (let ox = 0; ox < outW; ox++) {
            const want = integral(layer, w, h, outW, outH, ox, oy);
            const got = map.data[oy * outW + ox];
            assert.ok(Math.abs(got - want) < 1e-5, `layer ${l} (${ox}, ${oy}): ${got}, want ${want}`);
          }
      }
      assert.ok(maps[2].data.every((v) => v === 0));
    });
  }

  test('more than 8 layers do not fit a byte', () => {
    assert.throws(() => layerCoverage(new Uint8Array(4), 9, 2, 2, 1, 1), /1 to 8 layers/);
  });

  test('fractal dimensions counted together equal each counted alone', () => {
    const [w, h] = [700, 500];
    const bytes = noise(w * h, 5);
    // Nested and disjoint layers of a noisy pattern with a line through it.
    const bits = bytes.map(
      (v, i) => (v < 40 || i % w === 350 ? 1 : 0) | (v < 10 ? 2 : 0) | (v > 250 ? 4 : 0),
    );
    const together = fractalDimensions(bits, 3, w, h, 600);
    for (let l = 0; l < 3; l++) {
      const alone = fractalDimension(
        bits.map((b) => (b >> l) & 1),
        w,
        h,
        600,
      );
      assert.deepEqual(together[l], alone, `layer ${l}`);
    }
  });
});
