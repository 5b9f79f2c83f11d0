// The progress bar's last line is written once: on a log (no TTY) the update that reached the end already printed
// it, and finish printed "3/3 100%" a second time.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressBar } from '../../main/cli/progress.js';

/** A stream that keeps what is written, with or without a terminal. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY,
    write(chunk: string): boolean {
      written.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

test('on a log, the end of the work is one line, with the last item named', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const { stream, written } = fakeStream(false);
    const bar = createProgressBar('measure', 3, { stream });
    // Each image takes longer than the throttle, so each update prints.
    for (const [i, name] of ['a.jpg', 'b.jpg', 'sample.JPG'].entries()) {
      mock.timers.tick(6000);
      bar.update(i + 1, name);
    }
    bar.finish();
    const lines = written.join('').trimEnd().split('\n');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[2], /^measure \[#+\] 3\/3 100% elapsed 00:18 ETA 00:00 sample\.JPG$/);
  } finally {
    mock.timers.reset();
  }
});

test('on a log, a last line not yet printed (the throttle held it), or one saying the work stopped, is printed', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const { stream, written } = fakeStream(false);
    const bar = createProgressBar('segment', 3, { stream });
    mock.timers.tick(6000);
    bar.update(1, 'a.jpg');
    mock.timers.tick(1000);
    bar.update(2, 'b.jpg');
    bar.finish();
    assert.deepEqual(
      written.map((l) => l.replace(/ \[[#-]+\]/, '').replace(/ elapsed.*ETA \d\d:\d\d/, '')),
      ['segment 1/3 33% a.jpg\n', 'segment 3/3 100%\n'],
    );
    const stopped = fakeStream(false);
    const cut = createProgressBar('segment', 3, { stream: stopped.stream });
    mock.timers.tick(6000);
    cut.update(1, 'a.jpg');
    cut.finish('stopped', 1);
    assert.equal(stopped.written.length, 2);
    assert.match(stopped.written[1], /1\/3 33% .* stopped\n$/);
  } finally {
    mock.timers.reset();
  }
});

test('on a terminal, the bar is redrawn in place and ends with one newline', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const { stream, written } = fakeStream(true);
    const bar = createProgressBar('measure', 2, { stream });
    mock.timers.tick(1000);
    bar.update(1, 'a.jpg');
    mock.timers.tick(1000);
    bar.update(2, 'sample.JPG');
    bar.finish();
    const out = written.join('');
    assert.equal(out.split('\n').length - 1, 1);
    assert.ok(out.endsWith('\n'));
    // What the terminal shows after the last carriage return and line clear: the final line, once.
    const shown = out.slice(out.lastIndexOf('\r\x1b[2K') + '\r\x1b[2K'.length);
    assert.match(shown, /^measure \[#+\] 2\/2 100% elapsed 00:02 ETA 00:00 sample\.JPG\n$/);
  } finally {
    mock.timers.reset();
  }
});
