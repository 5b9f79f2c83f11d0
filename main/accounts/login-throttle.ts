// Slows password guessing: after `freeFailures` failed logins in a row for a key (a user name, or a client
// address), each further attempt must wait, the wait doubling with each failure up to `maxDelayMs`. A success
// clears the key. Kept in memory: a restart forgives, which costs a guesser a restart of someone else's server.
export interface ThrottleOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;

  constructor(opts: ThrottleOptions = {}) {
    this.freeFailures = opts.freeFailures ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 15 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Milliseconds before any of `keys` may try again; 0 when all may try now. */
  waitMs(keys: string[]): number {
    const t = this.now();
    return Math.max(0, ...keys.map((k) => (this.entries.get(k)?.blockedUntil ?? 0) - t));
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: 0, blockedUntil: 0 };
      e.failures++;
      const over = e.failures - this.freeFailures;
      if (over >= 0) e.blockedUntil = t + Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** over);
      this.entries.set(k, e);
    }
    if (this.entries.size > 100_000) this.forgetIdle(t);
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.entries.delete(k);
  }

  /** Bounded memory: a flood of made-up names cannot grow the table without end. */
  private forgetIdle(t: number): void {
    for (const [k, e] of this.entries) if (e.blockedUntil + this.maxDelayMs < t) this.entries.delete(k);
  }
}
