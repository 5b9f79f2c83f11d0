// Whole-image inference: tiling with overlap blending must give the same map as one pass for a network whose
// output depends on each pixel alone, at any image size, and never hold more than a tile batch in the predictor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictProbability, segmentImage, maskImage, probabilityImage } from '../../main/ml/infer.js';
import type { ModelManifest, Predictor, RasterImage } from '../../main/ml/types.js';

/** A per-pixel "network" (a logistic of the input), recording the largest batch it was given. */
function pointwisePredictor(): Predictor & { maxValues: number; calls: number } {
  const p = {
    engine: 'tfjs' as const,
    maxValues: 0,
    calls: 0,
    async predict(input: Float32Array, n: number, h: number, w: number, c: number) {
      assert.equal(input.length, n * h * w * c);
      assert.equal(h % 16, 0);
      assert.equal(w % 16, 0);
      p.maxValues = Math.max(p.maxValues, input.length);
      p.calls++;
      return input.map((v) => 1 / (1 + Math.exp(-v)));
    },
    dispose() {},
  };
  return p;
}

function ramp(width: number, height: number): Float32Array {
  const x = new Float32Array(width * height);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 3 + ((i % width) / width - 0.5);
  return x;
}

test('tiled inference equals the single pass for a pointwise network, with bounded batches', async () => {
  for (const [w, h] of [
    [565, 584],
    [1201, 777],
    [40, 33],
  ]) {
    const x = ramp(w, h);
    const single = await predictProbability(x, w, h, 16, pointwisePredictor(), {
      singlePassMaxPixels: Infinity,
    });
    const tiledPredictor = pointwisePredictor();
    const tiled = await predictProbability(x, w, h, 16, tiledPredictor, {
      singlePassMaxPixels: 0,
      tileSize: 128,
      tileOverlap: 32,
      tileBatch: 2,
    });
    assert.equal(tiled.length, w * h);
    let maxDiff = 0;
    for (let i = 0; i < tiled.length; i++) maxDiff = Math.max(maxDiff, Math.abs(tiled[i] - single[i]));
    assert.ok(maxDiff < 1e-6, `${w}x${h}: max diff ${maxDiff}`);
    assert.ok(tiledPredictor.maxValues <= 2 * 128 * 128, 'never more than one tile batch at once');
    for (let i = 0; i < tiled.length; i++) assert.ok(Math.abs(tiled[i] - 1 / (1 + Math.exp(-x[i]))) < 1e-6);
  }
});

test('segmentImage thresholds at the model threshold, zeroes outside the FOV and keeps the exact size', async () => {
  const width = 97;
  const height = 61;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data[i * 3 + 1] = (i * 7) % 256;
  const image: RasterImage = { width, height, channels: 3, bitDepth: 8, data };
  const fov = { width, height, data: new Uint8Array(width * height).fill(1) };
  fov.data.fill(0, 0, width * 10); // top ten rows outside the FOV
  const manifest = {
    architecture: { depth: 4 },
    preprocess: { channel: 'green', clahe: null, gamma: 1, normalise: 'unit' },
    threshold: 0.6,
  } as unknown as ModelManifest;
  const seg = await segmentImage(image, manifest, pointwisePredictor(), { fov });
  assert.equal(seg.prob.length, width * height);
  for (let i = 0; i < width * 10; i++) assert.equal(seg.prob[i], 0);
  for (let i = 0; i < seg.prob.length; i++) assert.equal(seg.mask[i], seg.prob[i] >= 0.6 ? 1 : 0);
  const m = maskImage(seg);
  const p = probabilityImage(seg);
  assert.equal(m.bitDepth, 8);
  assert.equal(p.bitDepth, 16);
  assert.deepEqual(new Set(m.data), new Set([0, 255]));
  await assert.rejects(
    segmentImage(image, manifest, pointwisePredictor(), {
      fov: { width: 1, height: 1, data: new Uint8Array(1) },
    }),
    /FOV mask is 1x1 but the image is 97x61/,
  );
});

test('test-time flips average the flipped predictions back in place', async () => {
  const { flipImage } = await import('../../main/ml/infer.js');
  const w = 5;
  const h = 3;
  const x = Float32Array.from({ length: w * h }, (_, i) => i);
  assert.deepEqual(Array.from(flipImage(x, w, h, true, false).subarray(0, 5)), [4, 3, 2, 1, 0]);
  assert.deepEqual(Array.from(flipImage(x, w, h, false, true).subarray(0, 5)), [10, 11, 12, 13, 14]);
  assert.deepEqual(flipImage(flipImage(x, w, h, true, true), w, h, true, true), x);
  // A pointwise network is flip-equivariant, so the flip average equals the plain prediction.
  const width = 70;
  const height = 50;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data[i * 3 + 1] = (i * 13) % 256;
  const image: RasterImage = { width, height, channels: 3, bitDepth: 8, data };
  const fov = { width, height, data: new Uint8Array(width * height).fill(1) };
  const manifest = {
    architecture: { depth: 4 },
    preprocess: { channel: 'green', clahe: null, gamma: 1, normalise: 'unit' },
    threshold: 0.6,
  } as unknown as ModelManifest;
  const plain = await segmentImage(image, manifest, pointwisePredictor(), { fov });
  const counting = pointwisePredictor();
  const flipped = await segmentImage(image, { ...manifest, testTimeFlips: true }, counting, { fov });
  assert.equal(counting.calls, 4);
  for (let i = 0; i < plain.prob.length; i++) assert.ok(Math.abs(plain.prob[i] - flipped.prob[i]) < 1e-6);
});
