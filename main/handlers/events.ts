// The events main pushes to renderers. The handler table emits into one hub; each shell (Electron windows,
// browser-mode WebSockets) subscribes and forwards.
import type { EventChannel, EventOf } from '../../shared/contract.js';

export type EventListener = <E extends EventChannel>(event: E, payload: EventOf<E>) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch (err) {
        // One broken subscriber (a closed socket, a destroyed window) must not stop the others.
        console.error(`event ${event}: a subscriber failed:`, err);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
