// Which windows are open, told by their event sockets: a window is gone once its last socket has closed and none
// came back within the grace period (a socket dropped by a network blip reconnects within a second or two). The
// server then tells the workstation, which gives back the edit leases that window held: a closed tab cannot be
// trusted to say so itself (its last request may never leave the browser).
import type { CallerContext } from '../handlers/index.js';

export type WindowGone = (clientId: string, user: CallerContext['user']) => void;

/** Long enough for a dropped socket's reconnect (1 s later), short beside the 30 s lease. */
export const WINDOW_GONE_GRACE_MS = 3_000;

export class WindowPresence {
  private readonly sockets = new Map<string, number>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private disposed = false;

  constructor(
    private readonly gone: WindowGone,
    private readonly graceMs = WINDOW_GONE_GRACE_MS,
  ) {}

  opened(clientId: string): void {
    this.sockets.set(clientId, (this.sockets.get(clientId) ?? 0) + 1);
    const timer = this.pending.get(clientId);
    if (timer) clearTimeout(timer);
    this.pending.delete(clientId);
  }

  closed(clientId: string, user: CallerContext['user']): void {
    if (this.disposed) return;
    const left = (this.sockets.get(clientId) ?? 1) - 1;
    if (left > 0) {
      this.sockets.set(clientId, left);
      return;
    }
    this.sockets.delete(clientId);
    const timer = setTimeout(() => {
      this.pending.delete(clientId);
      if (this.sockets.has(clientId)) return;
      try {
        this.gone(clientId, user);
      } catch (err) {
        // The window's leases then expire as they always did; nothing else depends on this.
        process.stderr.write(
          `retina serve: a closed window's edit leases stay until they expire: ${String(err)}\n`,
        );
      }
    }, this.graceMs);
    timer.unref();
    this.pending.set(clientId, timer);
  }

  /** The server is stopping: windows are not gone, they will reconnect to the next one. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.sockets.clear();
  }
}
