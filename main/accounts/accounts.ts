// Team-mode logins over the store: checks a password, opens a session (a random token the browser keeps in an
// HttpOnly cookie; the store keeps only its hash), finds the session of a request, and ends it. Every failure
// reads the same and costs the same (an unknown user's password is hashed anyway), so a guesser learns nothing
// about which names exist.
import { randomBytes } from 'node:crypto';
import {
  createSession,
  endSession,
  findSession,
  findUserCredentials,
  type LiveSession,
  type SessionUser,
  type Store,
} from '../store/index.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const LOGIN_FAILED = 'wrong user name or password';

export class LoginRefused extends Error {
  override name = 'LoginRefused';
  constructor(
    message: string,
    /** Set when the attempt was not even tried: wait this long (429). */
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

export interface AccountsOptions {
  /** How long a session lasts after login (default 12 hours). */
  sessionHours?: number;
  throttle?: LoginThrottle;
  now?: () => Date;
}

export interface LoggedIn {
  token: string;
  user: SessionUser;
  expiresAt: Date;
}

export class Accounts {
  readonly sessionMs: number;
  private readonly throttle: LoginThrottle;
  private readonly now: () => Date;
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: Store,
    opts: AccountsOptions = {},
  ) {
    this.sessionMs = (opts.sessionHours ?? 12) * 3_600_000;
    this.throttle = opts.throttle ?? new LoginThrottle();
    this.now = opts.now ?? (() => new Date());
  }

  async login(name: string, password: string, address: string): Promise<LoggedIn> {
    const keys = [`user:${name.toLowerCase()}`, `addr:${address}`];
    const wait = this.throttle.begin(keys);
    if (wait > 0) {
      throw new LoginRefused(`too many failed logins: try again in ${Math.ceil(wait / 1000)} s`, wait);
    }
    let found: ReturnType<typeof findUserCredentials>;
    let ok: boolean;
    try {
      found = findUserCredentials(this.store, name);
      // Hash even when there is no such user, so the answer takes as long as for a wrong password.
      this.dummyHash ??= hashPassword('not a password of anyone');
      ok = await verifyPassword(password, found?.passwordHash ?? (await this.dummyHash));
    } catch (err) {
      // No verdict (the database unreachable): the attempt ends without counting for or against anyone.
      this.throttle.end(keys, null);
      throw err;
    }
    ok = ok && found !== null && found !== undefined && !found.user.disabled;
    this.throttle.end(keys, ok);
    if (!ok || !found) throw new LoginRefused(LOGIN_FAILED, null);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now().getTime() + this.sessionMs);
    createSession(this.store, found.user.id, token, expiresAt);
    return { token, user: { id: found.user.id, name: found.user.name, role: found.user.role }, expiresAt };
  }

  /** The logged-in user of a session token; null when missing, unknown, expired or disabled. */
  session(token: string | null): LiveSession | null {
    if (!token) return null;
    return findSession(this.store, token, this.now());
  }

  logout(token: string | null): void {
    if (token) endSession(this.store, token);
  }
}
