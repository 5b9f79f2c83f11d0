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

describe('shortcuts on a non-Latin keyboard layout', () => {
  test('a letter of another script falls back to the physical key', () => {
    // Russian, Greek and Hebrew layouts: the key printed is not Latin, the physical key is.
    assert.equal(actionFor(keyboard('я', { code: 'KeyZ', ctrlKey: true })), 'undo', 'Ctrl+я (Z) undoes');
    assert.equal(actionFor(keyboard('Я', { code: 'KeyZ', ctrlKey: true, shiftKey: true })), 'redo');
    assert.equal(actionFor(keyboard('н', { code: 'KeyY', metaKey: true })), 'redo');
    assert.equal(actionFor(keyboard('и', { code: 'KeyB' })), 'brush');
    assert.equal(actionFor(keyboard('у', { code: 'KeyE' })), 'eraser');
    assert.equal(actionFor(keyboard('ф', { code: 'KeyA' })), 'approve');
    assert.equal(actionFor(keyboard('м', { code: 'KeyV' })), 'toggleAv');
    assert.equal(actionFor(keyboard('К', { code: 'KeyR', shiftKey: true })), 'vein', 'Shift+R on Cyrillic');
    assert.equal(actionFor(keyboard('ζ', { code: 'KeyZ', ctrlKey: true })), 'undo', 'Greek');
    assert.equal(actionFor(keyboard('ז', { code: 'KeyZ', ctrlKey: true })), 'undo', 'Hebrew');
    assert.equal(actionFor(keyboard('ש', { code: 'KeyA' })), 'approve', 'Hebrew A');
    assert.equal(actionFor(keyboard('à', { code: 'Digit0' })), 'fit', "AZERTY's 0 key, unshifted");
    // The brush-size keys type 'х' and 'ъ' on a Russian layout: the physical bracket keys still size the brush.
    assert.equal(actionFor(keyboard('х', { code: 'BracketLeft' })), 'smaller', 'Cyrillic [');
    assert.equal(actionFor(keyboard('ъ', { code: 'BracketRight' })), 'bigger', 'Cyrillic ]');
    assert.equal(actionFor(keyboard('Х', { code: 'BracketLeft', shiftKey: true })), 'smaller');
    assert.equal(actionFor(keyboard('х', { code: 'BracketLeft', ctrlKey: true })), null, 'not with Ctrl');
  });

  test('the printed Latin letter wins over the physical key; punctuation keeps its meaning', () => {
    // AZERTY: the key printed A sits where QWERTY has Q; Dvorak's Z sits on QWERTY's slash.
    assert.equal(actionFor(keyboard('a', { code: 'KeyQ' })), 'approve');
    assert.equal(actionFor(keyboard('z', { code: 'Slash', ctrlKey: true })), 'undo');
    assert.equal(actionFor(keyboard('q', { code: 'KeyA' })), null, "AZERTY's Q is not approve");
    // Punctuation on the bracket keys keeps its own meaning: '+' there (German) sizes nothing, '[' anywhere sizes.
    assert.equal(actionFor(keyboard('+', { code: 'BracketRight' })), null);
    assert.equal(actionFor(keyboard('[', { code: 'Digit8' })), 'smaller');
    // '?' on AZERTY is Shift on the physical M key: still Help, not Measurements.
    assert.equal(actionFor(keyboard('?', { code: 'KeyM', shiftKey: true })), 'help');
    assert.equal(actionFor(keyboard('&', { code: 'Digit1' })), null, "AZERTY's unshifted 1 key");
    assert.equal(actionFor(keyboard('ArrowRight', { code: 'ArrowRight' })), 'next');
    // A letter of another script on a key with no letter, digit or shortcut matches nothing (Russian 'ж' is ';').
    assert.equal(actionFor(keyboard('ж', { code: 'Semicolon' })), null);
  });
});
