// Browser mode: the renderer and the contract over HTTP + WebSocket, on 127.0.0.1 only.
//   GET  /?token=T        index.html, and an HttpOnly SameSite=Strict cookie so assets and reloads need no URL token
//   GET  /assets/...      the built renderer (cookie or header token)
//   POST /rpc/<channel>   encodeFrame(request) -> encodeFrame(RpcResult)   (x-retina-token header)
//   GET  /report?image=ID the measurement report as a page (or ?study=ID; &download=1 to save it), as for assets
//   WS   /events?token=T  one binary frame per event
// Every request must carry the token and a Host naming this server (or its --public-url, behind a reverse proxy); an
// Origin, when sent, must be this server.
// Refusals: 401 without a valid token, 403 for a foreign Host or Origin (RPC refusals carry an RpcResult frame).
// Team mode (`accounts` given): a login session (auth-routes.ts) replaces the token. The page and its assets are
// served to anyone (the renderer shows its login page); RPC, events and reports need a live session, and RPC
// refusals then say 'unauthenticated' so the renderer asks to log in again.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  dispatchRequest,
  isRequestChannel,
  MAX_UPLOAD_BYTES,
  type ErrorCode,
  type RequestHandlers,
} from '../../shared/contract.js';
import {
  channelFromPath,
  decodeFrame,
  encodeEvent,
  encodeFrameChunks,
  EVENTS_PATH,
  FRAME_CONTENT_TYPE,
  SESSION_ENDED_CLOSE,
  RPC_PATH_PREFIX,
  WINDOW_QUERY,
  isWindowId,
} from '../../shared/transport.js';
import type { CallerContext } from '../handlers/index.js';
import type { EventAudience } from '../handlers/access-guard.js';
import type { EventHub } from '../handlers/events.js';
import {
  clientAddress,
  cookieScope,
  type CookieScope,
  cookieToken,
  headerToken,
  hostAllowed,
  LOOPBACK_AUDIENCE,
  type Audience,
  newToken,
  originAllowed,
  queryToken,
  requestScheme,
  sameToken,
  tokenCookie,
} from './access.js';
import { readStatic } from './static-files.js';
import { DatabaseUnreachableError } from '../store/index.js';
import { AUTH_PATH_PREFIX, handleAuth, sessionToken } from './auth-routes.js';
import type { Accounts } from '../accounts/accounts.js';
import { REPORT_PATH, sendReport } from './report-route.js';
import { WindowPresence, type WindowGone } from './window-presence.js';
import { fromWire, MaskWireError } from '../../shared/mask-wire.js';
import { inflate } from './inflate.js';

/** Largest request body: one upload at the contract's limit plus room for the frame header. */
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 16 * 1024 * 1024;

export interface ServerOptions {
  handlers: RequestHandlers<CallerContext>;
  events: EventHub;
  /** Folder of the built renderer (renderer/dist). */
  staticDir: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
  /** Default 127.0.0.1; a network address only through planListen's rules (serve-command.ts). */
  host?: string;
  /** Names a request may address this server by (default: loopback only). */
  names?: string[];
  /**
   * The address people open when a reverse proxy stands in front (TLS ended there, perhaps a sub-path): requests
   * naming it (Host, Origin) are this server's own, and cookies are kept to its path, Secure when it is https.
   */
  publicUrl?: URL;
  /** Addresses of reverse proxies whose X-Forwarded-For names the person's address (login throttle, callers). */
  trustedProxies?: string[];
  /** Certificate and key (PEM): serve HTTPS and WSS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Team mode: logins and sessions instead of the per-launch token. */
  accounts?: Accounts;
  /** Team mode: what of each event an account may see (default: everything). */
  eventAudience?: EventAudience;
  /** Team mode: how long a socket's session is trusted before it is looked up again (default 5 s). */
  sessionRecheckMs?: number;
  /** A window's event socket closed and it did not come back (its edit leases can be given back). */
  onWindowGone?: WindowGone;
  /** How long a window may be away before it counts as gone (default WINDOW_GONE_GRACE_MS). */
  windowGoneGraceMs?: number;
  /** How often each event socket is pinged (default EVENT_PING_MS). */
  eventPingMs?: number;
}

/**
 * A reverse proxy closes a socket that carries nothing for a while (nginx's proxy_read_timeout: 60 s), and the
 * window then reconnected and read everything again; a ping this often keeps a quiet socket open.
 */
const EVENT_PING_MS = 25_000;

/** A team-mode window's socket: whose session it is, and when that was last found live. */
interface SocketSession {
  token: string | null;
  user: NonNullable<CallerContext['user']>;
  checkedAt: number;
}

/** Looking a session up for every event of every socket would cost a query each; an ended one stops within this. */
const SESSION_RECHECK_MS = 5_000;

export interface RetinaServer {
  readonly port: number;
  readonly token: string;
  /** The address to open: http://127.0.0.1:PORT/?token=TOKEN */
  readonly url: string;
  close(): Promise<void>;
}

function csp(port: number, audience: Audience): string {
  const ws = audience.scheme === 'https' ? 'wss' : 'ws';
  // A CSP host source cannot be an IPv6 literal: browsers drop ws://[::1]:N with a console error. 'self' already
  // lets a page reach the socket on its own origin (CSP 3), so those names are left out rather than listed.
  const sockets = audience.names
    .filter((n) => !n.startsWith('['))
    .map((n) => `${ws}://${n}:${port}`)
    .join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ${sockets}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // No page of the workstation is ever shown inside another site's frame (clickjacking): not only '/', but
  // /index.html and every other file too (the app ran framed from /index.html).
  'x-frame-options': 'DENY',
};

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(text + '\n');
}

function sendFrame(res: ServerResponse, status: number, value: unknown): void {
  // Written piece by piece: a mask response's parts go out as they are, never copied into one buffer.
  const chunks = encodeFrameChunks(value);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': FRAME_CONTENT_TYPE,
    'content-length': String(chunks.reduce((n, c) => n + c.length, 0)),
    'cache-control': 'no-store',
  });
  res.cork();
  for (const c of chunks) res.write(c);
  res.end();
}

function sendRpcError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  sendFrame(res, status, { ok: false, error: { code, message } });
}

/**
 * The request's address, or null when no URL parser takes it (`GET //[`): the parser throws, and thrown from the
 * request listener that ended the whole server. Under --public-url's path (a proxy that passes /retina/... on as it
 * is, as nginx's `proxy_pass http://127.0.0.1:PORT;` does) the path is taken off: it names the same place as one
 * that came without it.
 */
function requestUrl(req: IncomingMessage, audience: Audience, port: number): URL | null {
  const base = `${audience.scheme}://127.0.0.1:${port}`;
  if (!URL.canParse(req.url ?? '/', base)) return null;
  const url = new URL(req.url ?? '/', base);
  const folder = audience.publicUrl?.pathname ?? '/';
  if (folder !== '/' && url.pathname.startsWith(folder)) url.pathname = url.pathname.slice(folder.length - 1);
  return url;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        // The rest is read and dropped rather than the socket destroyed: a reset loses the 413 on its way out, and
        // the client saw only "connection reset".
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

export async function startServer(opts: ServerOptions): Promise<RetinaServer> {
  const token = opts.token ?? newToken();
  let port = opts.port ?? 0;
  const host = opts.host ?? '127.0.0.1';
  const audience: Audience = {
    names: opts.names ?? LOOPBACK_AUDIENCE.names,
    scheme: opts.tls ? 'https' : 'http',
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
  };
  // The address to print: a wildcard bind is opened through this machine's loopback address.
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const presence = opts.onWindowGone ? new WindowPresence(opts.onWindowGone, opts.windowGoneGraceMs) : null;

  const accounts = opts.accounts;
  /** Who this request is: a session's user in team mode ('none' when it has none), else undefined. */
  const caller = (req: IncomingMessage): CallerContext['user'] | 'none' | undefined => {
    if (!accounts) return undefined;
    const s = accounts.session(sessionToken(req));
    return s ? { id: s.id, name: s.name, role: s.role } : 'none';
  };
  const addressOf = (req: IncomingMessage): string => {
    const forwarded = req.headers['x-forwarded-for'];
    const list = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
    return clientAddress(req.socket.remoteAddress ?? 'unknown', list, opts.trustedProxies ?? []);
  };
  /**
   * The scheme the person used (over HTTPS to a trusted proxy that ends TLS, cookies are Secure); `own`: what to
   * assume where no trusted proxy says (the connection's scheme).
   */
  const schemeOf = (req: IncomingMessage, own = audience.scheme): Audience['scheme'] => {
    const proto = req.headers['x-forwarded-proto'];
    const said = Array.isArray(proto) ? proto.join(',') : proto;
    return requestScheme(req.socket.remoteAddress ?? 'unknown', said, own, opts.trustedProxies ?? []);
  };
  const cookiesOf = (req: IncomingMessage): CookieScope => cookieScope(audience, schemeOf(req));
  const contextOf = (req: IncomingMessage, user: CallerContext['user']): CallerContext => ({
    shell: 'browser',
    sender: addressOf(req),
    ...(user ? { user } : {}),
  });

  async function handleRpc(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const user = caller(req);
    if (user === 'none') {
      sendRpcError(res, 401, 'unauthenticated', 'not logged in, or the session has ended: log in again');
      return;
    }
    if (!accounts && !sameToken(headerToken(req), token)) {
      sendRpcError(
        res,
        401,
        'forbidden',
        'missing or wrong access token: reopen the URL printed by retina serve',
      );
      return;
    }
    // An unknown method is an unknown path (the transport's 404), named so a caller sees which call it got wrong.
    const channel = channelFromPath(url.pathname);
    if (!isRequestChannel(channel)) {
      const named = JSON.stringify(url.pathname.slice(RPC_PATH_PREFIX.length).slice(0, 80));
      sendRpcError(res, 404, 'invalid-request', `unknown RPC method ${named}`);
      return;
    }
    if (req.method !== 'POST') {
      sendRpcError(res, 405, 'invalid-request', 'RPC calls are POST requests');
      return;
    }
    if (req.headers['content-type'] !== FRAME_CONTENT_TYPE) {
      sendRpcError(res, 415, 'invalid-request', `RPC bodies must be ${FRAME_CONTENT_TYPE}`);
      return;
    }
    let payload: unknown;
    try {
      payload = fromWire(channel, decodeFrame(await readBody(req, MAX_BODY_BYTES)), inflate);
    } catch (err) {
      if (err instanceof MaskWireError) {
        sendRpcError(
          res,
          400,
          'invalid-request',
          `the mask sent cannot be read, so nothing was saved: ${err.message}`,
        );
      } else if (err instanceof BodyTooLargeError) {
        sendRpcError(res, 413, 'invalid-request', `request body is larger than ${MAX_BODY_BYTES} bytes`);
      } else {
        sendRpcError(res, 400, 'invalid-request', `malformed request frame: ${(err as Error).message}`);
      }
      return;
    }
    const result = await dispatchRequest(opts.handlers, channel, payload, contextOf(req, user));
    try {
      sendFrame(res, 200, result);
    } catch (err) {
      sendRpcError(res, 500, 'internal', `response could not be encoded: ${(err as Error).message}`);
    }
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const fromQuery = accounts ? null : queryToken(url);
    const user = caller(req);
    const authorised = accounts
      ? url.pathname !== REPORT_PATH || user !== 'none'
      : sameToken(fromQuery, token) ||
        sameToken(cookieToken(req), token) ||
        sameToken(headerToken(req), token);
    if (!authorised) {
      if (accounts) {
        sendText(res, 401, 'RetinaStudio: log in first (open the address without /report), then try again.');
        return;
      }
      sendText(
        res,
        401,
        'RetinaStudio: open the URL printed by `retina serve` (it carries the access token).',
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed');
      return;
    }
    if (url.pathname === REPORT_PATH) {
      const ctx = contextOf(req, user === 'none' ? undefined : user);
      await sendReport(opts.handlers, url, ctx, res, COMMON_HEADERS, req.method === 'HEAD');
      return;
    }
    const file = await readStatic(opts.staticDir, url.pathname);
    if (!file) {
      const missing = url.pathname === '/' ? ` (the renderer is not built: run npm run build:renderer)` : '';
      sendText(res, 404, `not found: ${url.pathname}${missing}`);
      return;
    }
    const headers: Record<string, string> = {
      ...COMMON_HEADERS,
      'content-type': file.contentType,
      'content-length': String(file.body.length),
      'cache-control': file.isIndex ? 'no-store' : 'private, max-age=3600',
    };
    // Any HTML page gets the page's policy (its frame-ancestors 'none' among it), whatever its path.
    if (file.isIndex || file.contentType.startsWith('text/html'))
      headers['content-security-policy'] = csp(port, audience);
    if (fromQuery) headers['set-cookie'] = tokenCookie(token, cookiesOf(req));
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  /**
   * The HTTPS public address when `req` came over plain HTTP (a proxy that serves both): the page loaded, its Secure
   * cookie was dropped and every call was refused as a foreign Origin; an event socket opened with a cookie made over
   * HTTPS would carry the session and its events in clear. Only a trusted proxy's X-Forwarded-Proto says so.
   */
  const httpsInsteadOf = (req: IncomingMessage): URL | null =>
    audience.publicUrl?.protocol === 'https:' && schemeOf(req, 'https') === 'http'
      ? audience.publicUrl
      : null;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = requestUrl(req, audience, port);
    const httpsUrl = httpsInsteadOf(req);
    if (httpsUrl && url) {
      const there = new URL(`.${url.pathname}${url.search}`, httpsUrl).href;
      if (req.method === 'GET' || req.method === 'HEAD')
        sendText(res, 308, `moved to ${there}`, { location: there });
      else {
        const why = `RetinaStudio is served over HTTPS only: open ${httpsUrl.href}`;
        if (url.pathname.startsWith(RPC_PATH_PREFIX)) sendRpcError(res, 403, 'forbidden', why);
        else sendText(res, 403, why);
      }
      return;
    }
    if (!hostAllowed(req, port, audience) || !originAllowed(req, port, audience)) {
      const why = `request refused: foreign Host or Origin (RetinaStudio only answers its own pages on ${host})`;
      if (url?.pathname.startsWith(RPC_PATH_PREFIX)) sendRpcError(res, 403, 'forbidden', why);
      else sendText(res, 403, why);
      return;
    }
    if (!url) {
      sendText(res, 400, `malformed request address: ${JSON.stringify((req.url ?? '').slice(0, 200))}`);
      return;
    }
    const work =
      accounts && url.pathname.startsWith(AUTH_PATH_PREFIX)
        ? handleAuth(req, res, url.pathname, accounts, {
            cookies: cookiesOf(req),
            headers: COMMON_HEADERS,
            address: addressOf(req),
          })
        : url.pathname.startsWith(RPC_PATH_PREFIX)
          ? handleRpc(req, res, url)
          : handleStatic(req, res, url);
    work.catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else if (err instanceof DatabaseUnreachableError) {
        // PostgreSQL down or restarting: a state to wait out (the next request connects again), not a bug, and
        // not a lost session either.
        if (url.pathname.startsWith(RPC_PATH_PREFIX)) sendRpcError(res, 503, 'storage', err.message);
        else if (url.pathname.startsWith(AUTH_PATH_PREFIX)) {
          res.writeHead(503, { ...COMMON_HEADERS, 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: err.message }));
        } else sendText(res, 503, err.message);
      } else sendText(res, 500, `internal error: ${(err as Error).message}`);
    });
  };
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest)
    : createServer(onRequest);
  server.requestTimeout = 0; // large uploads over loopback may take a while

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws owns the socket nothing listens for its errors, and a client that resets a refused upgrade (a
    // window whose session ended, reconnecting) would otherwise crash the server.
    const dropOnError = (): void => void socket.destroy();
    socket.on('error', dropOnError);
    const url = requestUrl(req, audience, port);
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!url) return refuse('400 Bad Request');
    if (url.pathname !== EVENTS_PATH) return refuse('404 Not Found');
    if (httpsInsteadOf(req)) return refuse('403 Forbidden');
    if (!hostAllowed(req, port, audience) || !originAllowed(req, port, audience))
      return refuse('403 Forbidden');
    const user = caller(req);
    if (user === 'none') return refuse('401 Unauthorized');
    if (!accounts && !sameToken(queryToken(url), token) && !sameToken(cookieToken(req), token))
      return refuse('401 Unauthorized');
    const windowId = url.searchParams.get(WINDOW_QUERY);
    sockets.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', dropOnError);
      ws.on('pong', () => unanswered.delete(ws));
      if (user) socketSessions.set(ws, { token: sessionToken(req), user, checkedAt: Date.now() });
      if (presence && isWindowId(windowId)) {
        presence.opened(windowId);
        ws.once('close', () => presence.closed(windowId, user));
      }
      sockets.emit('connection', ws, req);
    });
  });

  const socketSessions = new WeakMap<WebSocket, SocketSession>();
  /** How many pings in a row each socket has left unanswered (see the pinger). */
  const unanswered = new WeakMap<WebSocket, number>();
  /** The account a team-mode socket still speaks for; null once its session ended (the socket is closed). */
  const liveUser = (ws: WebSocket): SocketSession['user'] | null => {
    const s = socketSessions.get(ws);
    if (!s || !accounts) return null;
    const now = Date.now();
    if (now - s.checkedAt >= (opts.sessionRecheckMs ?? SESSION_RECHECK_MS)) {
      if (!accounts.session(s.token)) {
        ws.close(SESSION_ENDED_CLOSE, 'the session has ended: log in again');
        return null;
      }
      s.checkedAt = now;
    }
    return s.user;
  };
  const unsubscribe = opts.events.subscribe((event, payload) => {
    if (sockets.clients.size === 0) return;
    const frame = encodeEvent(event, payload);
    const audience = accounts && opts.eventAudience ? opts.eventAudience(event, payload) : null;
    for (const ws of sockets.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (!accounts) {
        ws.send(frame);
        continue;
      }
      const user = liveUser(ws);
      if (!user) continue;
      const seen = audience ? audience(user) : payload;
      if (seen === payload) ws.send(frame);
      else if (seen !== null) ws.send(encodeEvent(event, seen));
    }
  });

  await new Promise<void>((resolveListen, reject) => {
    const refused = (err: NodeJS.ErrnoException): void => reject(listenFailure(err, host, port));
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const pinger = setInterval(() => {
    for (const ws of sockets.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      // A client that vanished (a laptop closed, a network gone) leaves its socket open for hours: the server kept
      // sending it every event and its window counted as present, holding its edit leases. A socket that answered
      // neither of the last two pings is cut off (two: a pong held up behind a busy moment is not a dead client).
      const missed = unanswered.get(ws) ?? 0;
      if (missed >= 2) {
        ws.terminate();
        continue;
      }
      unanswered.set(ws, missed + 1);
      ws.ping();
    }
  }, opts.eventPingMs ?? EVENT_PING_MS);
  pinger.unref();

  return {
    port,
    token,
    // Team mode: nothing secret in the address; each person logs in.
    url: `${audience.scheme}://${urlHost}:${port}/${accounts ? '' : `?token=${token}`}`,
    async close() {
      unsubscribe();
      clearInterval(pinger);
      presence?.dispose();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The listen errors a person meets, said with what to do; others as they are. */
function listenFailure(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE')
    return new Error(
      `port ${port} on ${host} is already in use (another program, or RetinaStudio already running); choose another with --port`,
      { cause: err },
    );
  if (err.code === 'EACCES')
    return new Error(
      `port ${port} on ${host} needs privileges this user lacks; choose one above 1023 with --port`,
      { cause: err },
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new Error(`${host} is not an address of this machine (--host)`, { cause: err });
  return err;
}
