// The preload: exposes one typed bridge, `window.retina`, and nothing else. Sandboxed preloads must be CommonJS,
// hence .cts; the channel names are checked against shared/transport.ts at compile time.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventChannel, RequestChannel } from '../../shared/contract.js' with {
  'resolution-mode': 'import',
};
import type {
  IPC_EVENT as EventName,
  IPC_INVOKE as InvokeName,
  RetinaBridge,
} from '../../shared/transport.js' with { 'resolution-mode': 'import' };

const IPC_INVOKE: typeof InvokeName = 'retina:invoke';
const IPC_EVENT: typeof EventName = 'retina:event';

const bridge: RetinaBridge = {
  invoke: (channel: RequestChannel, request: unknown) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
  on(event: EventChannel, listener: (payload: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('retina', bridge);
