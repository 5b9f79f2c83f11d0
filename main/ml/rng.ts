// Seeded pseudo-random numbers so training runs (patch choice, augmentation, shuffling) are reproducible.
// Generator: mulberry32 (32-bit state, period 2^32), with a splitmix-style seed scrambler so that nearby seeds
// (0, 1, 2, ...) give unrelated streams. Plenty for sampling patches; not for cryptography.

/** Scrambles a 32-bit value (murmur3 finaliser); used to derive well-spread initial states. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a label. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** Folds any finite number (negative, fractional, beyond 2^32) into a 32-bit seed. */
function seedToUint32(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`rng: seed must be a finite number, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const frac = Math.round((seed - Math.floor(seed)) * 4294967296) >>> 0;
  return (mix32(lo) ^ mix32(hi + 0x9e3779b9) ^ mix32(frac + 0x7f4a7c15)) >>> 0;
}

export class Rng {
  /** The seed this generator was created from (children of fork() carry a derived seed). */
  readonly seed: number;
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.seed = seed;
    this.state = seedToUint32(seed);
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** Uniform integer in [0, n). n must be a positive integer. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * An independent child stream named by `label`. It depends only on this generator's seed and the label, not on
   * how many numbers were drawn so far, so adding a draw in one part of training never perturbs another part's
   * stream. Forking the same label twice gives the same stream.
   */
  fork(label: string): Rng {
    const derived = mix32(seedToUint32(this.seed) ^ mix32(hashLabel(label) + 0x632be5ab));
    return new Rng(derived);
  }
}

export function createRng(seed: number): Rng {
  return new Rng(seed);
}
