// The support log on real files: bounded (one full file kept as .1, then a new one), private, in the platform's
// place for logs, and what an error message quotes (paths, file names, quoted values) left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

test(
  'a log file already there, readable by others, is made readable by its user only',
  { skip: process.platform === 'win32' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'retina-log-'));
    try {
      const log = new DiagnosticsLog(join(dir, 'retina.log'));
      writeFileSync(log.file, 'an earlier line\n');
      chmodSync(log.file, 0o644);
      assert.equal(log.write('getMasks', new Error('x')), true);
      assert.equal(statSync(log.file).mode & 0o077, 0);
      assert.match(readFileSync(log.file, 'utf8'), /^an earlier line\n.*unexpected error in getMasks/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a rotation that fails (another process rotated first, the older file held open) still writes the entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-log-'));
  try {
    const log = new DiagnosticsLog(join(dir, 'retina.log'));
    writeFileSync(log.file, 'x'.repeat(MAX_LOG_BYTES));
    // retina.log.1 cannot be replaced: here a folder that is not empty.
    mkdirSync(join(`${log.file}.1`, 'held'), { recursive: true });
    assert.equal(log.write('getMasks', new Error('x')), true);
    assert.match(readFileSync(log.file, 'utf8'), /unexpected error in getMasks/);
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
  // Where a file name begins cannot be told (it may hold spaces): its clause goes whole.
  assert.equal(redactMessage('cannot decode Smith_John_OD.tif here'), '<file> here');
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

test('names with spaces, apostrophes, other quotes or several lines leave nothing in the log', () => {
  const names = /Jane|Doe|Brien|M\u00fcller|J\u00fcrgen/;
  const messages = [
    'cannot read Jane Doe OD.jpg: bad header',
    'image 3 (M\u00fcller J\u00fcrgen.jpeg) failed',
    'cannot open photos/Jane Doe/od.png',
    "patient 'O'Brien' not found",
    'patient \u201cJane Doe\u201d missing',
    "value 'Jane\nDoe' is not a date",
    "unterminated 'Jane Doe",
    // DICOM person names (family^given^middle), unquoted, as a parser's message would carry them.
    'no visit for DOE^JANE on 2024-01-02',
    'PatientName M\u00dcLLER^J\u00dcRGEN^^DR too long',
    'reader VAN DER DOE^JANE MARIA, image 4',
  ];
  for (const m of messages) assert.doesNotMatch(redactMessage(m), names, m);
  // Kept: words that are no one's, and apostrophes inside them.
  assert.equal(redactMessage("can't decode: bad header"), "can't decode: bad header");
  assert.equal(redactMessage('no visit for DOE^JANE on 2024-01-02'), 'no visit for <name> on 2024-01-02');

  // The whole entry, on a real file: a message's own lines that look like stack frames are not taken as frames.
  const dir = mkdtempSync(join(tmpdir(), 'retina-log-'));
  try {
    const log = new DiagnosticsLog(join(dir, 'retina.log'));
    const cause = new Error('decode failed\n    at Jane Doe OD.jpg');
    assert.equal(log.write('importImages', new Error('import failed', { cause })), true);
    assert.equal(log.write('importImages', new Error('cannot read Jane Doe OD.jpg: bad header')), true);
    const text = readFileSync(log.file, 'utf8');
    assert.match(text, /caused by Error: decode failed/);
    assert.doesNotMatch(text, names);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
