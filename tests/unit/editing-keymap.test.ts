// Which keys the viewer's shortcuts take and which belong to the focused control.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor, BINDINGS, keyBelongsToControl, type KeyInput } from '../../renderer/src/viewer/keymap.js';

const el = (tagName: string, type?: string, isContentEditable = false) => ({
  tagName,
  type,
  isContentEditable,
});
const key = (k: string, target: object | null) => ({ key: k, target });
const keyboard = (k: string, mods: Partial<KeyInput> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods }) as KeyInput;

describe('viewer keyboard map', () => {
  test('arrows on a slider or a check box move the control, not the image', () => {
    for (const k of ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp']) {
      assert.equal(keyBelongsToControl(key(k, el('INPUT', 'range'))), true, `${k} on a slider`);
      assert.equal(keyBelongsToControl(key(k, el('INPUT', 'checkbox'))), true, `${k} on a check box`);
      assert.equal(keyBelongsToControl(key(k, el('DIV'))), false, `${k} on the canvas`);
    }
    assert.equal(actionFor(keyboard('ArrowLeft')), 'previous');
  });

  test('shortcut letters still work on a focused slider or button; text fields keep every key', () => {
    for (const k of ['b', 'e', 'a', 'z', '[', 'Escape']) {
      assert.equal(keyBelongsToControl(key(k, el('INPUT', 'range'))), false, `${k} on a slider`);
      assert.equal(keyBelongsToControl(key(k, el('BUTTON'))), false, `${k} on a button`);
      assert.equal(keyBelongsToControl(key(k, el('INPUT', 'number'))), true, `${k} in a number field`);
      assert.equal(keyBelongsToControl(key(k, el('INPUT', 'text'))), true, `${k} in a text field`);
      assert.equal(keyBelongsToControl(key(k, el('TEXTAREA'))), true);
      assert.equal(keyBelongsToControl(key(k, el('DIV', undefined, true))), true, 'contenteditable');
    }
    assert.equal(keyBelongsToControl(key(' ', el('BUTTON'))), true, 'Space presses a button');
    assert.equal(keyBelongsToControl(key('Enter', el('INPUT', 'checkbox'))), true);
    assert.equal(keyBelongsToControl(key(' ', el('DIV'))), false, 'Space on the canvas pans');
    assert.equal(keyBelongsToControl(key('a', null)), false);
    // An input without a type attribute is a text field.
    assert.equal(keyBelongsToControl(key('a', el('input'))), true);
  });

  test('every binding has a distinct action, and the documented keys map to them', () => {
    assert.equal(new Set(BINDINGS.map((b) => b.action)).size, BINDINGS.length);
    const cases: [KeyInput, string][] = [
      [keyboard('b'), 'brush'],
      [keyboard('e'), 'eraser'],
      [keyboard('f'), 'fill'],
      [keyboard('F', { shiftKey: true }), 'holes'],
      [keyboard('l'), 'lasso'],
      [keyboard('['), 'smaller'],
      [keyboard(']'), 'bigger'],
      [keyboard('z', { ctrlKey: true }), 'undo'],
      [keyboard('Z', { ctrlKey: true, shiftKey: true }), 'redo'],
      [keyboard('o'), 'toggleMask'],
      [keyboard('h'), 'help'],
      [keyboard('c'), 'clahe'],
      [keyboard('g'), 'green'],
      [keyboard('ArrowRight'), 'next'],
      [keyboard('a'), 'approve'],
    ];
    for (const [e, action] of cases) assert.equal(actionFor(e), action, `key ${e.key}`);
    assert.equal(actionFor(keyboard('a', { ctrlKey: true })), null, 'Ctrl+A is not approve');
  });
});
