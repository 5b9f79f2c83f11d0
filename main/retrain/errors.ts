// Errors of the retraining workflow: one readable line the UI and the CLI show as they are.

/** The retrain cannot start or go on (nothing new to train on, no active model, a bad setting...). */
export class RetrainError extends Error {
  override name = 'RetrainError';
}

/** The user cancelled; the active model is untouched. */
export class RetrainCancelledError extends Error {
  override name = 'AbortError';
}

/** Stops a step between its long parts once the user has asked to cancel. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RetrainCancelledError('retrain cancelled');
}
