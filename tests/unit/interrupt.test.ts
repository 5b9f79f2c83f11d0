// Ctrl+C and SIGTERM for `retina`: with no command holding an interrupt signal the process ends at once (as a kill
// would); a command holding one is told and ends on its own, unless a second signal comes or the grace runs out.
// The handlers are the real ones, fed signals by process.emit, with the exit and the message captured.
import { test, mock, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { handleInterrupts, interruptSignal } from '../../main/cli/interrupt.js';
import { interruptedBatch } from '../../main/cli/batch.js';
import { EXIT } from '../../main/cli/errors.js';

function install(grace = 1000) {
  const exits: number[] = [];
  const said: string[] = [];
  const uninstall = handleInterrupts({ grace, exit: (c) => exits.push(c), write: (t) => said.push(t) });
  return { exits, said, uninstall };
}

let cleanup: (() => void) | null = null;

/** The handlers installed with a command holding an interrupt signal, both undone after the test. */
function installHolding(grace?: number) {
  const h = install(grace);
  const held = interruptSignal();
  cleanup = () => {
    held.release();
    h.uninstall();
  };
  return { ...h, held };
}
afterEach(() => {
  cleanup?.();
  cleanup = null;
  process.exitCode = undefined;
  mock.timers.reset();
});

test('without a command holding a signal, the first Ctrl+C ends the process at once', () => {
  const h = install();
  cleanup = h.uninstall;
  process.emit('SIGINT');
  assert.deepEqual(h.exits, [EXIT.interrupted]);
  assert.match(h.said.join(''), /interrupted \(SIGINT\)/);
});

test('a command holding a signal is told, and the process goes on until it stops', () => {
  const { held, ...h } = installHolding();
  process.emit('SIGTERM');
  assert.equal(held.signal.aborted, true);
  assert.deepEqual(h.exits, []);
  assert.equal(process.exitCode, EXIT.interrupted, 'the command ends with the interrupted code');
  assert.match(h.said.join(''), /stopping after the current step/);
});

test('a second signal ends the process at once', () => {
  const h = installHolding();
  process.emit('SIGINT');
  process.emit('SIGINT');
  assert.deepEqual(h.exits, [EXIT.interrupted]);
});

test('a command that has not stopped when the grace runs out is ended', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const h = installHolding(30_000);
  process.emit('SIGINT');
  mock.timers.tick(29_999);
  assert.deepEqual(h.exits, []);
  mock.timers.tick(1);
  assert.deepEqual(h.exits, [EXIT.interrupted]);
  assert.match(h.said.join(''), /still running 30 s after the interruption/);
});

test('work that must not be left half done is not ended by the grace, only by a second signal', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const h = install(30_000);
  const backup = interruptSignal({ patient: true });
  cleanup = () => {
    backup.release();
    h.uninstall();
  };
  process.emit('SIGINT');
  assert.equal(backup.signal.aborted, true, 'told, so it may say it is finishing');
  mock.timers.tick(120_000);
  assert.deepEqual(h.exits, []);
  assert.match(h.said.join(''), /finishing first what must not be left half done/);
  process.emit('SIGINT');
  assert.deepEqual(h.exits, [EXIT.interrupted]);
});

test('a released signal no longer holds the process', () => {
  const h = install();
  cleanup = h.uninstall;
  const held = interruptSignal();
  held.release();
  process.emit('SIGINT');
  assert.equal(held.signal.aborted, false);
  assert.deepEqual(h.exits, [EXIT.interrupted]);
});

test('a batch says how far it got', () => {
  assert.equal(
    interruptedBatch(3, 12),
    'interrupted after 3 of 12 images; the files written for them are complete',
  );
});
