// The overlay painted at display resolution (renderer/src/editing/overlayView.ts): the same picture an unsmoothed
// drawImage of a full-resolution overlay shows (each screen pixel takes the image pixel under its centre), and a
// cost that follows the screen, not the image. Costs are counted in pixels written, never timed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  pairPalette,
  paintOverlayView,
  screenRectOf,
  type OverlaySource,
} from '../../renderer/src/editing/overlayView.js';
import { hexToRgba, packRgba } from '../../renderer/src/editing/overlay.js';
import type { Rect } from '../../renderer/src/editing/rect.js';
import { probabilityCut, thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import { fitView, type View } from '../../renderer/src/editing/viewport.js';
import { driveManual, prng } from './editing-fixtures.js';

const YELLOW = packRgba(255, 200, 0);
const MASK_PALETTE = Uint32Array.from([0, YELLOW]);
const ADDED = packRgba(40, 220, 90);
const REMOVED = packRgba(255, 60, 200);
const DIFF_PALETTE = pairPalette(0, ADDED, REMOVED, YELLOW);

/** What the screen shows, one pixel at a time: the image pixel under each overlay pixel's centre. */
function reference(src: OverlaySource, view: View, w: number, h: number, palette: Uint32Array): Uint32Array {
  const out = new Uint32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = Math.floor((x + 0.5 - view.x) / view.scale);
      const j = Math.floor((y + 0.5 - view.y) / view.scale);
      if (i < 0 || j < 0 || i >= src.width || j >= src.height) continue;
      const p = j * src.width + i;
      const mask = src.mask as Uint8Array;
      const c = src.predicted ? (src.predicted[p] ? 2 : 0) | (mask[p] ? 1 : 0) : mask[p];
      out[y * w + x] = c < palette.length ? palette[c] : 0;
    }
  }
  return out;
}

function randomMask(n: number, seed: number): Uint8Array {
  const rand = prng(seed);
  return Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
}

const all = (w: number, h: number): Rect => ({ x: 0, y: 0, width: w, height: h });

describe('overlay at display resolution', () => {
  test('fitted, zoomed in, panned half off the image: the pixels a full-resolution overlay would show', () => {
    const width = 37;
    const height = 23;
    const src: OverlaySource = { mask: randomMask(width * height, 1), predicted: null, width, height };
    const [w, h] = [50, 40];
    const views: View[] = [
      fitView(width, height, w, h, 2),
      { scale: 1, x: 3, y: -2 },
      { scale: 0.37, x: 1.3, y: 4.9 },
      { scale: 3, x: -20.5, y: 7.25 },
      { scale: 7.9, x: -100, y: -60 },
      { scale: 2, x: 45, y: 35 }, // mostly off the image
    ];
    for (const view of views) {
      const out = new Uint32Array(w * h).fill(0xdeadbeef);
      paintOverlayView(src, view, out, w, h, all(w, h), MASK_PALETTE);
      assert.deepEqual(out, reference(src, view, w, h, MASK_PALETTE), `view ${JSON.stringify(view)}`);
    }
  });

  test('before the working mask is made, the overlay painted from the probabilities is the thresholded one', () => {
    const width = 41;
    const height = 29;
    const rand = prng(3);
    const prob8 = Uint8Array.from({ length: width * height }, () => Math.floor(rand() * 256));
    const prob16 = Uint16Array.from(prob8, (v) => v * 257);
    const [w, h] = [60, 50];
    for (const t of [0, 0.3, 0.5, 200 / 255, 1]) {
      for (const values of [prob8, prob16]) {
        const mask = thresholdProbabilities(values, t);
        for (const view of [fitView(width, height, w, h, 3), { scale: 2.5, x: -7.3, y: 1.1 }]) {
          const want = new Uint32Array(w * h);
          paintOverlayView(
            { mask, predicted: null, width, height },
            view,
            want,
            w,
            h,
            all(w, h),
            MASK_PALETTE,
          );
          const got = new Uint32Array(w * h);
          const probability = { values, cut: probabilityCut(values, t) };
          paintOverlayView(
            { mask: null, probability, predicted: null, width, height },
            view,
            got,
            w,
            h,
            all(w, h),
            MASK_PALETTE,
          );
          assert.deepEqual(got, want, `t ${t}, ${values.constructor.name}`);
        }
      }
    }
  });

  test('difference mode colours each (prediction, mask) pair; unknown mask values are transparent', () => {
    const width = 4;
    const height = 1;
    const src: OverlaySource = {
      mask: Uint8Array.from([0, 1, 0, 1]),
      predicted: Uint8Array.from([0, 0, 1, 1]),
      width,
      height,
    };
    const out = new Uint32Array(4);
    paintOverlayView(src, { scale: 1, x: 0, y: 0 }, out, 4, 1, all(4, 1), DIFF_PALETTE);
    assert.deepEqual([...out], [0, ADDED, REMOVED, YELLOW]);
    assert.deepEqual([...new Uint8Array(out.buffer).subarray(12, 16)], [255, 200, 0, 255], 'RGBA byte order');
    assert.equal(hexToRgba('#ffc800'), YELLOW);
    paintOverlayView(
      { ...src, predicted: null, mask: Uint8Array.from([0, 1, 7, 1]) },
      { scale: 1, x: 0, y: 0 },
      out,
      4,
      1,
      all(4, 1),
      MASK_PALETTE,
    );
    assert.deepEqual([...out], [0, YELLOW, 0, YELLOW]);
  });

  test('a dirty rectangle repaints only the screen pixels that show it, and repaints all of them', async () => {
    const m = await driveManual(21);
    const mask = m.data.slice();
    const src: OverlaySource = { mask, predicted: null, width: m.width, height: m.height };
    const rand = prng(7);
    const [w, h] = [320, 240];
    for (let k = 0; k < 40; k++) {
      const view: View = { scale: 0.2 + rand() * 5, x: rand() * 200 - 150, y: rand() * 200 - 150 };
      const out = new Uint32Array(w * h);
      paintOverlayView(src, view, out, w, h, all(w, h), MASK_PALETTE);
      // An edit flips a rectangle of the mask; repainting the screen rectangle it maps to brings the overlay up to
      // date everywhere.
      const r: Rect = {
        x: Math.floor(rand() * m.width * 0.9),
        y: Math.floor(rand() * m.height * 0.9),
        width: 1 + Math.floor(rand() * 30),
        height: 1 + Math.floor(rand() * 30),
      };
      for (let j = r.y; j < Math.min(m.height, r.y + r.height); j++)
        for (let i = r.x; i < Math.min(m.width, r.x + r.width); i++) mask[j * m.width + i] ^= 1;
      const s = screenRectOf(r, view, w, h);
      const written = paintOverlayView(src, view, out, w, h, s, MASK_PALETTE);
      assert.deepEqual(out, reference(src, view, w, h, MASK_PALETTE), `edit ${k}`);
      assert.equal(written, s.width * s.height);
      // The rectangle's own screen area plus a pixel of slack each side, never more.
      assert.ok(
        s.width <= Math.ceil(r.width * view.scale) + 3,
        `width ${s.width} for ${r.width} at ${view.scale}`,
      );
      assert.ok(s.height <= Math.ceil(r.height * view.scale) + 3);
    }
  });

  test('opening a 3504x2336 image fitted to the screen paints the screen, not the image', () => {
    const width = 3504;
    const height = 2336;
    const mask = new Uint8Array(width * height).fill(1, 1000 * width, 1100 * width);
    const src: OverlaySource = { mask, predicted: null, width, height };
    const [w, h] = [1000, 740];
    const view = fitView(width, height, w, h);
    const out = new Uint32Array(w * h);
    const written = paintOverlayView(
      src,
      view,
      out,
      w,
      h,
      screenRectOf(all(width, height), view, w, h),
      MASK_PALETTE,
    );
    assert.ok(written <= w * h, `${written} pixels written`);
    assert.ok(written < (width * height) / 10, 'a tenth of the image or less');
    assert.ok(out.includes(YELLOW));
  });

  test('a brush dab at the fitted scale repaints a few dozen overlay pixels', () => {
    const view = fitView(3504, 2336, 1000, 740);
    const s = screenRectOf({ x: 1700, y: 1100, width: 13, height: 13 }, view, 1000, 740);
    // 13 image pixels are under 4 screen pixels across at this scale; a pixel of slack each side.
    assert.ok(s.width * s.height <= (Math.ceil(13 * view.scale) + 3) ** 2, `${s.width}x${s.height}`);
    assert.ok(s.width * s.height < 13 * 13);
  });

  test('sizes that do not fit are refused', () => {
    const src: OverlaySource = { mask: new Uint8Array(6), predicted: null, width: 3, height: 2 };
    assert.throws(
      () =>
        paintOverlayView(src, { scale: 1, x: 0, y: 0 }, new Uint32Array(5), 3, 2, all(3, 2), MASK_PALETTE),
      /5 pixels/,
    );
    assert.throws(
      () =>
        paintOverlayView(
          { ...src, predicted: new Uint8Array(4) },
          { scale: 1, x: 0, y: 0 },
          new Uint32Array(6),
          3,
          2,
          all(3, 2),
          MASK_PALETTE,
        ),
      /does not fit/,
    );
  });
});
