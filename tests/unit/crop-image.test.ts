// cropImage: the rectangle's pixels, every channel and bit depth kept; a rectangle outside the image is refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cropImage } from '../../main/ml/image/crop.js';
import type { RasterImage } from '../../main/ml/types.js';

/** A w x h image whose sample (x, y, c) is 100 y + 10 x + c. */
function numbered(w: number, h: number, channels: 1 | 3, bitDepth: 8 | 16): RasterImage {
  const data = bitDepth === 16 ? new Uint16Array(w * h * channels) : new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < channels; c++) data[(y * w + x) * channels + c] = 100 * y + 10 * x + c;
  return { width: w, height: h, channels, bitDepth, data };
}

describe('cropImage', () => {
  test('keeps exactly the rectangle, channel by channel', () => {
    const out = cropImage(numbered(5, 2, 3, 8), 1, 1, 4, 2);
    assert.deepEqual([out.width, out.height, out.channels, out.bitDepth], [3, 1, 3, 8]);
    assert.ok(out.data instanceof Uint8Array);
    assert.deepEqual([...out.data], [110, 111, 112, 120, 121, 122, 130, 131, 132]);
  });

  test('keeps 16-bit samples', () => {
    const out = cropImage(numbered(4, 8, 1, 16), 2, 5, 4, 7);
    assert.ok(out.data instanceof Uint16Array);
    assert.deepEqual([...out.data], [520, 530, 620, 630]);
  });

  test('refuses a rectangle that is empty or leaves the image', () => {
    const img = numbered(4, 4, 1, 8);
    assert.throws(() => cropImage(img, 2, 0, 5, 4), /not inside the 4x4 image/);
    assert.throws(() => cropImage(img, -1, 0, 2, 4), /not inside/);
    assert.throws(() => cropImage(img, 2, 0, 2, 4), /not inside/);
  });
});
