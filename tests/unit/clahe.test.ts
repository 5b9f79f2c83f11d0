// The one CLAHE (shared/clahe.ts): its properties, its output pinned bit for bit on a DRIVE photograph (the model's
// preprocessing; a change would move the bundled model's metrics), and the viewer's display filter, which shows
// the same enhancement.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_CLAHE, clahe, claheMappings } from '../../shared/clahe.js';
import { readBinaryMap, readImage } from '../../main/ml/io/image-io.js';
import { DEFAULT_PREPROCESS, preprocessImage, toGrey } from '../../main/ml/image/preprocess.js';
import { createRng } from '../../main/ml/rng.js';
import { DARK_LEVEL, applyDisplayFilter, displayClahe } from '../../renderer/src/editing/displayFilter.js';
import { datasetsRoot } from './editing-fixtures.js';

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

function sha256(v: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
    .digest('hex');
}

describe('clahe output is pinned (the models were trained on it)', () => {
  test('DRIVE 01: 8-bit, 16-bit, no FOV, and the whole preprocessing, bit for bit', async () => {
    // Hashes of the Float32 output of main/ml/clahe.ts, the implementation every bundled model was trained with,
    // recorded before it moved to shared/.
    const image = await readImage(path.join(datasetsRoot, 'DRIVE/test/images/01_test.tif'));
    const fov = await readBinaryMap(path.join(datasetsRoot, 'DRIVE/test/mask/01_test_mask.gif'), image);
    const { width, height } = image;
    const grey = toGrey(image, 'green');
    assert.equal(
      sha256(clahe(grey, width, height, fov.data, { ...DEFAULT_CLAHE, bins: 256 })),
      '4d94c8e591c8c2a1b0c596a8e636ef2faabcb7121d02c951f02d359207fe3fb1',
    );
    const image16 = { ...image, bitDepth: 16 as const, data: Uint16Array.from(image.data, (v) => v * 257) };
    assert.equal(
      sha256(clahe(toGrey(image16, 'green'), width, height, fov.data, { ...DEFAULT_CLAHE, bins: 4096 })),
      'd62f71abcf81c53a8001740bea18c09b3c609f3ff95d765d0d045c7f49af9a69',
    );
    assert.equal(
      sha256(clahe(grey, width, height, null, { clipLimit: 3, tileGrid: 5, bins: 256 })),
      '1a45992dd4f05c99e62a2b904dac39df27ecd94cdc22b30d96077fba9e928b71',
    );
    assert.equal(
      sha256(preprocessImage(image, fov, DEFAULT_PREPROCESS)),
      '9618eb647503b9e138f1e3a78e9a8fe95cec0befc39bebb030aec72210ff3d00',
    );
  });
});

async function driveRgba(id: string) {
  const file = path.join(datasetsRoot, 'DRIVE/test/images', `${id}_test.tif`);
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgba: new Uint8ClampedArray(data) };
}

async function driveManual(id: string): Promise<Uint8Array> {
  const file = path.join(datasetsRoot, 'DRIVE/test/1st_manual', `${id}_manual1.gif`);
  const { data } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return Uint8Array.from(data, (v) => (v > 127 ? 1 : 0));
}

function green(rgba: Uint8ClampedArray): Uint8Array {
  const g = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < g.length; i++) g[i] = rgba[4 * i + 1];
  return g;
}

/** Mean grey of vessel pixels minus mean of background pixels, both inside the bright part of the image. */
function vesselContrast(grey: Uint8Array, vessels: Uint8Array, lit: Uint8Array): number {
  let sv = 0;
  let nv = 0;
  let sb = 0;
  let nb = 0;
  for (let i = 0; i < grey.length; i++) {
    if (!lit[i]) continue;
    if (vessels[i]) {
      sv += grey[i];
      nv++;
    } else {
      sb += grey[i];
      nb++;
    }
  }
  return sb / nb - sv / nv;
}

describe('display CLAHE', () => {
  test("shows exactly the model's CLAHE on DRIVE 03, given the same field of view", async () => {
    const image = await readImage(path.join(datasetsRoot, 'DRIVE/test/images/03_test.tif'));
    const { width, height } = image;
    const g = Uint8Array.from({ length: width * height }, (_, i) => image.data[i * image.channels + 1]);
    const shown = g.slice();
    displayClahe(shown, width, height);
    const fov = Uint8Array.from(g, (v) => (v > DARK_LEVEL ? 1 : 0));
    const model = clahe(toGrey(image, 'green'), width, height, fov, {
      ...DEFAULT_CLAHE,
      bins: 256,
    });
    assert.deepEqual(
      shown,
      Uint8Array.from(model, (v) => Math.round(v * 255)),
    );
  });

  test('raises vessel contrast on DRIVE 01 and keeps the grey order of pixels sharing a tile centre', async () => {
    const { width, height, rgba } = await driveRgba('01');
    const g = green(rgba);
    const out = g.slice();
    displayClahe(out, width, height);
    const vessels = await driveManual('01');
    const lit = Uint8Array.from(g, (v) => (v > 20 ? 1 : 0));
    const before = vesselContrast(g, vessels, lit);
    const after = vesselContrast(out, vessels, lit);
    assert.ok(after > 1.5 * before, `vessel contrast ${before.toFixed(1)} -> ${after.toFixed(1)}`);
    // At a tile centre the output is that tile's mapping alone, which is monotone in the input.
    const cx = Math.round((width / 8) * 3.5);
    const cy = Math.round((height / 8) * 3.5);
    const pairs: [number, number][] = [];
    for (let x = cx - 3; x <= cx + 3; x++) pairs.push([g[cy * width + x], out[cy * width + x]]);
    pairs.sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < pairs.length; k++) assert.ok(pairs[k][1] >= pairs[k - 1][1] - 1);
  });

  test('a flat image stays flat; sizes are checked', () => {
    // Tiles of a few thousand pixels, so the clip limit is proportional to the tile's count everywhere.
    const w = 803;
    const h = 641;
    const out = new Uint8Array(w * h).fill(120);
    displayClahe(out, w, h);
    assert.ok(
      out.every((v) => v === out[0]),
      'a flat input maps to one grey',
    );
    assert.throws(() => displayClahe(out, w, h + 1), /clahe/);
  });

  test('the CLAHE display filter shows grey pixels from the green channel and keeps alpha', async () => {
    const { width, height, rgba } = await driveRgba('02');
    const dst = new Uint8ClampedArray(rgba.length);
    applyDisplayFilter(
      rgba,
      dst,
      { greenOnly: false, clahe: true, contrast: 1, brightness: 0 },
      width,
      height,
    );
    const expected = green(rgba);
    displayClahe(expected, width, height);
    for (let i = 0; i < expected.length; i += 97) {
      assert.equal(dst[4 * i], expected[i]);
      assert.equal(dst[4 * i + 1], expected[i]);
      assert.equal(dst[4 * i + 2], expected[i]);
      assert.equal(dst[4 * i + 3], rgba[4 * i + 3]);
    }
    assert.throws(
      () => applyDisplayFilter(rgba, dst, { greenOnly: true, clahe: true, contrast: 1, brightness: 0 }),
      /CLAHE needs the size/,
    );
  });
});
