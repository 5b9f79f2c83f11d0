import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import {
  DEFAULT_PREPROCESS,
  PreprocessConfigError,
  preprocessImage,
  toGrey,
  validatePreprocessConfig,
} from '../../main/ml/image/preprocess.js';
import type { BinaryMap, PreprocessConfig, RasterImage } from '../../main/ml/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

async function readRaster(file: string): Promise<RasterImage> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels as 1 | 2 | 3 | 4,
    bitDepth: 8,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

async function readBinary(file: string): Promise<BinaryMap> {
  const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i] > 127 ? 1 : 0;
  return { width: info.width, height: info.height, data: out };
}

function rgb(
  width: number,
  height: number,
  f: (x: number, y: number) => [number, number, number],
): RasterImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 3);
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}

function fullFov(width: number, height: number): BinaryMap {
  return { width, height, data: new Uint8Array(width * height).fill(1) };
}

const plain: PreprocessConfig = { channel: 'green', clahe: null, gamma: 1, normalise: 'unit' };

function meanStd(v: Float32Array, mask: Uint8Array): { mean: number; std: number } {
  let s = 0;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    if (mask[i]) {
      s += v[i];
      n++;
    }
  }
  const mean = s / n;
  let q = 0;
  for (let i = 0; i < v.length; i++) if (mask[i]) q += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / n) };
}

describe('grey extraction', () => {
  test('green, luminance, grey, alpha and 16-bit inputs', () => {
    const img = rgb(2, 1, (x) => (x === 0 ? [255, 51, 0] : [0, 0, 255]));
    assert.deepEqual(Array.from(toGrey(img, 'green')), [51 / 255, 0].map(Math.fround));
    const lum = toGrey(img, 'luminance');
    assert.ok(Math.abs(lum[0] - (0.299 * 255 + 0.587 * 51) / 255) < 1e-6);
    assert.ok(Math.abs(lum[1] - 0.114) < 1e-6);

    const rgba: RasterImage = {
      width: 1,
      height: 1,
      channels: 4,
      bitDepth: 8,
      data: Uint8Array.of(10, 20, 30, 0),
    };
    assert.equal(toGrey(rgba, 'green')[0], Math.fround(20 / 255));
    const grey: RasterImage = { width: 2, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.of(0, 255) };
    assert.deepEqual(Array.from(toGrey(grey, 'green')), [0, 1]);
    const greyAlpha: RasterImage = {
      width: 1,
      height: 1,
      channels: 2,
      bitDepth: 8,
      data: Uint8Array.of(102, 255),
    };
    assert.equal(toGrey(greyAlpha, 'luminance')[0], Math.fround(0.4));
    const deep: RasterImage = {
      width: 1,
      height: 1,
      channels: 3,
      bitDepth: 16,
      data: Uint16Array.of(0, 65535, 0),
    };
    assert.equal(toGrey(deep, 'green')[0], 1);
  });

  test('bad rasters are rejected with a clear message', () => {
    const bad: RasterImage = { width: 2, height: 2, channels: 3, bitDepth: 8, data: new Uint8Array(5) };
    assert.throws(() => toGrey(bad, 'green'), /5 values, expected 12/);
    const img = rgb(3, 3, () => [0, 0, 0]);
    assert.throws(() => preprocessImage(img, fullFov(3, 2), DEFAULT_PREPROCESS), /FOV is 3x2, image is 3x3/);
  });
});

describe('preprocessImage', () => {
  test('unit normalisation without CLAHE: the green channel in [0,1], zero outside the FOV', () => {
    const img = rgb(3, 2, (x, y) => [200, 50 * x + 10 * y, 7]);
    const fov: BinaryMap = { width: 3, height: 2, data: Uint8Array.of(1, 1, 1, 1, 1, 0) };
    const out = preprocessImage(img, fov, plain);
    const expect = [0, 50, 100, 10, 60, 0].map((v) => Math.fround(v / 255));
    assert.deepEqual(Array.from(out), expect);
  });

  test('gamma is applied to [0,1] intensities', () => {
    const img = rgb(2, 1, (x) => [0, x === 0 ? 51 : 204, 0]);
    const out = preprocessImage(img, fullFov(2, 1), { ...plain, gamma: 2 });
    assert.ok(Math.abs(out[0] - 0.04) < 1e-6);
    assert.ok(Math.abs(out[1] - 0.64) < 1e-6);
  });

  test('fov-zscore: hand-computed values, zero outside the FOV', () => {
    // FOV values 0, 51, 102, 153 (/255 = 0, .2, .4, .6): mean .3, population std sqrt(.05).
    const img = rgb(5, 1, (x) => [0, x === 4 ? 255 : 51 * x, 0]);
    const fov: BinaryMap = { width: 5, height: 1, data: Uint8Array.of(1, 1, 1, 1, 0) };
    const out = preprocessImage(img, fov, { ...plain, normalise: 'fov-zscore' });
    const sd = Math.sqrt(0.05);
    [-0.3, -0.1, 0.1, 0.3].forEach((d, i) =>
      assert.ok(Math.abs(out[i] - d / sd) < 1e-5, `pixel ${i}: ${out[i]}`),
    );
    assert.equal(out[4], 0);
  });

  test('a flat FOV is centred, not divided by zero; an empty FOV means the whole image', () => {
    const flat = preprocessImage(
      rgb(4, 4, () => [9, 9, 9]),
      fullFov(4, 4),
      DEFAULT_PREPROCESS,
    );
    assert.ok(flat.every((v) => Math.abs(v) < 1e-6));
    const img = rgb(32, 16, (x, y) => [0, (7 * x + 3 * y) % 256, 0]);
    const none = preprocessImage(
      img,
      { width: 32, height: 16, data: new Uint8Array(512) },
      DEFAULT_PREPROCESS,
    );
    const all = preprocessImage(img, fullFov(32, 16), DEFAULT_PREPROCESS);
    assert.deepEqual(none, all);
    assert.ok(none.some((v) => v !== 0));
  });

  test('pixels outside the FOV influence nothing (FOV-aware CLAHE) and come out 0', () => {
    const w = 64;
    const h = 48;
    const fovData = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) fovData[y * w + x] = (x - 32) ** 2 + (y - 24) ** 2 < 20 ** 2 ? 1 : 0;
    }
    const fov = { width: w, height: h, data: fovData };
    const inside = (x: number, y: number) => (x * 7 + y * 13 + ((x * y) % 11) * 9) % 256;
    const a = rgb(w, h, (x, y) => [0, fovData[y * w + x] ? inside(x, y) : 0, 0]);
    const b = rgb(w, h, (x, y) => [0, fovData[y * w + x] ? inside(x, y) : 255 - ((x + y) % 50), 0]);
    const cfg: PreprocessConfig = { ...DEFAULT_PREPROCESS, clahe: { clipLimit: 2, tileGrid: 4 } };
    const oa = preprocessImage(a, fov, cfg);
    const ob = preprocessImage(b, fov, cfg);
    assert.deepEqual(oa, ob);
    for (let i = 0; i < w * h; i++) if (!fovData[i]) assert.equal(oa[i], 0);
    const { mean, std } = meanStd(oa, fovData);
    assert.ok(Math.abs(mean) < 1e-5 && Math.abs(std - 1) < 1e-4);
  });

  test('identical input gives identical output', () => {
    const img = rgb(40, 30, (x, y) => [x, (x * y) % 256, y]);
    const fov = fullFov(40, 30);
    assert.deepEqual(
      preprocessImage(img, fov, DEFAULT_PREPROCESS),
      preprocessImage(img, fov, DEFAULT_PREPROCESS),
    );
  });

  test('an 8-bit photograph saved in 16 bits preprocesses exactly as the 8-bit file, CLAHE included', async () => {
    const img8 = await readRaster(path.join(datasets, 'DRIVE/test/images/01_test.tif'));
    const img16: RasterImage = { ...img8, bitDepth: 16, data: Uint16Array.from(img8.data, (v) => v * 257) };
    const fov = fullFov(img8.width, img8.height);
    assert.deepEqual(
      preprocessImage(img16, fov, DEFAULT_PREPROCESS),
      preprocessImage(img8, fov, DEFAULT_PREPROCESS),
    );
  });

  test('16-bit input gives the same result as the equivalent 8-bit input (without CLAHE)', () => {
    const img8 = rgb(5, 3, (x, y) => [x, 17 * x + 40 * y, y]);
    const img16: RasterImage = { ...img8, bitDepth: 16, data: Uint16Array.from(img8.data, (v) => v * 257) };
    const cfg: PreprocessConfig = { ...plain, normalise: 'fov-zscore', gamma: 1.2 };
    const a = preprocessImage(img8, fullFov(5, 3), cfg);
    const b = preprocessImage(img16, fullFov(5, 3), cfg);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5));
  });
});

describe('validatePreprocessConfig', () => {
  test('accepts valid configs and returns a copy', () => {
    const v = validatePreprocessConfig(JSON.parse(JSON.stringify(DEFAULT_PREPROCESS)));
    assert.deepEqual(v, DEFAULT_PREPROCESS);
    assert.deepEqual(validatePreprocessConfig(plain), plain);
  });

  test('rejects bad values with a one-line message naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /expected an object/],
      [{ ...plain, channel: 'red' }, /channel must be/],
      [{ ...plain, gamma: 0 }, /gamma must be a positive number/],
      [{ ...plain, gamma: '1' }, /gamma/],
      [{ ...plain, normalise: 'minmax' }, /normalise must be/],
      [{ ...plain, clahe: { clipLimit: 2, tileGrid: 0 } }, /clahe.tileGrid/],
      [{ ...plain, clahe: { clipLimit: -1, tileGrid: 8 } }, /clahe.clipLimit/],
      [{ ...plain, clahe: { clipLimit: 2 } }, /missing key clahe.tileGrid/],
      [{ ...plain, extra: 1 }, /unknown key extra/],
      [{ channel: 'green', clahe: null, gamma: 1 }, /missing key normalise/],
    ];
    for (const [input, re] of cases) {
      assert.throws(
        () => validatePreprocessConfig(input),
        (e: unknown) => e instanceof PreprocessConfigError && re.test(e.message) && !e.message.includes('\n'),
        JSON.stringify(input),
      );
    }
  });
});

describe('on real DRIVE images', () => {
  const dir = path.join(datasets, 'DRIVE/training');

  test('z-scored inside the FOV, CLAHE sharpens vessel contrast; timings', async () => {
    const image = await readRaster(path.join(dir, 'images/21_training.tif'));
    const fov = await readBinary(path.join(dir, 'mask/21_training_mask.gif'));
    const truth = await readBinary(path.join(dir, '1st_manual/21_manual1.gif'));

    let t0 = performance.now();
    preprocessImage(image, fov, DEFAULT_PREPROCESS);
    const msCold = performance.now() - t0;
    t0 = performance.now();
    const out = preprocessImage(image, fov, DEFAULT_PREPROCESS);
    const ms = performance.now() - t0;
    const { mean, std } = meanStd(out, fov.data);
    assert.ok(Math.abs(mean) < 1e-4 && Math.abs(std - 1) < 1e-3, `mean ${mean} std ${std}`);
    for (let i = 0; i < out.length; i++) if (!fov.data[i]) assert.equal(out[i], 0);

    // Vessels are dark in the green channel; CLAHE should separate them better from the background (d').
    const separation = (v: Float32Array) => {
      const ves = new Uint8Array(v.length);
      const bg = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) (truth.data[i] ? ves : bg)[i] = fov.data[i];
      const a = meanStd(v, ves);
      const b = meanStd(v, bg);
      return (b.mean - a.mean) / Math.sqrt((a.std ** 2 + b.std ** 2) / 2);
    };
    const without = preprocessImage(image, fov, { ...DEFAULT_PREPROCESS, clahe: null });
    const dWith = separation(out);
    const dWithout = separation(without);
    console.log(
      `DRIVE 21: vessel/background d' ${dWithout.toFixed(3)} without CLAHE, ${dWith.toFixed(3)} with`,
    );
    assert.ok(dWith > dWithout, `CLAHE d' ${dWith} <= ${dWithout}`);

    // A large fundus photograph (3504x2336, e.g. HRF size) made from the same image.
    const { data } = await sharp(path.join(dir, 'images/21_training.tif'))
      .resize(3504, 2336, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const big: RasterImage = {
      width: 3504,
      height: 2336,
      channels: 3,
      bitDepth: 8,
      data: new Uint8Array(data),
    };
    const bigFov = fullFov(3504, 2336);
    t0 = performance.now();
    const bigOut = preprocessImage(big, bigFov, DEFAULT_PREPROCESS);
    const msBig = performance.now() - t0;
    assert.equal(bigOut.length, 3504 * 2336);
    console.log(
      `preprocess timing: 565x584 ${msCold.toFixed(1)} ms cold, ${ms.toFixed(1)} ms warm; 3504x2336 ${msBig.toFixed(1)} ms`,
    );
  });
});
