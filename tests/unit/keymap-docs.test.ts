// The keys the viewer's help overlay and the README show are the keys the viewer takes: each key an overlay row shows
// does that row's action, and each key the README names in bold is one of the overlay's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { actionFor, BINDINGS, type KeyInput } from '../../renderer/src/viewer/keymap.js';
import { repoRoot } from '../e2e/model-fixture.js';

const NAMED: Record<string, string> = {
  Esc: 'Escape',
  Delete: 'Delete',
  '→': 'ArrowRight',
  '←': 'ArrowLeft',
  '↑': 'ArrowUp',
  '↓': 'ArrowDown',
};

/** The keydown a key as written ('Shift+R', 'Ctrl+Z', '?', '→') makes: Shift gives a letter its capital. */
function keydown(written: string): KeyInput {
  const parts = written.split('+');
  const k = parts.pop()!;
  const mods = new Set(parts);
  const shiftKey = mods.has('Shift');
  const key = NAMED[k] ?? (k.length === 1 ? (shiftKey ? k.toUpperCase() : k.toLowerCase()) : k);
  return { key, ctrlKey: mods.has('Ctrl'), metaKey: false, altKey: mods.has('Alt'), shiftKey };
}

/** Every key an overlay row shows ('H / ?' is two). */
const shown = BINDINGS.flatMap((b) => b.keys.split(' / ').map((k) => ({ k: k.trim(), action: b.action })));

test("each key the help overlay shows does its row's action", () => {
  const wrong = shown
    .map(({ k, action }) => ({ k, action, got: actionFor(keydown(k)) }))
    .filter((r) => r.got !== r.action);
  assert.deepEqual(wrong, []);
});

test('each key the README names in bold is a key the help overlay shows', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const keyLike = /^(?:(?:Shift|Ctrl|Alt)\+)*(?:[A-Z0-9]|\[|\]|Delete|Esc)$/;
  const named = [...readme.matchAll(/\*\*([^*\n]+)\*\*/g)].map((m) => m[1]).filter((k) => keyLike.test(k));
  assert.ok(named.length >= 10, `${named.length} keys found`);
  const keys = new Set(shown.map((s) => s.k));
  assert.deepEqual(
    named.filter((k) => !keys.has(k)),
    [],
  );
});
