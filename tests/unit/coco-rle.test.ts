import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCocoRle, encodeCocoRle } from '../../shared/coco-rle.js';
import { driveManual } from './editing-fixtures.js';

describe('COCO RLE (shared/coco-rle.ts)', () => {
  test('runs in column-major order and starts with zeros', () => {
    // 3 wide, 2 high. Column-major sequence: (0,0)=1 (0,1)=1 | (1,0)=0 (1,1)=1 | (2,0)=0 (2,1)=0.
    // prettier-ignore
    const m = Uint8Array.from([
      1, 0, 0,
      1, 1, 0,
    ]);
    const rle = encodeCocoRle(m, 3, 2);
    assert.deepEqual(rle.size, [2, 3]);
    assert.deepEqual(rle.counts, [0, 2, 1, 1, 2]);
    assert.deepEqual(decodeCocoRle(rle), m);
  });

  test('round-trips real DRIVE masks', async () => {
    for (const n of [21, 24]) {
      const { width, height, data } = await driveManual(n);
      const coco = encodeCocoRle(data, width, height);
      assert.equal(
        coco.counts.reduce((a, b) => a + b, 0),
        width * height,
      );
      assert.deepEqual(decodeCocoRle(coco), data);
    }
  });

  test('malformed input is rejected with a message', () => {
    assert.throws(() => decodeCocoRle({ size: [2, 2], counts: [1, 2] }), /covers 3 of 4/);
    assert.throws(() => decodeCocoRle({ size: [2, 2], counts: [3, 2] }), /overflow/);
  });
});
