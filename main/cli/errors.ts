// Exit codes of the `retina` command, and the mapping from errors to them.

export const EXIT = {
  ok: 0,
  failure: 1, // a runtime error: bad input data, a broken model file, a failed write
  usage: 2, // wrong arguments
  interrupted: 130, // SIGINT / SIGTERM
} as const;

/** Wrong command-line usage; the message is shown with a hint to use --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}

/** The error of one input of a batch, naming the input once (a read error already starts with its file). */
export function inputErrorMessage(file: string, err: unknown): string {
  const message = errorMessage(err);
  return message.startsWith(`${file}: `) ? message : `${file}: ${message}`;
}
