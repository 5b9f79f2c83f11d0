// A handler's unexpected failure (a bug: an error no part of main made for the user) goes to the support log with
// its stack; the user reads its one line and where the details are. Refusals and known failures pass as they are.
import { RpcError, toErrorPayload, type RequestHandlers } from '../../shared/contract.js';
import { reportUnexpected, type DiagnosticsLog } from '../node/diagnostics-log.js';

export function loggingUnexpected<Ctx>(
  handlers: RequestHandlers<Ctx>,
  log: DiagnosticsLog,
): RequestHandlers<Ctx> {
  const out: Record<string, (request: unknown, ctx: Ctx) => Promise<unknown>> = {};
  for (const [channel, handler] of Object.entries(handlers) as [
    string,
    (request: unknown, ctx: Ctx) => unknown,
  ][]) {
    out[channel] = async (request, ctx) => {
      try {
        return await handler(request, ctx);
      } catch (err) {
        const payload = toErrorPayload(err);
        if (payload.code !== 'internal') throw err;
        throw new RpcError('internal', reportUnexpected(log, channel, err, payload.message));
      }
    };
  }
  return out as unknown as RequestHandlers<Ctx>;
}
