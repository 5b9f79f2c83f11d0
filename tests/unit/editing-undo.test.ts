import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { strokeSegment } from '../../renderer/src/editing/brush.js';
import { floodFill } from '../../renderer/src/editing/floodFill.js';
import { fillPolygon } from '../../renderer/src/editing/lasso.js';
import { removeIslands } from '../../renderer/src/editing/morphology.js';
import { UndoStack } from '../../renderer/src/editing/undo.js';
import { diffBox, driveManual, prng } from './editing-fixtures.js';

describe('undo stack', () => {
  test('random edits on a real mask: undo all returns the original, redo all the final, each step exact', async () => {
    const { width, height, data } = await driveManual(23);
    const mask = data.slice();
    const stack = new UndoStack(mask, width, height);
    const rand = prng(3);
    const states: Uint8Array[] = [mask.slice()];
    for (let k = 0; k < 40; k++) {
      const before = mask.slice();
      stack.begin(`edit ${k}`);
      const kind = k % 4;
      if (kind === 0 || kind === 1) {
        let p = { x: rand() * width, y: rand() * height };
        for (let s = 0; s < 5; s++) {
          const q = { x: p.x + (rand() - 0.5) * 120, y: p.y + (rand() - 0.5) * 120 };
          strokeSegment(mask, width, height, p, q, 1 + rand() * 10, kind === 0 ? 1 : 0, stack.span);
          p = q;
        }
      } else if (kind === 2) {
        const cx = rand() * width;
        const cy = rand() * height;
        const poly = Array.from({ length: 6 }, (_, i) => ({
          x: cx + 60 * Math.cos(i) * rand(),
          y: cy + 60 * Math.sin(i) * rand(),
        }));
        fillPolygon(mask, width, height, poly, rand() < 0.5 ? 1 : 0, 'nonzero', stack.span);
      } else {
        removeIslands(mask, width, height, 40, stack.span);
      }
      const patch = stack.commit();
      if (patch) {
        // The patch is cropped to exactly the changed pixels.
        assert.deepEqual(patch.rect, diffBox(before, mask, width));
        states.push(mask.slice());
      } else {
        assert.deepEqual(mask, before);
      }
    }
    assert.equal(stack.undoDepth, states.length - 1);
    const held = stack.bytes;
    assert.ok(held > 0 && held < states.length * 2 * width * height);
    for (let k = states.length - 2; k >= 0; k--) {
      assert.ok(stack.undo());
      assert.deepEqual(mask, states[k], `after undoing to state ${k}`);
    }
    assert.equal(stack.undo(), null);
    for (let k = 1; k < states.length; k++) {
      assert.ok(stack.redo());
      assert.deepEqual(mask, states[k], `after redoing to state ${k}`);
    }
    assert.equal(stack.redo(), null);
    assert.equal(stack.bytes, held, 'undo/redo moves patches without changing what is held');
  });

  test('a new edit clears redo (and its bytes); an edit that changes nothing leaves both lists alone', () => {
    const w = 64;
    const h = 64;
    const mask = new Uint8Array(w * h);
    const stack = new UndoStack(mask, w, h);
    for (const x of [10, 30]) {
      stack.begin('stroke');
      strokeSegment(mask, w, h, { x, y: 10 }, { x, y: 50 }, 3, 1, stack.span);
      stack.commit();
    }
    const bytesTwo = stack.bytes;
    stack.undo();
    assert.equal(stack.canRedo, true);
    stack.begin('no-op fill');
    floodFill(mask, w, h, 10, 30, 1, { onSpan: stack.span }); // already 1: nothing changes
    assert.equal(stack.commit(), null);
    assert.equal(stack.canRedo, true);
    stack.begin('erase');
    strokeSegment(mask, w, h, { x: 0, y: 30 }, { x: 63, y: 30 }, 2, 0, stack.span);
    assert.ok(stack.commit());
    assert.equal(stack.canRedo, false);
    assert.equal(stack.undoDepth, 2);
    assert.ok(stack.bytes < bytesTwo + 2 * w * 5 + 1, 'the undone stroke is no longer held');
  });

  test('cancel restores the pixels of an open edit; touch outside an edit is an error', () => {
    const w = 100;
    const h = 70;
    const mask = new Uint8Array(w * h);
    mask[5] = 1;
    const orig = mask.slice();
    const stack = new UndoStack(mask, w, h);
    stack.begin('lasso');
    fillPolygon(
      mask,
      w,
      h,
      [
        { x: 0, y: 0 },
        { x: 99, y: 3 },
        { x: 40, y: 69 },
      ],
      1,
      'nonzero',
      stack.span,
    );
    stack.cancel();
    assert.deepEqual(mask, orig);
    assert.equal(stack.canUndo, false);
    assert.throws(() => stack.touch({ x: 0, y: 0, width: 1, height: 1 }), /outside begin/);
  });

  test('recording cost follows the touched area on a 3504x2336 mask', () => {
    const w = 3504;
    const h = 2336;
    const mask = new Uint8Array(w * h);
    const stack = new UndoStack(mask, w, h);
    const t0 = performance.now();
    for (let k = 0; k < 50; k++) {
      stack.begin('dab');
      strokeSegment(mask, w, h, { x: 100 + k * 60, y: 1000 }, { x: 130 + k * 60, y: 1040 }, 8, 1, stack.span);
      stack.commit();
    }
    const ms = (performance.now() - t0) / 50;
    assert.ok(ms < 5, `stroke + record + commit took ${ms.toFixed(2)} ms`);
    assert.ok(stack.bytes < 50 * 2 * 50 * 60, `held ${stack.bytes} bytes`);
  });
});
