// Who made a request. Its own module because both the handler table (workstation.ts) and the retrain channels
// (retrain.ts) take it, and neither may import the other's module for it.

/** Who called: the shells fill it in (Electron: the sender's frame; browser mode: the HTTP peer). */
export interface CallerContext {
  shell: 'electron' | 'browser';
  /** Electron webContents id, or the remote address in browser mode. */
  sender: string;
}
