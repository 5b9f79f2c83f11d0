// Answers fetched ahead of need and handed out once (the open cache's prefetched masks). Bounded: one fetched for
// an image the user then never opened (the neighbour behind, moving on through a list; a row the worklist's
// selection passed over) would otherwise stay for the rest of the session. The oldest go first; taking one that
// went only means fetching it again. A Map's insertion order is all the eviction this needs: no cache library.
export class TakeOnce<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Keeps `value` for `key`, dropping the oldest beyond capacity. */
  put(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    for (const old of this.map.keys()) {
      if (this.map.size <= this.capacity) break;
      this.map.delete(old);
    }
  }

  /** The value kept for `key`, no longer kept. */
  take(key: string): V | undefined {
    const v = this.map.get(key);
    this.map.delete(key);
    return v;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Drops `key` only while it still holds `value` (a failed fetch, unless a newer one replaced it). */
  drop(key: string, value: V): void {
    if (this.map.get(key) === value) this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
