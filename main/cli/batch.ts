// The loop of a command over its input photographs (`segment`, `measure`): one progress bar, a failed input
// reported and recorded without stopping the others, and Ctrl+C honoured between inputs so that every file
// written is whole. The exit code says whether the batch was interrupted, partly failed or done.
import { basename } from 'node:path';
import { EXIT, errorMessage, inputErrorMessage } from './errors.js';
import { interruptSignal } from './interrupt.js';
import { createProgressBar } from './progress.js';

/** An input that failed, as the --json summaries list it. */
export interface FailedInput {
  input: string;
  error: string;
}

export interface Batch<T> {
  command: string;
  total: number;
  /** In input order: each input's result or its failure (fewer than `total` when interrupted). */
  results: (T | FailedInput)[];
  failures: number;
  interrupted: boolean;
  /** The batch stopped early because the disk is full (every later write would fail too). */
  diskFull: boolean;
}

/** A write refused for want of room: ENOSPC, or the store's "the disk is full". */
function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || /\bENOSPC\b|the disk is full/.test(errorMessage(err));
}

export async function runBatch<T>(
  command: string,
  files: string[],
  each: (file: string, index: number) => Promise<T>,
): Promise<Batch<T>> {
  const bar = createProgressBar(command, files.length, { quiet: files.length < 2 });
  const batch: Batch<T> = {
    command,
    total: files.length,
    results: [],
    failures: 0,
    interrupted: false,
    diskFull: false,
  };
  const interrupt = interruptSignal();
  try {
    for (const [i, file] of files.entries()) {
      if (interrupt.signal.aborted) break;
      try {
        batch.results.push(await each(file, i));
      } catch (err) {
        batch.failures++;
        batch.results.push({ input: file, error: errorMessage(err) });
        process.stderr.write(`retina ${command}: ${inputErrorMessage(file, err)}\n`);
        if (isDiskFull(err)) {
          batch.diskFull = true;
          bar.update(i + 1, basename(file));
          break;
        }
      }
      bar.update(i + 1, basename(file));
    }
    const done = batch.results.length;
    bar.finish(done < files.length ? 'stopped' : undefined, done);
  } finally {
    interrupt.release();
  }
  batch.interrupted = !batch.diskFull && batch.results.length < files.length;
  return batch;
}

export function isFailed<T>(r: T | FailedInput): r is FailedInput {
  return typeof r === 'object' && r !== null && 'error' in r && typeof r.error === 'string';
}

/** The command's exit code, saying so on stderr when Ctrl+C cut the batch short. */
export function batchExit(batch: Batch<unknown>): number {
  if (batch.diskFull) {
    const done = batch.results.length - 1;
    process.stderr.write(
      `retina ${batch.command}: the disk is full: stopped after ${done} of ${batch.total} images ` +
        `(${batch.total - done - 1} not started); the files written for them are complete\n`,
    );
    return EXIT.failure;
  }
  if (batch.interrupted) {
    process.stderr.write(`retina ${batch.command}: ${interruptedBatch(batch.results.length, batch.total)}\n`);
    return EXIT.interrupted;
  }
  return batch.failures > 0 ? EXIT.failure : EXIT.ok;
}

/** What a batch command says when Ctrl+C stopped it between its inputs. */
export function interruptedBatch(done: number, total: number): string {
  return `interrupted after ${done} of ${total} images; the files written for them are complete`;
}
