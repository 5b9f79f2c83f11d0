// `retina retrain` trains its parts in turn (vessel, artery/vein, optic disc): each part gets a bar of its own,
// labelled by the part, whose elapsed time and ETA count from that part's start. Before, the one bar went back to
// 0/N when the artery/vein part started, with its elapsed time still counting from the vessel part's start.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressBar } from '../../main/cli/progress.js';
import { retrainProgress } from '../../main/cli/retrain-progress.js';
import type { RetrainProgress } from '../../main/retrain/run.js';

function event(change: Partial<RetrainProgress>): RetrainProgress {
  return {
    runId: 1,
    part: 'vessel',
    phase: 'preparing',
    message: '',
    step: 0,
    totalSteps: 0,
    epoch: 0,
    epochs: 1,
    loss: null,
    elapsedSeconds: 0,
    etaSeconds: null,
    losses: [],
    epochCurve: [],
    ...change,
  };
}

test('each part of a retrain has its own bar, labelled and timed from its own start', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    const written: string[] = [];
    // A log, not a terminal: every line is kept as written.
    const stream = {
      isTTY: false,
      write: (chunk: string) => written.push(chunk) > 0,
    } as unknown as NodeJS.WriteStream;
    const show = retrainProgress(
      (label, total) => createProgressBar(label, total, { stream }),
      (line) => written.push(`${line}\n`),
    );
    show(event({ message: 'writing the training set' }));
    for (let step = 1; step <= 10; step++) {
      mock.timers.tick(6000);
      show(event({ phase: 'training', step, totalSteps: 10, loss: 0.5 }));
    }
    show(event({ phase: 'evaluating', step: 10, totalSteps: 10, message: 'scoring both models' }));
    show(event({ runId: 2, part: 'artery/vein', message: 'retraining the artery/vein model' }));
    show(event({ runId: 2, part: 'artery/vein', phase: 'training', totalSteps: 4, message: 'training' }));
    mock.timers.tick(6000);
    show(event({ runId: 2, part: 'artery/vein', phase: 'training', step: 1, totalSteps: 4, loss: 0.7 }));
    show(
      event({
        runId: 2,
        part: 'artery/vein',
        phase: 'evaluating',
        message: 'scoring both artery/vein models',
      }),
    );

    const lines = written.join('').trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 2), [
      'writing the training set',
      // Its clock starts at its first step, as the vessel trainer's first event is that step.
      'retrain vessel [##----------------------] 1/10 10% elapsed 00:00 ETA 00:00 loss 0.5000',
    ]);
    const vesselEnd = lines.indexOf('scoring both models') - 1;
    assert.match(lines[vesselEnd], /^retrain vessel \[#{24}\] 10\/10 100% elapsed 00:54 ETA 00:00/);
    const av = lines.filter((l) => l.startsWith('retrain artery/vein'));
    assert.deepEqual(av, [
      'retrain artery/vein [######------------------] 1/4 25% elapsed 00:06 ETA 00:18 loss 0.7000',
    ]);
    assert.equal(lines.at(-1), 'scoring both artery/vein models');
  } finally {
    mock.timers.reset();
  }
});
