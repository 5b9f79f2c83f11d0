// The desktop app's main process meeting an uncaught exception: the stack goes to the support log (without the
// patient's file name its message quotes) and the user's dialog is one plain line naming the log, no stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uncaughtErrorBox } from '../../main/app/uncaught-error.js';
import { DiagnosticsLog } from '../../main/node/diagnostics-log.js';

test('an uncaught exception: logged with its stack, a plain dialog naming the log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-uncaught-'));
  try {
    const log = new DiagnosticsLog(join(dir, 'logs', 'retina.log'));
    const err = new TypeError("Cannot read properties of undefined (reading 'width') in 'Jane_Doe.jpg'");
    const box = uncaughtErrorBox(err, log);
    assert.match(box.content, /^Cannot read properties of undefined/);
    assert.ok(box.content.includes(log.file), box.content);
    assert.doesNotMatch(box.content, /\n\s+at /, 'no stack in the dialog');
    const text = readFileSync(log.file, 'utf8');
    assert.match(text, /unexpected error in the desktop app \(main process\): TypeError: /);
    assert.match(text, /\n\s+at .+:\d+:\d+/, 'the stack is in the log');
    assert.doesNotMatch(text, /Jane|Doe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log that cannot be written: the dialog says so, plainly', () => {
  const log = new DiagnosticsLog(join('/dev/null', 'retina.log'));
  const box = uncaughtErrorBox('a thrown string', log);
  assert.match(box.content, /^a thrown string\n\nThe details could not be written/);
});
