import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { strokeSegment } from '../../renderer/src/editing/brush.js';
import { floodFill } from '../../renderer/src/editing/floodFill.js';
import { fillPolygon } from '../../renderer/src/editing/lasso.js';
import { removeIslands } from '../../renderer/src/editing/morphology.js';
import { UndoStack } from '../../renderer/src/editing/undo.js';
import { diffBox, driveManual, prng } from './editing-fixtures.js';

/**
 * A mask that counts the bytes read from it, by index or through subarray/slice; UndoStack cannot tell it from
 * a plain Uint8Array.
 */
function countingMask(length: number): { mask: Uint8Array; reads: () => number } {
  const bytes = new Uint8Array(length);
  let n = 0;
  const mask = new Proxy(bytes, {
    get(target, key) {
      if (typeof key === 'string') {
        const i = Number(key);
        if (Number.isInteger(i)) {
          n++;
          return target[i];
        }
        if (key === 'subarray' || key === 'slice') {
          return (start?: number, end?: number): Uint8Array => {
            const part = target[key](start, end);
            n += part.length;
            return part;
          };
        }
      }
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
    set(target, key, value) {
      return Reflect.set(target, key, value, target);
    },
  });
  return { mask, reads: () => n };
}

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

  test('the history holds at most its byte budget: the oldest edits go, undo stops at the oldest kept', () => {
    const w = 64;
    const h = 64;
    const mask = new Uint8Array(w * h);
    // Each full-width band below costs 2 * 64 * 8 bytes (before and after): the budget keeps three of them.
    const stack = new UndoStack(mask, w, h, [], 3 * 2 * w * 8);
    const states: Uint8Array[] = [];
    for (let k = 0; k < 6; k++) {
      states.push(mask.slice());
      stack.begin('band');
      fillPolygon(
        mask,
        w,
        h,
        [
          { x: 0, y: k * 10 },
          { x: w, y: k * 10 },
          { x: w, y: k * 10 + 8 },
          { x: 0, y: k * 10 + 8 },
        ],
        1,
        'nonzero',
        stack.span,
      );
      assert.ok(stack.commit());
      assert.ok(stack.bytes <= 3 * 2 * w * 8, `edit ${k}: ${stack.bytes} bytes held`);
    }
    assert.equal(stack.undoDepth, 3);
    assert.equal(stack.forgotten, 3, 'the three oldest edits were let go');
    while (stack.undo());
    assert.deepEqual(mask, states[3], 'undo goes back as far as the oldest edit kept, no further');
    while (stack.redo());
    assert.equal(stack.undoDepth, 3);
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
    // Counted, not timed: the bytes the stack reads from the mask per edit, against the 32x32 tiles it touched.
    const w = 3504;
    const h = 2336;
    const { mask, reads } = countingMask(w * h);
    const stack = new UndoStack(mask, w, h);
    for (let k = 0; k < 50; k++) {
      const tiles = new Set<number>();
      const span = (y: number, x0: number, x1: number): void => {
        for (let tx = x0 >> 5; tx <= (x1 - 1) >> 5; tx++) tiles.add((y >> 5) * w + tx);
        stack.span(y, x0, x1);
      };
      const before = reads();
      stack.begin('dab');
      strokeSegment(mask, w, h, { x: 100 + k * 60, y: 1000 }, { x: 130 + k * 60, y: 1040 }, 8, 1, span);
      const patch = stack.commit();
      const read = reads() - before;
      assert.ok(patch);
      const tileBytes = tiles.size * 32 * 32;
      // Save each touched tile, compare it at commit, copy the changed rectangle (+2: the brush's endpoint reads).
      const bound = 2 * tileBytes + patch.rect.width * patch.rect.height + 2;
      assert.ok(
        read >= tileBytes && read <= bound,
        `dab ${k}: read ${read} bytes, ${tiles.size} tiles touched`,
      );
      // One pass over the whole mask (8 M bytes) would be far over.
      assert.ok(read * 100 < w * h, `dab ${k}: read ${read} bytes`);
    }
    assert.ok(stack.bytes < 50 * 2 * 50 * 60, `held ${stack.bytes} bytes`);
  });
});
