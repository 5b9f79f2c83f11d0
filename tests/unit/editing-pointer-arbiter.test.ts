import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PointerArbiter } from '../../renderer/src/editing/pointerArbiter.js';

describe('pointer arbiter', () => {
  test('a palm that lands while the pen draws is ignored, its moves and release too', () => {
    const a = new PointerArbiter();
    assert.equal(a.press(2, 'pen'), 'start');
    assert.equal(a.press(7, 'touch'), 'ignore');
    assert.equal(a.drives(7), false);
    assert.equal(a.pinch, null);
    assert.equal(a.release(7), false);
    assert.equal(a.drives(2), true);
    assert.equal(a.release(2), true);
    assert.equal(a.idle, true);
  });

  test('a pen that lands while a finger (the palm) draws takes over; the finger is ignored after', () => {
    const a = new PointerArbiter();
    assert.equal(a.press(7, 'touch'), 'start');
    assert.equal(a.press(2, 'pen'), 'takeOver');
    assert.equal(a.drives(7), false);
    assert.equal(a.press(8, 'touch'), 'ignore');
    assert.equal(a.release(7), false);
    assert.equal(a.release(2), true);
  });

  test('two fingers pinch; a third is ignored; a lifted finger put back resumes the pinch', () => {
    const a = new PointerArbiter();
    assert.equal(a.press(1, 'touch'), 'start');
    assert.equal(a.press(2, 'touch'), 'pinch');
    assert.deepEqual(a.pinch, [1, 2]);
    assert.equal(a.drives(1), false);
    assert.equal(a.press(3, 'touch'), 'ignore');
    assert.equal(a.press(4, 'mouse'), 'ignore');
    assert.equal(a.release(3), false);
    assert.equal(a.release(2), false);
    assert.equal(a.pinch, null);
    assert.equal(a.pinchActive, true);
    assert.equal(a.press(5, 'touch'), 'pinch');
    assert.deepEqual(a.pinch, [1, 5]);
    a.release(1);
    a.release(5);
    assert.equal(a.idle, true);
    assert.equal(a.press(6, 'touch'), 'start');
  });

  test('a mouse moved while a finger draws drives nothing; the mouse pressed again after a lost release starts', () => {
    const a = new PointerArbiter();
    assert.equal(a.press(1, 'mouse'), 'start');
    assert.equal(a.press(1, 'mouse'), 'start');
    a.release(1);
    assert.equal(a.press(9, 'touch'), 'start');
    assert.equal(a.drives(1), false);
    assert.equal(a.press(1, 'mouse'), 'ignore');
  });

  test('a capture lost without a pointerup ends the stroke as a release would; later moves only hover', () => {
    const a = new PointerArbiter();
    assert.equal(a.press(1, 'mouse'), 'start');
    assert.equal(a.end(1, 'lostCapture'), 'commit');
    assert.equal(a.drives(1), false);
    assert.equal(a.idle, true);
    // The pointerup that may still come, and the capture lost after every pointerup, end nothing more.
    assert.equal(a.end(1, 'up'), null);
    assert.equal(a.end(1, 'lostCapture'), null);
    assert.equal(a.press(1, 'mouse'), 'start');
    assert.equal(a.end(1, 'up'), 'commit');
    assert.equal(a.end(1, 'lostCapture'), null);
  });

  test('a cancelled pointer abandons its gesture; a pinch finger losing capture leaves the pinch', () => {
    const a = new PointerArbiter();
    assert.equal(a.press(3, 'touch'), 'start');
    assert.equal(a.end(3, 'cancel'), 'abandon');
    assert.equal(a.press(1, 'touch'), 'start');
    assert.equal(a.press(2, 'touch'), 'pinch');
    assert.equal(a.end(2, 'lostCapture'), null);
    assert.equal(a.pinch, null);
    assert.equal(a.end(1, 'lostCapture'), null);
    assert.equal(a.idle, true);
  });
});
