// Who may talk to the browser-mode server: only pages it served itself, on this machine, holding the per-launch
// token. The Host check defeats DNS rebinding (a hostile page whose name resolves to 127.0.0.1), the Origin check
// defeats cross-site requests from other pages, and the token defeats other local users and programs.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER, TOKEN_QUERY } from '../../shared/transport.js';

export const TOKEN_COOKIE = 'retina_token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The names this server answers to (see network-policy.ts) and its scheme. */
export interface Audience {
  names: string[];
  scheme: 'http' | 'https';
  /** The address people open through a reverse proxy (--public-url): its origin is this server's too. */
  publicUrl?: URL;
}

export const LOOPBACK_AUDIENCE: Audience = { names: ['127.0.0.1', 'localhost'], scheme: 'http' };

function allowedHosts(port: number, audience: Audience): string[] {
  return audience.names.map((n) => `${n}:${port}`);
}

/** Host must name this server (by default its loopback address or localhost), with its port. */
export function hostAllowed(req: IncomingMessage, port: number, audience = LOOPBACK_AUDIENCE): boolean {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined) return false;
  return allowedHosts(port, audience).includes(host) || host === audience.publicUrl?.host;
}

/** Origin, when the browser sends one, must be this server itself. */
export function originAllowed(req: IncomingMessage, port: number, audience = LOOPBACK_AUDIENCE): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin.toLowerCase() === audience.publicUrl?.origin) return true;
  return allowedHosts(port, audience).some((h) => origin.toLowerCase() === `${audience.scheme}://${h}`);
}

const bare = (address: string): string => address.replace(/^::ffff:/, '');

/**
 * Who is at the other end: the peer, or, when the peer is a reverse proxy the admin trusts (--trusted-proxy), the
 * last address X-Forwarded-For names that is not such a proxy. Anyone else's X-Forwarded-For is ignored: a client
 * could write any address there and dodge the login throttle.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | undefined,
  trusted: readonly string[],
): string {
  if (!forwardedFor || !trusted.includes(bare(peer))) return peer;
  const hops = forwardedFor
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted.includes(bare(hops[i]))) return hops[i];
  return peer;
}

/**
 * The scheme the person used: what a trusted reverse proxy's X-Forwarded-Proto says (TLS ended there), else the
 * connection's own. Anyone else's header is ignored: a client could claim HTTPS over plain HTTP.
 */
export function requestScheme(
  peer: string,
  forwardedProto: string | undefined,
  own: Audience['scheme'],
  trusted: readonly string[],
): Audience['scheme'] {
  if (!forwardedProto || !trusted.includes(bare(peer))) return own;
  // A chain of proxies lists one scheme each; the person's is the first.
  const first = forwardedProto.split(',')[0].trim().toLowerCase();
  return first === 'https' ? 'https' : first === 'http' ? 'http' : own;
}

/** The value of the request's cookie `name`; null when it has none. */
export function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function cookieToken(req: IncomingMessage): string | null {
  return cookieValue(req, TOKEN_COOKIE);
}

export function headerToken(req: IncomingMessage): string | null {
  const v = req.headers[TOKEN_HEADER];
  return typeof v === 'string' ? v : null;
}

export function queryToken(url: URL): string | null {
  return url.searchParams.get(TOKEN_QUERY);
}

/** Where this server's cookies go: its public address's path (behind a proxy's sub-path), Secure over HTTPS. */
export interface CookieScope {
  path: string;
  secure: boolean;
}

/** `scheme`: the request's (requestScheme), which decides where no public address is named. */
export function cookieScope(audience: Audience, scheme = audience.scheme): CookieScope {
  const url = audience.publicUrl;
  return url
    ? { path: url.pathname, secure: url.protocol === 'https:' }
    : { path: '/', secure: scheme === 'https' };
}

/** `name=value` with the attributes every cookie of this server has. */
export function scopedCookie(name: string, value: string, scope: CookieScope, extra = ''): string {
  return `${name}=${value}; Path=${scope.path}; HttpOnly; SameSite=Strict${extra}${scope.secure ? '; Secure' : ''}`;
}

/** The cookie that lets the page's own assets (scripts, styles) and reloads through without the token in the URL. */
export function tokenCookie(token: string, scope: CookieScope): string {
  return scopedCookie(TOKEN_COOKIE, token, scope);
}
