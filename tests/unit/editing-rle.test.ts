import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeCocoRle,
  decodeRowRuns,
  encodeCocoRle,
  encodeRowRuns,
} from '../../renderer/src/editing/rle.js';
import { driveManual } from './editing-fixtures.js';

describe('rle', () => {
  test('COCO RLE runs in column-major order and starts with zeros', () => {
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

  test('both encodings round-trip real DRIVE masks; row-runs are much smaller than raw', async () => {
    for (const n of [21, 24]) {
      const { width, height, data } = await driveManual(n);
      const coco = encodeCocoRle(data, width, height);
      assert.equal(
        coco.counts.reduce((a, b) => a + b, 0),
        width * height,
      );
      assert.deepEqual(decodeCocoRle(coco), data);
      const runs = encodeRowRuns(data);
      assert.ok(runs.length < data.length / 4, `row-runs ${runs.length} bytes for ${data.length}`);
      assert.deepEqual(decodeRowRuns(runs, width * height), data);
    }
  });

  test('long runs need multi-byte varints and still round-trip; non-zero bytes count as 1', () => {
    const m = new Uint8Array(3504 * 2336);
    m.fill(255, 1_000_000, 1_000_300);
    m[m.length - 1] = 7;
    const out = decodeRowRuns(encodeRowRuns(m), m.length);
    assert.equal(out[1_000_000], 1);
    assert.equal(out[999_999], 0);
    assert.equal(out[m.length - 1], 1);
    assert.equal(
      out.reduce((a, b) => a + b, 0),
      301,
    );
  });

  test('malformed input is rejected with a message', () => {
    assert.throws(() => decodeCocoRle({ size: [2, 2], counts: [1, 2] }), /covers 3 of 4/);
    assert.throws(() => decodeCocoRle({ size: [2, 2], counts: [3, 2] }), /overflow/);
    assert.throws(() => decodeRowRuns(Uint8Array.from([0x80]), 4), /truncated/);
    assert.throws(() => decodeRowRuns(Uint8Array.from([2, 1]), 4), /cover 3 of 4/);
  });
});
