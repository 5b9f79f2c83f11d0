// componentSizes (shared/skeleton.ts: row runs joined by union-find, empty words skipped) against components()'s
// pixel flood on noisy masks inside noisy fields: the same 8-connected pieces, whatever the width's alignment, the
// maps' byte offsets or their non-zero values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentSizes, components } from '../../shared/skeleton.js';
import { Rng } from '../../main/ml/rng.js';

/** The flood's piece sizes of mask AND within, sorted. */
function reference(mask: Uint8Array, within: Uint8Array, w: number, h: number): number[] {
  const both = Uint8Array.from(mask, (v, i) => (v && within[i] ? 1 : 0));
  return components(both, w, h)
    .sizes.slice(1)
    .sort((a, b) => a - b);
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

test('the pieces and their sizes are those of the pixel flood', () => {
  const rng = new Rng(16);
  for (let k = 0; k < 40; k++) {
    const [w, h] = [1 + (k % 9) * 7, 1 + (k % 6) * 9];
    // Densities around the 8-connected percolation point make long, branching pieces and diagonal-only joins.
    const density = 0.2 + 0.02 * k;
    const mask = Uint8Array.from({ length: w * h }, () => (rng.next() < density ? (k % 3 ? 1 : 255) : 0));
    const within = Uint8Array.from({ length: w * h }, () => (rng.next() < 0.9 ? (k % 2 ? 1 : 2) : 0));
    // A whole-field run of words too, where the word path steps over four pixels at once.
    if (k % 4 === 0) within.fill(0, 0, Math.floor((w * h) / 2));
    const want = reference(mask, within, w, h);
    assert.deepEqual(sorted(componentSizes(mask, within, w, h)), want, `${w}x${h} density ${density}`);
    // Off a word boundary (views into a larger buffer): the byte-by-byte path.
    const offMask = new Uint8Array(w * h + 1).subarray(1);
    offMask.set(mask);
    assert.deepEqual(sorted(componentSizes(offMask, within, w, h)), want);
  }
});

test('pieces touching only at a corner are one; a whole row of pixels is one run', () => {
  const w = 8;
  const h = 3;
  // (0,0) meets (1,1) at a corner, which sits on the full bottom row, as does (7,1): one piece of 11.
  const mask = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const within = new Uint8Array(w * h).fill(1);
  assert.deepEqual(componentSizes(mask, within, w, h), [11]);
  within[w + 1] = 0; // (1,1) outside: (0,0) alone
  assert.deepEqual(sorted(componentSizes(mask, within, w, h)), [1, 9]);
  assert.deepEqual(componentSizes(new Uint8Array(w * h), within, w, h), []);
});
