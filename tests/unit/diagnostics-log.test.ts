// The support log on real files: bounded (one full file kept as .1, then a new one), private, in the platform's
// place for logs, and what an error message quotes (paths, file names, quoted values) left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DiagnosticsLog,
  MAX_LOG_BYTES,
  defaultLogPath,
  redactMessage,
} from '../../main/node/diagnostics-log.js';

test('the log never holds more than two files of MAX_LOG_BYTES (plus one entry)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-log-'));
  try {
    const log = new DiagnosticsLog(join(dir, 'logs', 'retina.log'));
    const err = new TypeError("Cannot read properties of undefined (reading 'width')");
    let entry = 0;
    for (let i = 0; i < 8000; i++) {
      assert.equal(log.write('getMasks', err), true);
      if (i === 0) entry = statSync(log.file).size;
    }
    assert.ok(8000 * entry > 2 * MAX_LOG_BYTES, 'the test writes more than two files hold');
    assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['retina.log', 'retina.log.1']);
    assert.ok(statSync(log.file).size < MAX_LOG_BYTES + entry);
    assert.ok(statSync(`${log.file}.1`).size < MAX_LOG_BYTES + entry);
    if (process.platform !== 'win32')
      assert.equal(statSync(log.file).mode & 0o077, 0, 'readable by its user only');
    assert.match(readFileSync(log.file, 'utf8'), /unexpected error in getMasks: TypeError: .*\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log that cannot be written never fails the caller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-log-'));
  try {
    const log = new DiagnosticsLog(join('/dev/null', 'retina.log'));
    assert.equal(log.write('getMasks', new Error('x')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('messages lose the paths, file names and quoted values they carry', () => {
  assert.equal(
    redactMessage('Input file is missing: /home/clinic/Smith John/OD.jpg'),
    'Input file is missing: <path>',
  );
  assert.equal(redactMessage('cannot decode Smith_John_OD.tif here'), 'cannot decode <file> here');
  assert.equal(
    redactMessage(`Unexpected token 'J', "Jane Doe" is not valid JSON`),
    'Unexpected token <value>, <value> is not valid JSON',
  );
  assert.equal(redactMessage('C:\\Users\\x\\Doe.png: unreadable'), '<path>: unreadable');
  assert.equal(
    redactMessage("Cannot read properties of undefined (reading 'width')"),
    'Cannot read properties of undefined (reading <value>)',
  );
});

test('the log lives in the platform place for logs, or RETINA_LOG_DIR', () => {
  assert.equal(defaultLogPath({ RETINA_LOG_DIR: '/srv/logs' }, 'linux'), '/srv/logs/retina.log');
  assert.equal(defaultLogPath({ HOME: '/home/a' }, 'linux'), '/home/a/.local/state/RetinaStudio/retina.log');
  assert.equal(
    defaultLogPath({ HOME: '/home/a', XDG_STATE_HOME: '/x/state' }, 'linux'),
    '/x/state/RetinaStudio/retina.log',
  );
  assert.equal(
    defaultLogPath({ HOME: '/Users/a' }, 'darwin'),
    '/Users/a/Library/Logs/RetinaStudio/retina.log',
  );
  assert.equal(
    defaultLogPath({ HOME: '/home/a', RETINA_LOG_DIR: 'relative' }, 'linux'),
    '/home/a/.local/state/RetinaStudio/retina.log',
  );
});
