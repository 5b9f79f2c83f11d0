// Calling a workstation's handler table the way both shells do (validation included), for integration tests: the
// answer on success, else an Error carrying the contract's error code.
import type { CallerContext, Workstation } from '../../main/handlers/index.js';
import { dispatchRequest, type RequestChannel, type ResponseOf } from '../../shared/contract.js';

export const TEST_CALLER: CallerContext = { shell: 'browser', sender: 'test' };

/** `workstation` is read at each call, so a suite may create it in its before() hook. */
export function handlerCaller(workstation: () => Workstation, ctx: CallerContext = TEST_CALLER) {
  return async function call<C extends RequestChannel>(channel: C, payload: unknown): Promise<ResponseOf<C>> {
    const r = await dispatchRequest(workstation().handlers, channel, payload, ctx);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as ResponseOf<C>;
  };
}
