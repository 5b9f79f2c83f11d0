import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import {
  TileBlender,
  blendTiles,
  blendWindow,
  extractTile,
  samplePatchBatch,
  tileGrid,
  type PreparedSample,
} from '../../main/ml/image/patches.js';
import { DEFAULT_AUGMENT } from '../../main/ml/image/augment.js';
import { DEFAULT_PREPROCESS, preprocessImage } from '../../main/ml/image/preprocess.js';
import { createRng } from '../../main/ml/rng.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

async function readChannel(file: string, channel: number) {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels + channel];
  return {
    width: info.width,
    height: info.height,
    data: out,
    rgb: new Uint8Array(data),
    channels: info.channels,
  };
}

async function driveSample(n: number): Promise<PreparedSample> {
  const dir = path.join(datasets, 'DRIVE/training');
  const img = await readChannel(path.join(dir, `images/${n}_training.tif`), 1);
  const fov = await readChannel(path.join(dir, `mask/${n}_training_mask.gif`), 0);
  const man = await readChannel(path.join(dir, `1st_manual/${n}_manual1.gif`), 0);
  const fovBin = fov.data.map((v) => (v > 127 ? 1 : 0));
  const image = preprocessImage(
    { width: img.width, height: img.height, channels: 3, bitDepth: 8, data: img.rgb },
    { width: img.width, height: img.height, data: fovBin },
    DEFAULT_PREPROCESS,
  );
  return {
    id: `drive-${n}`,
    width: img.width,
    height: img.height,
    image,
    mask: man.data.map((v) => (v > 127 ? 1 : 0)),
    fov: fovBin,
  };
}

/** Synthetic sample whose image value encodes the pixel index; FOV is a centred disc, vessels a cross. */
function synthetic(width: number, height: number): PreparedSample {
  const n = width * height;
  const fov = new Uint8Array(n);
  const mask = new Uint8Array(n);
  const r = Math.min(width, height) / 2 - 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      fov[i] = (x - width / 2) ** 2 + (y - height / 2) ** 2 < r * r ? 1 : 0;
      mask[i] = fov[i] && (x === Math.floor(width / 2) || y === Math.floor(height / 2)) ? 1 : 0;
    }
  }
  return { id: 'syn', width, height, image: Float32Array.from({ length: n }, (_, i) => i), mask, fov };
}

describe('samplePatchBatch', () => {
  test('shapes, binary targets, weights follow the FOV; unaugmented patches are exact crops', () => {
    const s = synthetic(60, 50);
    const P = 16;
    const batch = samplePatchBatch([s], 12, P, createRng(1), { augment: null });
    assert.equal(batch.x.length, 12 * P * P);
    assert.equal(batch.y.length, 12 * P * P);
    assert.equal(batch.w.length, 12 * P * P);
    for (let k = 0; k < 12; k++) {
      // Image values are pixel indices, so the centre pixel tells where the patch came from.
      const c = batch.x[k * P * P + (P / 2) * P + P / 2];
      assert.equal(s.fov[c], 1, 'centre inside the FOV');
      const cx = c % 60;
      const cy = (c - cx) / 60;
      for (let v = 0; v < P; v++) {
        for (let u = 0; u < P; u++) {
          const sx = cx - P / 2 + u;
          const sy = cy - P / 2 + v;
          const o = k * P * P + v * P + u;
          const inside = sx >= 0 && sy >= 0 && sx < 60 && sy < 50;
          assert.equal(batch.x[o], inside ? sy * 60 + sx : 0);
          assert.equal(batch.y[o], inside ? s.mask[sy * 60 + sx] : 0);
          assert.equal(batch.w[o], inside ? s.fov[sy * 60 + sx] : 0);
        }
      }
    }
  });

  test('same seed, same batch; vesselFraction 1 centres every patch on a vessel', () => {
    const s = synthetic(80, 80);
    const a = samplePatchBatch([s], 8, 32, createRng(2), { augment: DEFAULT_AUGMENT, vesselFraction: 0.5 });
    const b = samplePatchBatch([s], 8, 32, createRng(2), { augment: DEFAULT_AUGMENT, vesselFraction: 0.5 });
    assert.deepEqual(a, b);
    const v = samplePatchBatch([s], 20, 32, createRng(3), { augment: null, vesselFraction: 1 });
    for (let k = 0; k < 20; k++) assert.equal(v.y[k * 1024 + 16 * 32 + 16], 1);
    assert.throws(
      () => samplePatchBatch([s], 4, 32, createRng(3), { augment: null, vesselFraction: 2 }),
      /vesselFraction/,
    );
    assert.throws(() => samplePatchBatch([], 4, 32, createRng(3), { augment: null }), /no samples/);
  });

  test('on real DRIVE images: vessel share of patch centres follows vesselFraction; timing', async () => {
    const samples = await Promise.all([21, 22].map(driveSample));
    const P = 48;
    const centreVessel = (frac: number) => {
      const b = samplePatchBatch(samples, 400, P, createRng(4), { augment: null, vesselFraction: frac });
      let hits = 0;
      for (let k = 0; k < 400; k++) {
        const o = k * P * P + (P / 2) * P + P / 2;
        assert.equal(b.w[o], 1);
        hits += b.y[o];
      }
      return hits / 400;
    };
    // About 12-14% of DRIVE FOV pixels are vessel.
    const base = centreVessel(0);
    assert.ok(base > 0.05 && base < 0.25, `vessel share ${base}`);
    const half = centreVessel(0.5);
    assert.ok(half >= 0.5 && half < 0.5 + 0.5 * 0.25, `vessel share ${half}`);
    assert.equal(centreVessel(1), 1);

    const t0 = performance.now();
    const aug = samplePatchBatch(samples, 64, 64, createRng(5), {
      augment: DEFAULT_AUGMENT,
      vesselFraction: 0.3,
    });
    const ms = performance.now() - t0;
    assert.ok(aug.x.every(Number.isFinite));
    console.log(`64 augmented 64x64 patches from DRIVE: ${ms.toFixed(1)} ms`);
  });
});

describe('tiles', () => {
  function coverage(width: number, height: number, tile: number, overlap: number) {
    const g = tileGrid(width, height, tile, overlap);
    const count = new Uint16Array(width * height);
    for (const t of g.tiles) {
      for (let y = t.y; y < Math.min(t.y + tile, height); y++) {
        for (let x = t.x; x < Math.min(t.x + tile, width); x++) count[y * width + x]++;
      }
    }
    return { g, count };
  }

  test('tiles cover every pixel, stay inside larger images and respect the overlap', () => {
    for (const [w, h, tile, ov] of [
      [565, 584, 256, 32],
      [700, 605, 128, 16],
      [3504, 2336, 512, 64],
      [100, 40, 128, 32], // smaller than a tile
      [256, 256, 256, 0],
      [257, 300, 64, 0],
    ]) {
      const { g, count } = coverage(w, h, tile, ov);
      assert.ok(
        count.every((c) => c >= 1),
        `${w}x${h} tile ${tile}`,
      );
      const xs = [...new Set(g.tiles.map((t) => t.x))].sort((a, b) => a - b);
      const ys = [...new Set(g.tiles.map((t) => t.y))].sort((a, b) => a - b);
      assert.equal(g.tiles.length, xs.length * ys.length);
      for (const [starts, len] of [
        [xs, w],
        [ys, h],
      ] as const) {
        assert.equal(starts[0], 0);
        if (len >= tile) assert.equal(starts[starts.length - 1] + tile, len);
        for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] <= tile - ov);
      }
    }
    assert.throws(() => tileGrid(100, 100, 100, 0), /multiple of 16/);
    assert.throws(() => tileGrid(100, 100, 64, 64), /overlap/);
  });

  test('blending constant tiles gives that constant everywhere', () => {
    for (const [w, h, tile, ov] of [
      [565, 584, 256, 48],
      [50, 70, 64, 16],
    ]) {
      const g = tileGrid(w, h, tile, ov);
      const preds = new Float32Array(g.tiles.length * tile * tile).fill(0.37);
      const out = blendTiles(g, preds);
      assert.equal(out.length, w * h);
      assert.ok(out.every((v) => Math.abs(v - 0.37) < 1e-6));
    }
  });

  test('tiles extracted from an image and blended back reproduce it; the window is never zero', () => {
    const w = 300;
    const h = 170;
    const img = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 0.01) + (i % 7));
    const g = tileGrid(w, h, 128, 32);
    const blender = new TileBlender(g);
    g.tiles.forEach((t, i) => blender.add(i, extractTile(img, w, h, t.x, t.y, 128)));
    const out = blender.result();
    for (let i = 0; i < img.length; i++) assert.ok(Math.abs(out[i] - img[i]) < 1e-4);
    const win = blendWindow(128, 32);
    assert.ok(win.every((v) => v > 0 && v <= 1));
    assert.equal(win[64], 1);
    assert.ok(win[0] < win[10] && win[10] < win[31]);
  });

  test('images smaller than a tile are padded by reflection', () => {
    const img = Float32Array.of(1, 2, 3, 4, 5, 6); // 3x2
    const t = extractTile(img, 3, 2, 0, 0, 16);
    assert.deepEqual(Array.from(t.subarray(0, 6)), [1, 2, 3, 2, 1, 2]);
    assert.deepEqual(Array.from(t.subarray(16, 22)), [4, 5, 6, 5, 4, 5]);
    assert.deepEqual(Array.from(t.subarray(32, 35)), [1, 2, 3]); // row 2 reflects to row 0
    const g = tileGrid(3, 2, 16, 0);
    assert.equal(g.tiles.length, 1);
    assert.deepEqual(Array.from(blendTiles(g, t)), Array.from(img));
  });
});
