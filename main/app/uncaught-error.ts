// An uncaught exception in the desktop app's main process: Electron's own dialog shows the raw stack and logs
// nothing. Instead the stack goes to the support log and the dialog says in plain words what failed and where
// the details are. Kept apart from electron-main.ts (which imports electron) so that it is tested without it.
import type { DiagnosticsLog } from '../node/diagnostics-log.js';

export interface ErrorBox {
  title: string;
  content: string;
}

/** Logs `err` (the support log scrubs it) and returns the error box the user sees: one line, no stack. */
export function uncaughtErrorBox(err: unknown, log: DiagnosticsLog): ErrorBox {
  const logged = log.write('the desktop app (main process)', err);
  const e = err instanceof Error ? err : new Error(String(err));
  const line = e.message.split('\n')[0] || e.name;
  const details = logged
    ? `The details for support are in ${log.file}.`
    : `The details could not be written to ${log.file}.`;
  return {
    title: 'RetinaStudio: unexpected error',
    content: `${line}\n\n${details} If RetinaStudio no longer responds, close it and open it again.`,
  };
}
