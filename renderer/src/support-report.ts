// A renderer failure's stack for the support log (main keeps it, scrubbed): the user reads the message in the
// window, and DevTools, where the stack would stay, is not open on a reading centre's machine.
import {
  RpcError,
  RENDERER_ERROR_MESSAGE_MAX,
  RENDERER_ERROR_STACK_MAX,
  type RendererErrorReport,
} from '../../shared/contract.js';
import type { RetinaClient } from '../../shared/transport.js';

export function reportToSupport(
  client: RetinaClient,
  where: RendererErrorReport['where'],
  err: unknown,
): void {
  // An error from main is main's to log (an unexpected one already is); a refusal is no bug.
  if (err instanceof RpcError) return;
  const e = err instanceof Error ? err : new Error(String(err));
  const report: RendererErrorReport = {
    where,
    name: e.name.slice(0, 100),
    message: e.message.slice(0, RENDERER_ERROR_MESSAGE_MAX),
    stack: e.stack ? e.stack.slice(0, RENDERER_ERROR_STACK_MAX) : null,
  };
  // A report that cannot be sent (the server gone) is not a second failure to show.
  client.invoke('reportRendererError', report).catch(() => undefined);
}
