// `retina retrain`'s progress on stderr: one bar per part (vessel, then artery/vein, then optic disc), each labelled
// by its part and timed from its own start, so a part's bar never starts half-way with the last part's clock; the
// other phases' messages as lines between the bars.
import type { RetrainProgress } from '../retrain/run.js';
import { createProgressBar, type ProgressBar } from './progress.js';

type MakeBar = (label: string, total: number) => ProgressBar;

export function retrainProgress(
  makeBar: MakeBar = (label, total) => createProgressBar(label, total),
  writeLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): (e: RetrainProgress) => void {
  let bar: { runId: number; bar: ProgressBar; step: number } | null = null;
  let lastMessage = '';
  // A bar ends when its part leaves training: its last line stays, and the next output starts on a line of its own.
  const endBar = (): void => {
    bar?.bar.finish(undefined, bar.step);
    bar = null;
  };
  return (e) => {
    if (e.phase === 'training') {
      if (bar?.runId !== e.runId) {
        endBar();
        bar = { runId: e.runId, bar: makeBar(`retrain ${e.part}`, e.totalSteps), step: 0 };
      }
      // The phase starts at step 0 ('training the ... candidate'); only steps move the bar.
      if (e.step > 0) {
        bar.step = e.step;
        bar.bar.update(e.step, e.loss !== null ? `loss ${e.loss.toFixed(4)}` : undefined);
      }
      return;
    }
    endBar();
    if (e.message !== lastMessage) {
      lastMessage = e.message;
      writeLine(e.message);
    }
  };
}
