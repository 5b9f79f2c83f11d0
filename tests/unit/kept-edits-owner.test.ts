// A browser keeps an edit whose save could not be delivered under its owner: on a team, the account is part of it,
// so on a clinic's shared browser one person's kept edit is never offered to the next person who logs in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptEditsOwner } from '../../renderer/src/viewer/keptEditsOwner.js';

test('single-user mode: the study alone owns the kept edits', () => {
  assert.equal(keptEditsOwner('study-a', null), 'study-a');
});

test('team mode: each account of a study has its own kept edits', () => {
  const anna = keptEditsOwner('study-a', 'anna');
  const otto = keptEditsOwner('study-a', 'otto');
  assert.notEqual(anna, otto);
  assert.notEqual(anna, keptEditsOwner('study-a', null));
  assert.notEqual(anna, keptEditsOwner('study-b', 'anna'));
});
