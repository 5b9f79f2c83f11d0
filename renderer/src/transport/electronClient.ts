// The client over Electron IPC: the preload's `window.retina` bridge carries results, this unwraps them.
import type {
  RequestChannel,
  RequestOf,
  ResponseOf,
  EventChannel,
  EventOf,
} from '../../../shared/contract.js';
import type { RetinaBridge, RetinaClient } from '../../../shared/transport.js';
import { unwrapResult } from './unwrap.js';

export function createElectronClient(bridge: RetinaBridge): RetinaClient {
  return {
    shell: 'electron',
    async invoke<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
      return unwrapResult<ResponseOf<C>>(await bridge.invoke(channel, request));
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as EventOf<E>));
    },
  };
}
