// Slows password guessing: after `freeFailures` failed logins in a row for a key (a user name, or a client
// address), each further attempt must wait, the wait doubling with each failure up to `maxDelayMs`. A success
// clears the key. Kept in memory: a restart forgives, which costs a guesser a restart of someone else's server.
// An attempt counts from its start (`begin`), not from its verdict: a password check takes a while, and 200
// guesses sent at once all passed the check before the first failure was recorded.
export interface ThrottleOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  blockedUntil: number;
  /** Attempts begun and not yet ended. */
  inFlight: number;
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

  /**
   * Starts an attempt: 0 when it may go on (it then counts until `end`), else the milliseconds to wait. Attempts
   * in flight count as failures to come, so no more run at once than the free failures left allow (one past them).
   */
  begin(keys: string[]): number {
    const wait = this.waitMs(keys);
    if (wait > 0) return wait;
    // At once: as many as free failures are left, and past them one (each waits for the verdict before it).
    const busy = keys.some((k) => {
      const e = this.entries.get(k);
      return e !== undefined && e.inFlight >= Math.max(1, this.freeFailures - e.failures);
    });
    if (busy) return this.baseDelayMs;
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: 0, blockedUntil: 0, inFlight: 0 };
      e.inFlight++;
      this.entries.set(k, e);
    }
    return 0;
  }

  /** Ends an attempt `begin` let go on: a success clears the keys, a failure counts, null (no verdict) neither. */
  end(keys: string[], ok: boolean | null): void {
    for (const k of keys) {
      const e = this.entries.get(k);
      if (e) e.inFlight = Math.max(0, e.inFlight - 1);
    }
    if (ok === true) this.succeed(keys);
    else if (ok === false) this.fail(keys);
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: 0, blockedUntil: 0, inFlight: 0 };
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
    for (const [k, e] of this.entries)
      if (e.inFlight === 0 && e.blockedUntil + this.maxDelayMs < t) this.entries.delete(k);
  }
}
