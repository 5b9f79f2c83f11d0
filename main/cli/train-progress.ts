// `retina train`'s progress on stderr: the trainer's messages as lines, the steps as a bar. The bar's elapsed time
// counts from the command's start, so the minutes spent loading and preprocessing the images before the first step
// show; its ETA comes from the steps' own pace.
import type { TrainEvent } from '../ml/train/training-run.js';
import { createProgressBar, type ProgressBar } from './progress.js';

export function trainProgress(stream: NodeJS.WriteStream = process.stderr): (e: TrainEvent) => void {
  const startedAt = Date.now();
  let bar: ProgressBar | null = null;
  let loading: ProgressBar | null = null;
  return (e) => {
    if (e.type === 'prepare' || e.type === 'finalise') stream.write(`${e.message}\n`);
    // Loading and preprocessing a large set takes minutes before the first step: a bar of its own says so.
    else if (e.type === 'load') {
      loading ??= createProgressBar('load', e.total, { stream, startedAt });
      if (e.done >= e.total) loading.finish('images loaded', e.done);
      else loading.update(e.done, 'loading and preprocessing the images');
    } else if (e.type === 'resume') stream.write(`resuming after epoch ${e.epoch}\n`);
    else if (e.type === 'step') {
      bar ??= createProgressBar('train', e.totalSteps, { stream, startedAt });
      bar.update(
        e.globalStep + 1,
        `epoch ${e.epoch + 1} loss ${e.loss.toFixed(4)} ${e.patchesPerSecond.toFixed(0)} patches/s`,
      );
    } else if (e.type === 'epoch') {
      stream.write(
        `\nepoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}, ` +
          `val F1 ${e.valF1.toFixed(4)}, val AUC ${e.valAuc.toFixed(4)}${e.improved ? ' (best)' : ''} [${e.seconds.toFixed(0)} s]\n`,
      );
    } else if (e.type === 'stop') stream.write(`\nstopped: ${e.reason}\n`);
  };
}
