// A least-recently-used map bounded by the bytes its values hold: the handlers' caches of encoded images and of
// mask pixels ready for the wire.

export class ByteLru<V> {
  private readonly map = new Map<string, V>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (v: V) => number,
  ) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Keeps `v` (a value larger than the whole budget is not kept), dropping the least recently used beyond it. */
  set(key: string, v: V): void {
    const size = this.sizeOf(v);
    if (size > this.maxBytes) return;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.bytes -= this.sizeOf(old);
    }
    this.map.set(key, v);
    this.bytes += size;
    for (const [k, drop] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= this.sizeOf(drop);
    }
  }
}
