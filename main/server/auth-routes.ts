// Team mode's login endpoints (JSON; the only requests answered without a session):
//   POST /auth/login    {user, password} -> 200 {name, role, expiresAt} and the session cookie;
//                       401 {error} for any wrong name or password; 429 {error} with Retry-After when throttled;
//                       413 {error} for a body over 8 KB
//   POST /auth/logout   ends the session and clears the cookie
//   GET  /auth/session  200 {name, role, expiresAt}, or 401 {error} when not logged in (or the session expired)
// The session token travels only in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoginRefused, type Accounts } from '../accounts/accounts.js';
import type { SessionInfo } from '../../shared/roles.js';
import type { LiveSession } from '../store/index.js';
import { cookieValue, scopedCookie, type CookieScope } from './access.js';

export const AUTH_PATH_PREFIX = '/auth/';
export const SESSION_COOKIE = 'retina_session';
const MAX_LOGIN_BODY = 8 * 1024;

export function sessionToken(req: IncomingMessage): string | null {
  return cookieValue(req, SESSION_COOKIE) || null;
}

function sessionCookie(token: string, maxAgeS: number, scope: CookieScope): string {
  return scopedCookie(SESSION_COOKIE, token, scope, `; Max-Age=${maxAgeS}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

const info = (s: LiveSession): SessionInfo => ({ name: s.name, role: s.role, expiresAt: s.expiresAt });

class LoginTooLarge extends Error {
  constructor() {
    super(`the login request is larger than ${MAX_LOGIN_BODY} bytes`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_LOGIN_BODY) throw new LoginTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end, dropping what is past the limit: leaving the loop early destroys the request, and the
  // answer went down with the socket (the client saw only "connection reset").
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_LOGIN_BODY) chunks.push(chunk);
  }
  if (size > MAX_LOGIN_BODY) throw new LoginTooLarge();
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export async function handleAuth(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  accounts: Accounts,
  opts: {
    cookies: CookieScope;
    headers: Record<string, string>;
    /** The person's address. */ address: string;
  },
): Promise<void> {
  const { headers } = opts;
  if (path === '/auth/session' && req.method === 'GET') {
    const s = accounts.session(sessionToken(req));
    if (s) sendJson(res, 200, info(s), headers);
    else sendJson(res, 401, { error: 'not logged in' }, headers);
    return;
  }
  if (path === '/auth/logout' && req.method === 'POST') {
    accounts.logout(sessionToken(req));
    sendJson(res, 200, { ok: true }, { ...headers, 'set-cookie': sessionCookie('', 0, opts.cookies) });
    return;
  }
  if (path !== '/auth/login' || req.method !== 'POST') {
    sendJson(res, 404, { error: `no such login endpoint: ${req.method} ${path}` }, headers);
    return;
  }
  if (!req.headers['content-type']?.startsWith('application/json')) {
    sendJson(res, 415, { error: 'log in with a JSON body {user, password}' }, headers);
    return;
  }
  let body: { user?: unknown; password?: unknown };
  try {
    body = (await readJson(req)) as typeof body;
  } catch (err) {
    if (err instanceof LoginTooLarge) sendJson(res, 413, { error: err.message }, headers);
    else sendJson(res, 400, { error: `malformed login request: ${(err as Error).message}` }, headers);
    return;
  }
  if (typeof body?.user !== 'string' || typeof body.password !== 'string' || body.user.length > 64) {
    sendJson(res, 400, { error: 'log in with a JSON body {user, password}' }, headers);
    return;
  }
  try {
    const done = await accounts.login(body.user, body.password, opts.address);
    const maxAge = Math.floor(accounts.sessionMs / 1000);
    const s: SessionInfo = {
      name: done.user.name,
      role: done.user.role,
      expiresAt: done.expiresAt.toISOString(),
    };
    sendJson(res, 200, s, { ...headers, 'set-cookie': sessionCookie(done.token, maxAge, opts.cookies) });
  } catch (err) {
    if (!(err instanceof LoginRefused)) throw err;
    if (err.retryAfterMs !== null) {
      const retry = String(Math.ceil(err.retryAfterMs / 1000));
      sendJson(res, 429, { error: err.message }, { ...headers, 'retry-after': retry });
    } else {
      sendJson(res, 401, { error: err.message }, headers);
    }
  }
}
