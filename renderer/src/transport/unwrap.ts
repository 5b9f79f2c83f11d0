// Shared by both client implementations: turns a wire result into a value or a thrown RpcError.
import { RpcError, type RpcResult } from '../../../shared/contract.js';

export function unwrapResult<T>(result: RpcResult<unknown>): T {
  if (result.ok) return result.value as T;
  throw new RpcError(result.error.code, result.error.message);
}

/** A tiny listener registry, so each client keeps one subscription per event name. */
export class Listeners {
  private readonly map = new Map<string, Set<(payload: unknown) => void>>();

  add(event: string, listener: (payload: unknown) => void): () => void {
    let set = this.map.get(event);
    if (!set) this.map.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit(event: string, payload: unknown): void {
    for (const l of this.map.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        console.error(`listener for ${event} failed`, err);
      }
    }
  }
}
