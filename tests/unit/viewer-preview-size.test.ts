// How large a preview opening a photograph asks for (renderer/src/viewer/previewSize.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previewSize } from '../../renderer/src/viewer/previewSize.js';

const laptop = { width: 1280, height: 800, dpr: 1 };

test('a camera frame gets a copy the size of the screen, rounded up to a shared step', () => {
  // Fitted to 1280x800 the 3504x2336 frame is 1200 pixels wide: a 1280 copy is sharp at any zoom up to the fit.
  assert.equal(previewSize({ width: 3504, height: 2336 }, laptop), 1280);
  assert.equal(previewSize({ width: 2336, height: 3504 }, laptop), 1024);
  assert.equal(previewSize({ width: 3504, height: 2336 }, { ...laptop, dpr: 1.25 }), 1536);
});

test('no preview when the image is not at least twice the copy', () => {
  assert.equal(previewSize({ width: 565, height: 584 }, laptop), null);
  assert.equal(previewSize({ width: 2400, height: 1600 }, laptop), null);
  assert.equal(previewSize({ width: 3504, height: 2336 }, { width: 1920, height: 1200, dpr: 2 }), null);
  assert.equal(previewSize({ width: 3504, height: 2336 }, { width: 0, height: 0, dpr: 1 }), null);
});
