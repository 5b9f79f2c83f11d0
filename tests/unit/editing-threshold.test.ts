import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyDifference,
  DIFF_ADDED,
  DIFF_BOTH,
  DIFF_NONE,
  DIFF_REMOVED,
  thresholdProbabilities,
  thresholdU8Words,
} from '../../renderer/src/editing/threshold.js';
import { driveManual, prng } from './editing-fixtures.js';

describe('threshold and difference', () => {
  test('Uint16 and Float32 maps give the same mask at every threshold (p >= t)', () => {
    const rand = prng(5);
    const u16 = new Uint16Array(10000);
    for (let i = 0; i < u16.length; i++) u16[i] = Math.floor(rand() * 65536);
    u16[0] = 0;
    u16[1] = 65535;
    const f32 = Float32Array.from(u16, (v) => v / 65535);
    for (const t of [0, 0.1, 0.5, 0.73, 1]) {
      const a = thresholdProbabilities(u16, t);
      const b = thresholdProbabilities(f32, t);
      assert.deepEqual(a, b, `t=${t}`);
      const expected = u16.reduce((n, v) => n + (v / 65535 >= t ? 1 : 0), 0);
      assert.equal(
        a.reduce((n, v) => n + v, 0),
        expected,
      );
    }
    assert.equal(thresholdProbabilities(u16, 1)[1], 1, 'p = 1 passes t = 1');
    assert.equal(thresholdProbabilities(u16, 0)[0], 1, 'p = 0 passes t = 0');
  });

  test('a Uint8 map (p = v / 255) gives the mask of the Uint16 map it equals (257 v) at every threshold', () => {
    const u8 = Uint8Array.from({ length: 256 }, (_, v) => v);
    const u16 = Uint16Array.from(u8, (v) => 257 * v);
    const ts = [0, 1e-9, 0.5, 0.73, 1 - 1e-9, 1];
    for (let k = 0; k <= 1000; k++) ts.push(k / 1000);
    for (let v = 0; v < 256; v++) ts.push(v / 255, (v - 0.5) / 255, (v + 1e-7) / 255);
    for (const t of ts) {
      assert.deepEqual(thresholdProbabilities(u8, t), thresholdProbabilities(u16, t), `t=${t}`);
    }
    assert.equal(thresholdProbabilities(u8, 1)[255], 1, 'p = 1 passes t = 1');
    assert.equal(thresholdProbabilities(u8, 200 / 255)[200], 1, 'v = 200 passes t = 200 / 255');
    assert.equal(thresholdProbabilities(u8, 200 / 255)[199], 0);
  });

  test('a Uint8 map thresholded four bytes at a time: every value in every lane, any length, any alignment', () => {
    // Each value 0..255 in each of the four lanes of a word, then a tail that is not a whole word.
    const values = Uint8Array.from({ length: 4 * 256 + 3 }, (_, i) => (i * 67 + (i >> 8)) & 255);
    const backing = new Uint8Array(values.length + 1);
    backing.set(values, 1);
    for (let cut = 0; cut <= 256; cut++) {
      const t = (cut * 257) / 65535 - 1e-9;
      const want = values.map((v) => (v / 255 >= t ? 1 : 0));
      assert.deepEqual(thresholdProbabilities(values, t), want, `cut ${cut}`);
      assert.deepEqual(thresholdProbabilities(backing.subarray(1), t), want, `cut ${cut}, misaligned`);
    }
    // The word loop covers all but the tail, and tells where it stopped.
    assert.equal(thresholdU8Words(values, 128, new Uint8Array(values.length), values.length), 4 * 256);
    assert.equal(thresholdU8Words(backing.subarray(1), 128, new Uint8Array(values.length), values.length), 0);
  });

  test('re-thresholding a rectangle touches only that rectangle; wrong sizes are rejected', () => {
    const prob = new Float32Array(20 * 10).fill(0.9);
    const out = new Uint8Array(200);
    thresholdProbabilities(prob, 0.5, out, { width: 20, rect: { x: 2, y: 3, width: 4, height: 2 } });
    assert.equal(
      out.reduce((n, v) => n + v, 0),
      8,
    );
    assert.throws(() => thresholdProbabilities(prob, 0.5, new Uint8Array(5)), /5 bytes for 200/);
  });

  test('difference classes between a real DRIVE mask and an edited copy', async () => {
    const { width, height, data: prediction } = await driveManual(21);
    const correction = prediction.slice();
    const rand = prng(9);
    for (let i = 0; i < 5000; i++) correction[Math.floor(rand() * correction.length)] ^= 1;
    const out = new Uint8Array(prediction.length);
    const counts = classifyDifference(prediction, correction, out, width, height);
    let both = 0;
    let added = 0;
    let removed = 0;
    for (let p = 0; p < out.length; p++) {
      const expected =
        prediction[p] && correction[p]
          ? DIFF_BOTH
          : correction[p]
            ? DIFF_ADDED
            : prediction[p]
              ? DIFF_REMOVED
              : DIFF_NONE;
      assert.equal(out[p], expected);
      both += +(expected === DIFF_BOTH);
      added += +(expected === DIFF_ADDED);
      removed += +(expected === DIFF_REMOVED);
    }
    assert.deepEqual(counts, { both, added, removed });
    assert.ok(added > 0 && removed > 0);
  });
});
