// `retina train`'s clock: the images are loaded and preprocessed before the first step (minutes, on a large set).
// The bar's elapsed time counted from that first step, so the loading time showed nowhere; it now counts from the
// command's start, while the ETA still comes from the steps' own pace. Time is a mocked clock, not the wall's.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { trainProgress } from '../../main/cli/train-progress.js';
import type { TrainEvent } from '../../main/ml/train/training-run.js';

/** A stream without a terminal that keeps what is written. */
function logStream(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY: false,
    write(chunk: string): boolean {
      written.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

const step = (globalStep: number): TrainEvent => ({
  type: 'step',
  epoch: 0,
  step: globalStep,
  stepsPerEpoch: 10,
  globalStep,
  totalSteps: 10,
  loss: 0.5,
  learningRate: 1e-3,
  patchesPerSecond: 100,
});

test('the elapsed time counts the loading before the first step; the ETA comes from the steps alone', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const { stream, written } = logStream();
    const onEvent = trainProgress(stream);
    // 90 s of loading and preprocessing 3 images.
    for (let done = 1; done <= 3; done++) {
      mock.timers.tick(30_000);
      onEvent({ type: 'load', done, total: 3 });
    }
    onEvent(step(0));
    mock.timers.tick(10_000);
    onEvent(step(1));
    const last = written.join('').trimEnd().split('\n').at(-1) ?? '';
    // 100 s since the command started; 2 of 10 steps done in 10 s, 8 to go at that pace: 40 s.
    assert.match(last, /^train \[#+-+\] 2\/10 20% elapsed 01:40 ETA 00:40 epoch 1 /);
  } finally {
    mock.timers.reset();
  }
});

test('loading the images shows a bar of its own before the first step', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const { stream, written } = logStream();
    const onEvent = trainProgress(stream);
    mock.timers.tick(20_000);
    onEvent({ type: 'load', done: 1, total: 2 });
    const shown = written.join('');
    assert.match(shown, /^load \[#+-+\] 1\/2 50% elapsed 00:20 .*loading and preprocessing the images/m);
    mock.timers.tick(20_000);
    onEvent({ type: 'load', done: 2, total: 2 });
    assert.match(written.join(''), /load \[#+\] 2\/2 100% elapsed 00:40 .*images loaded/);
  } finally {
    mock.timers.reset();
  }
});
