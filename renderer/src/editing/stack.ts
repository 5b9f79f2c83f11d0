// A growable stack of int32 values for the scanline and component algorithms: it grows by doubling and is
// reused across calls, so no allocation happens per pixel.

export class IntStack {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  pop(): number {
    return this.data[--this.length];
  }

  get(i: number): number {
    return this.data[i];
  }

  clear(): void {
    this.length = 0;
  }
}
