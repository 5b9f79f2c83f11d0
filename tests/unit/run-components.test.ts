// The field of view's component steps on row runs (main/ml/image/run-components.ts) against a plain pixel flood on
// noisy masks: the largest 4-connected component kept (the first in raster order among equals), holes filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillHoles, keepLargestComponent } from '../../main/ml/image/run-components.js';
import { Rng } from '../../main/ml/rng.js';
import { referenceComponents } from './editing-fixtures.js';

/** 4-connected pieces of `value` by the plain BFS reference, numbered in raster order of their first pixel. */
const flood = (mask: Uint8Array, w: number, h: number, value: number) => {
  const { label, sizes } = referenceComponents(mask, w, h, value, false);
  return { labels: label, sizes };
};

function noisy(w: number, h: number, density: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: w * h }, () => (rng.next() < density ? 1 : 0));
}

test('the largest component is the one a pixel flood finds, ties going to the first in raster order', () => {
  const rng = new Rng(21);
  for (let k = 0; k < 30; k++) {
    const [w, h] = [5 + (k % 7) * 9, 3 + (k % 5) * 11];
    const mask = noisy(w, h, 0.35 + 0.02 * k, rng);
    const { labels, sizes } = flood(mask, w, h, 1);
    let best = -1;
    sizes.forEach((n, id) => {
      if (best < 0 || n > sizes[best]) best = id;
    });
    const want = Uint8Array.from(labels, (id) => (id === best && best >= 0 ? 1 : 0));
    keepLargestComponent(mask, w, h);
    assert.deepEqual(mask, want, `mask ${k} (${w}x${h})`);
  }
  // Two equal pieces: the first (top left) stays.
  const two = Uint8Array.from([1, 1, 0, 1, 1]);
  keepLargestComponent(two, 5, 1);
  assert.deepEqual([...two], [1, 1, 0, 0, 0]);
  const none = new Uint8Array(6);
  keepLargestComponent(none, 3, 2);
  assert.deepEqual([...none], [0, 0, 0, 0, 0, 0]);
});

test('holes are the background pieces that do not reach the border', () => {
  const rng = new Rng(22);
  for (let k = 0; k < 30; k++) {
    const [w, h] = [4 + (k % 6) * 10, 4 + (k % 4) * 13];
    const mask = noisy(w, h, 0.5 + 0.015 * k, rng);
    const { labels, sizes } = flood(mask, w, h, 0);
    const border = new Uint8Array(sizes.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const id = labels[y * w + x];
        if (id >= 0 && (x === 0 || y === 0 || x === w - 1 || y === h - 1)) border[id] = 1;
      }
    }
    const want = Uint8Array.from(mask, (v, i) => (v || !border[labels[i]] ? 1 : 0));
    fillHoles(mask, w, h);
    assert.deepEqual(mask, want, `mask ${k} (${w}x${h})`);
  }
});
