// The team server's login endpoints (main/server/auth-routes.ts), over an injected fetch so tests can run it from
// Node. Answers become a session or a readable one-line reason.
import type { SessionInfo } from '../../../shared/roles.js';

interface JsonResponse {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}
export type AuthFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<JsonResponse>;

/** What the server the page came from is (`base`: the page's folder, calls go under it): a team server (with or without a session) or a single-user one. */
export type Probe = { team: true; session: SessionInfo | null } | { team: false };

const isJson = (r: JsonResponse): boolean =>
  (r.headers.get('content-type') ?? '').startsWith('application/json');

export async function probeSession(fetch: AuthFetch, base: string): Promise<Probe> {
  const res = await fetch(new URL('./auth/session', base).toString());
  // A single-user server answers this path like any other tokenless request: 401 in plain text.
  if (!isJson(res)) return { team: false };
  return { team: true, session: res.status === 200 ? ((await res.json()) as SessionInfo) : null };
}

/** The reason a login failed, in words: wrong name or password, or how long to wait. */
export function loginFailure(status: number, body: unknown, retryAfter: string | null): string {
  const said = (body as { error?: unknown } | null)?.error;
  if (status === 429) {
    const s = Number(retryAfter);
    const wait = Number.isFinite(s) && s > 0 ? ` Try again in ${s} s.` : ' Try again later.';
    return `Too many failed logins.${wait}`;
  }
  if (status === 401) return 'Wrong user name or password.';
  return typeof said === 'string' ? said : `The server refused the login (HTTP ${status}).`;
}

export async function logIn(
  fetch: AuthFetch,
  base: string,
  user: string,
  password: string,
): Promise<{ ok: true; session: SessionInfo } | { ok: false; reason: string }> {
  let res: JsonResponse;
  try {
    res = await fetch(new URL('./auth/login', base).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, password }),
    });
  } catch (err) {
    return { ok: false, reason: `Cannot reach RetinaStudio: ${(err as Error).message}` };
  }
  const body: unknown = isJson(res) ? await res.json() : null;
  if (res.status === 200) return { ok: true, session: body as SessionInfo };
  return { ok: false, reason: loginFailure(res.status, body, res.headers.get('retry-after')) };
}

export async function logOut(fetch: AuthFetch, base: string): Promise<void> {
  await fetch(new URL('./auth/logout', base).toString(), { method: 'POST' });
}
