// Ctrl+C and SIGTERM for `retina`. A command with work to finish (a batch's image in progress, a training step, a
// server's open requests) asks for an AbortSignal and stops at its next safe point; a command that asks for none
// ends at once, as a killed process would (every write is atomic and the store survives a kill). A command that
// does not stop within the grace period, or a second signal, ends the process anyway (work that must not be left
// half done, a backup, only by the second): before this, a batch went on through every input after Ctrl+C, and one
// stuck in a system call never ended at all.
import { EXIT } from './errors.js';

const EVENT = 'retina:interrupt';

/** How long a command may take to reach its safe point after the first signal. */
export const INTERRUPT_GRACE_MS = 30_000;

/** Holders whose work must not be cut short (a backup): the grace period does not end them. */
let patientHolders = 0;

/**
 * An AbortSignal that the first Ctrl+C or SIGTERM aborts, for a command that stops at its own safe point; while one
 * is held, the signal does not end the process at once. A `patient` holder's work must not be left half done (a
 * backup, a copy between databases): it may ignore the signal and finish, and the grace period does not end it
 * (a second signal still does). `release()` when the command's work is done.
 */
export function interruptSignal(opts: { patient?: boolean } = {}): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.on(EVENT as never, abort);
  if (opts.patient) patientHolders++;
  let held = true;
  return {
    signal: controller.signal,
    release: () => {
      if (!held) return;
      held = false;
      process.off(EVENT as never, abort);
      if (opts.patient) patientHolders--;
    },
  };
}

export interface InterruptOptions {
  grace?: number;
  exit?: (code: number) => void;
  write?: (text: string) => void;
}

/** Installs the process's SIGINT and SIGTERM handlers (once, by the `retina` entry point); returns their removal. */
export function handleInterrupts(opts: InterruptOptions = {}): () => void {
  const grace = opts.grace ?? INTERRUPT_GRACE_MS;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const write = opts.write ?? ((text: string) => void process.stderr.write(text));
  let interrupted = false;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = (): void => {
      process.exitCode = EXIT.interrupted;
      if (interrupted) return exit(EXIT.interrupted);
      interrupted = true;
      if (process.listenerCount(EVENT) === 0) {
        write(`\nretina: interrupted (${name})\n`);
        return exit(EXIT.interrupted);
      }
      if (patientHolders > 0) {
        write(
          `\nretina: interrupted (${name}); finishing first what must not be left half done (again to stop at once)\n`,
        );
        process.emit(EVENT as never);
        return;
      }
      write(`\nretina: interrupted (${name}); stopping after the current step (again to stop at once)\n`);
      process.emit(EVENT as never);
      setTimeout(() => {
        write(`retina: still running ${grace / 1000} s after the interruption; stopping now\n`);
        exit(EXIT.interrupted);
      }, grace).unref();
    };
    process.on(name, handler);
    return () => void process.off(name, handler);
  });
  return () => handlers.forEach((remove) => remove());
}
