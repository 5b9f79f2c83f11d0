// Masks 8 pixels a byte for the wire (shared/mask-bits.ts), and the packed getMasks answer the viewer unpacks: what
// arrives is exactly the mask, and a prediction packed at its threshold is exactly what the viewer's slider makes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { packBits, packedLength, probabilityCut, unpackBits } from '../../shared/mask-bits.js';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import { unpackMasks } from '../../renderer/src/viewer/packedMasks.js';
import type { MasksResponse } from '../../shared/contract.js';
import { prng } from './editing-fixtures.js';

function randomMask(n: number, seed: number): Uint8Array {
  const rand = prng(seed);
  return Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
}

describe('mask bits', () => {
  test('packing and unpacking give the mask back, whole bytes or not', () => {
    for (const n of [0, 1, 7, 8, 9, 63, 64, 65, 565 * 584]) {
      const mask = randomMask(n, n + 1);
      const bits = packBits(mask);
      assert.equal(bits.length, packedLength(n));
      assert.deepEqual(unpackBits(bits, n), mask, `${n} pixels`);
    }
  });

  test('pixel 8k + i is bit i of byte k', () => {
    const mask = new Uint8Array(16);
    mask[0] = mask[9] = mask[15] = 1;
    assert.deepEqual([...packBits(mask)], [0b00000001, 0b10000010]);
  });

  test('unpacks bytes at any offset in a received frame, and refuses sizes that do not match', () => {
    const mask = randomMask(1001, 3);
    const packed = packBits(mask);
    for (const offset of [1, 2, 3, 4]) {
      const frame = new Uint8Array(packed.length + offset + 3).fill(0xff);
      frame.set(packed, offset);
      assert.deepEqual(
        unpackBits(frame.subarray(offset, offset + packed.length), 1001),
        mask,
        `offset ${offset}`,
      );
    }
    assert.throws(() => unpackBits(new Uint8Array(12), 101), /do not hold 101 pixels/);
  });

  test('empty stretches of 32 pixels are skipped without losing the pixels around them', () => {
    const mask = new Uint8Array(32 * 10 + 5);
    for (const p of [0, 31, 64, 95, 200, 319, 320, 324]) mask[p] = 1;
    assert.deepEqual(unpackBits(packBits(mask), mask.length), mask);
  });

  test('a probability map packed at a cut is the map thresholded as the viewer does', () => {
    const rand = prng(9);
    const prob = Uint8Array.from({ length: 4001 }, () => Math.floor(rand() * 256));
    for (const t of [0.01, 0.35, 0.5, 0.5019, 0.99]) {
      const bits = packBits(prob, probabilityCut(prob, t));
      assert.deepEqual(unpackBits(bits, prob.length), thresholdProbabilities(prob, t), `threshold ${t}`);
    }
  });

  test('a packed getMasks answer unpacks into the response the viewer reads', () => {
    const [w, h] = [13, 7];
    const draft = randomMask(w * h, 5);
    const predicted = randomMask(w * h, 6);
    const packed: MasksResponse = {
      imageId: '1',
      width: w,
      height: h,
      prediction: {
        versionId: '2',
        version: 1,
        modelId: null,
        modelName: null,
        createdAt: '',
        threshold: 0.4,
        encoding: 'bits',
        data: packBits(predicted),
        probabilities: true,
      },
      draft: {
        versionId: '3',
        version: 2,
        kind: 'draft',
        createdAt: '',
        author: 'a',
        parentVersionId: '2',
        data: packBits(draft),
      },
      approved: null,
      review: { status: 'draft' } as MasksResponse['review'],
    };
    const m = unpackMasks(packed);
    assert.equal(m.prediction?.encoding, 'mask8');
    assert.equal(m.prediction?.probabilities, true, 'the viewer no longer knows probabilities follow');
    assert.deepEqual(m.prediction?.data, predicted);
    assert.deepEqual(m.draft?.data, draft);
    assert.equal(m.approved, null);
  });
});
