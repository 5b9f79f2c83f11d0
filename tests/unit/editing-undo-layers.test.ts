// Undo with a companion layer (the viewer's "edited by hand" marks): undo and redo restore the marks with the
// pixels, so the threshold slider rewrites pixels again once the hand edit that claimed them is undone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { strokeSegment } from '../../renderer/src/editing/brush.js';
import { UndoStack } from '../../renderer/src/editing/undo.js';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import { driveManual, prng } from './editing-fixtures.js';

describe('undo stack with a companion layer', () => {
  test('strokes on a real mask: every undo/redo step restores mask and marks exactly', async () => {
    const { width, height, data } = await driveManual(25);
    const mask = data.slice();
    const marks = new Uint8Array(mask.length);
    const stack = new UndoStack(mask, width, height, [marks]);
    const rand = prng(9);
    const states: { mask: Uint8Array; marks: Uint8Array }[] = [{ mask: mask.slice(), marks: marks.slice() }];
    const span = (y: number, x0: number, x1: number) => {
      stack.span(y, x0, x1);
      marks.fill(1, y * width + x0, y * width + x1);
    };
    for (let k = 0; k < 12; k++) {
      stack.begin(`stroke ${k}`);
      let p = { x: rand() * width, y: rand() * height };
      for (let s = 0; s < 4; s++) {
        const q = { x: p.x + (rand() - 0.5) * 100, y: p.y + (rand() - 0.5) * 100 };
        strokeSegment(mask, width, height, p, q, 2 + rand() * 6, k % 3 === 0 ? 0 : 1, span);
        p = q;
      }
      const patch = stack.commit();
      assert.ok(patch, `stroke ${k} changed nothing`);
      assert.equal(patch.companions.length, 1);
      states.push({ mask: mask.slice(), marks: marks.slice() });
    }
    for (let k = states.length - 2; k >= 0; k--) {
      stack.undo();
      assert.deepEqual(mask, states[k].mask, `mask after undo to ${k}`);
      assert.deepEqual(marks, states[k].marks, `marks after undo to ${k}`);
    }
    for (let k = 1; k < states.length; k++) {
      stack.redo();
      assert.deepEqual(marks, states[k].marks, `marks after redo to ${k}`);
    }
  });

  test('a stroke that only marks pixels (painting over vessels) is still one undoable edit', () => {
    const width = 40;
    const height = 30;
    const mask = new Uint8Array(width * height).fill(1);
    const marks = new Uint8Array(width * height);
    const stack = new UndoStack(mask, width, height, [marks]);
    stack.begin('over');
    strokeSegment(mask, width, height, { x: 5, y: 5 }, { x: 30, y: 20 }, 3, 1, (y, x0, x1) => {
      stack.span(y, x0, x1);
      marks.fill(1, y * width + x0, y * width + x1);
    });
    const patch = stack.commit();
    assert.ok(patch, 'marks changed, so the edit must be recorded');
    assert.ok(stack.undo());
    assert.equal(
      marks.reduce((a, v) => a + v, 0),
      0,
    );
    assert.ok(mask.every((v) => v === 1));
  });

  test('the slider rule "rewrite unmarked pixels" after undoing a hand edit follows the prediction again', async () => {
    const { width, height, data } = await driveManual(27);
    // A probability map from the manual mask: vessels 0.8, background 0.2 (a real mask's geometry).
    const prob = Uint16Array.from(data, (v) => Math.round((v ? 0.8 : 0.2) * 65535));
    const mask = thresholdProbabilities(prob, 0.5);
    const marks = new Uint8Array(mask.length);
    const stack = new UndoStack(mask, width, height, [marks]);
    const retune = (t: number) => {
      const pred = thresholdProbabilities(prob, t);
      stack.begin('threshold');
      stack.touch({ x: 0, y: 0, width, height });
      for (let p = 0; p < mask.length; p++) if (!marks[p]) mask[p] = pred[p];
      stack.commit();
    };
    stack.begin('erase');
    strokeSegment(mask, width, height, { x: 100, y: 100 }, { x: 400, y: 450 }, 12, 0, (y, x0, x1) => {
      stack.span(y, x0, x1);
      marks.fill(1, y * width + x0, y * width + x1);
    });
    stack.commit();
    const erased = mask.slice();
    retune(0.1); // everything is above 0.1 except what the hand erased
    assert.ok(
      mask.some((v, p) => marks[p] && v === 0),
      'the erased pixels survive the slider',
    );
    stack.undo(); // the slider move
    stack.undo(); // the erase: its marks go too
    assert.deepEqual(mask, thresholdProbabilities(prob, 0.5));
    retune(0.1);
    assert.ok(
      mask.every((v) => v === 1),
      'with the erase undone the slider rewrites every pixel',
    );
    assert.notDeepEqual(mask, erased);
  });
});
