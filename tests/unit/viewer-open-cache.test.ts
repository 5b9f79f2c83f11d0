// The open cache's prefetched masks (renderer/src/viewer/takeOnce.ts, used by viewer/openCache.ts) over a day of
// opening image after image in one window: masks fetched for an image never opened must not pile up (each holds its
// masks a byte a pixel, 8 MB a mask for a camera frame).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TakeOnce } from '../../renderer/src/viewer/takeOnce.js';

test('stepping through a long list with the arrow keys keeps a few prefetched masks, not one per image', () => {
  const masks = new TakeOnce<string>(4);
  const ids = Array.from({ length: 201 }, (_, i) => String(i + 1));
  // As the viewer does: opening image i takes its masks, then both neighbours are prefetched unless already kept.
  for (let i = 0; i < 200; i++) {
    masks.take(ids[i]);
    for (const id of [ids[i + 1], ids[i - 1]]) if (id && !masks.has(id)) masks.put(id, `masks of ${id}`);
  }
  assert.ok(masks.size <= 4, `${masks.size} prefetched masks kept after 200 images`);
  // The next image's are still there, handed out once.
  assert.equal(masks.take('201'), 'masks of 201');
  assert.equal(masks.take('201'), undefined);
});

test('rows the worklist selection passed over: the oldest go first', () => {
  const masks = new TakeOnce<number>(4);
  for (let i = 1; i <= 100; i++) masks.put(String(i), i);
  assert.equal(masks.size, 4);
  assert.deepEqual(
    ['96', '97', '98', '99', '100'].map((k) => masks.has(k)),
    [false, true, true, true, true],
  );
});

test('a failed fetch is dropped only while it is still the one kept', () => {
  const masks = new TakeOnce<string>(4);
  masks.put('1', 'first');
  masks.put('1', 'second');
  masks.drop('1', 'first');
  assert.equal(masks.take('1'), 'second');
});
