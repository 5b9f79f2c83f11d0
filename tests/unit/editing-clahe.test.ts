// The viewer's display CLAHE (renderer/src/editing/clahe.ts) on real DRIVE photographs: it agrees with the
// engine's CLAHE (main/ml/clahe.ts, an independent implementation) given the same field of view, raises local
// contrast over vessels, keeps order within a tile, and the display filter shows it as grey.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { claheGrey, DISPLAY_CLAHE } from '../../renderer/src/editing/clahe.js';
import { applyDisplayFilter } from '../../renderer/src/editing/displayFilter.js';
import { clahe as engineClahe } from '../../main/ml/clahe.js';
import { datasetsRoot } from './editing-fixtures.js';

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
  test('matches the engine CLAHE on DRIVE 03 within rounding (same clip, grid and field of view)', async () => {
    const { width, height, rgba } = await driveRgba('03');
    const g = green(rgba);
    const out = new Uint8Array(g.length);
    claheGrey(g, out, width, height);
    const fov = Uint8Array.from(g, (v) => (v > DISPLAY_CLAHE.darkLevel ? 1 : 0));
    const ref = engineClahe(
      Float32Array.from(g, (v) => v / 255),
      width,
      height,
      fov,
      { clipLimit: DISPLAY_CLAHE.clipLimit, tileGrid: DISPLAY_CLAHE.tileGrid, bins: 256 },
    );
    let sum = 0;
    let far = 0;
    let n = 0;
    for (let i = 0; i < g.length; i++) {
      if (!fov[i]) continue;
      const d = Math.abs(out[i] - ref[i] * 255);
      sum += d;
      if (d > 3) far++;
      n++;
    }
    assert.ok(sum / n < 1.5, `mean difference ${(sum / n).toFixed(2)} grey levels`);
    assert.ok(far / n < 0.01, `${((100 * far) / n).toFixed(2)}% of FOV pixels differ by more than 3 levels`);
  });

  test('raises vessel contrast on DRIVE 01 and keeps the grey order of pixels sharing a tile centre', async () => {
    const { width, height, rgba } = await driveRgba('01');
    const g = green(rgba);
    const out = new Uint8Array(g.length);
    claheGrey(g, out, width, height);
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
    const flat = new Uint8Array(w * h).fill(120);
    const out = new Uint8Array(w * h);
    claheGrey(flat, out, w, h);
    assert.ok(
      out.every((v) => v === out[0]),
      'a flat input maps to one grey',
    );
    assert.throws(() => claheGrey(flat, new Uint8Array(3), w, h), /clahe/);
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
    const expected = new Uint8Array(width * height);
    claheGrey(green(rgba), expected, width, height);
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
