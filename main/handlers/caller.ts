// Who made a request. Its own module because both the handler table (workstation.ts) and the retrain channels
// (retrain.ts) take it, and neither may import the other's module for it.

import type { Role } from '../../shared/contract.js';

/** Who called: the shells fill it in (Electron: the sender's frame; browser mode: the HTTP peer). */
export interface CallerContext {
  shell: 'electron' | 'browser';
  /** Electron webContents id, or the remote address in browser mode. */
  sender: string;
  /** Team mode: the logged-in account (its role decides what it may do); absent in single-user mode. */
  user?: { id: number; name: string; role: Role };
}

/** Whom audit records and new mask versions name: the logged-in user, else the workstation's user. */
export function actorOf(ctx: CallerContext | undefined, fallback: string): string {
  return ctx?.user?.name ?? fallback;
}
