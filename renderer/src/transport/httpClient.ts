// The client over HTTP + WebSocket (browser mode). fetch and WebSocket are injected so Node tests can run it
// against a real server; the browser passes its globals.
import {
  RpcError,
  type EventChannel,
  type EventOf,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
} from '../../../shared/contract.js';
import {
  asRpcResult,
  decodeEvent,
  decodeFrame,
  encodeFrame,
  EVENTS_PATH,
  FRAME_CONTENT_TYPE,
  rpcPath,
  TOKEN_HEADER,
  TOKEN_QUERY,
  WINDOW_QUERY,
  type InvokeOptions,
  type ConnectionState,
  type RetinaClient,
  SESSION_ENDED_CLOSE,
} from '../../../shared/transport.js';
import { toWire } from '../../../shared/mask-wire.js';
import { deflate } from './deflate.js';
import { Listeners, unwrapResult } from './unwrap.js';

/** The parts of fetch's Response we use (structural, so no DOM types are needed). */
interface ResponseLike {
  status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: Uint8Array; keepalive?: boolean },
) => Promise<ResponseLike>;

export interface WebSocketLike {
  binaryType: string;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface HttpClientOptions {
  /** The page's folder, e.g. http://127.0.0.1:5123/ or https://intranet.example/retina/ (paths go under it). */
  baseUrl: string;
  /** The single-user server's token; '' for a team server (its session cookie goes with each request). */
  token: string;
  /** Team mode: a request was refused for want of a live session (the renderer shows the login page). */
  onUnauthenticated?: () => void;
  fetch: FetchLike;
  WebSocket: WebSocketCtor;
  /** This window's id (its edit leases'), named on the event socket so the server sees the window go. */
  windowId?: string;
  /** Reconnect delay after the event socket drops (ms). */
  reconnectMs?: number;
}

export interface HttpClient extends RetinaClient {
  onResync(listener: () => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /**
   * Team mode, logged in again after the session ended: the event socket, opened (or retrying) with the old
   * session, is opened again at once with the new one; its opening resyncs the window.
   */
  reconnect(): void;
  /** Closes the event socket for good. */
  close(): void;
}

/**
 * An answer that is not the server's frame came from something in between: a reverse proxy's own error page. Its
 * body limit (nginx's client_max_body_size, 1 MB by default) refuses a photograph or a mask with 413, which showed
 * as "Unexpected error in RetinaStudio: HTTP 413 without a result"; its 502 while the server restarts, likewise.
 */
function withoutResult(channel: string, status: number, baseUrl: string): RpcError {
  // The proxy could not reach the server (stopped, restarting): an outage, not a bug.
  if (status === 502 || status === 503 || status === 504)
    return new RpcError(
      'unreachable',
      `the proxy at ${baseUrl} got no answer from RetinaStudio (HTTP ${status}): the server may be stopped, restarting or busy`,
    );
  if (status === 413) {
    const what = channel.startsWith('import') ? 'The file' : 'This change';
    // A mask goes deflated, a bit a pixel: only a speckled one (noise over a low threshold) comes near nginx's
    // 1 MB at 8 MP, and no packing fits it (random pixels hold a bit each), so the annotator is told what helps.
    const advice =
      channel === 'saveDraft' || channel === 'approveMask'
        ? 'A speckled mask (noise kept by a low threshold) does not compress: raise the threshold or remove its ' +
          'islands and save again, or ask'
        : 'Ask';
    return new RpcError(
      'invalid-request',
      `${what} is too large for the server's proxy, so nothing of it was saved. ${advice} the administrator to ` +
        "raise the proxy's upload limit (nginx: client_max_body_size).",
    );
  }
  return new RpcError(
    status === 403 ? 'forbidden' : 'internal',
    `${channel}: HTTP ${status} without a result`,
  );
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const listeners = new Listeners();
  const resyncListeners = new Set<() => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  // Null until the first answer (open or close), so the first close is heard too.
  let connected: ConnectionState | null = null;
  const setConnected = (now: ConnectionState): void => {
    if (connected === now) return;
    connected = now;
    for (const l of connectionListeners) l(now);
  };
  // A browser does not say why a socket was refused: a single-user window asks with a call whether the server is
  // there and refuses its token (401), so it is not told to wait for a server that will never let it in.
  const probe = (): void => {
    if (!opts.token) return;
    client.invoke('getAppInfo', {}).then(
      () => {
        if (connected === 'refused') setConnected('unreachable');
      },
      (err: unknown) => {
        if (err instanceof RpcError && err.code === 'unreachable') setConnected('unreachable');
      },
    );
  };
  let socket: WebSocketLike | null = null;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const connect = (): void => {
    if (closed) return;
    const url = new URL(`.${EVENTS_PATH}`, opts.baseUrl.replace(/^http/, 'ws'));
    if (opts.token) url.searchParams.set(TOKEN_QUERY, opts.token);
    if (opts.windowId) url.searchParams.set(WINDOW_QUERY, opts.windowId);
    const ws = new opts.WebSocket(url.toString());
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => {
      const data = ev.data;
      if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) return;
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      try {
        const { event, payload } = decodeEvent(bytes);
        listeners.emit(event, payload);
      } catch (err) {
        console.error('dropped a malformed event frame', err);
      }
    };
    // Connected (at last, or again): events sent before this moment never reached the window.
    ws.onopen = () => {
      setConnected('connected');
      for (const l of resyncListeners) l();
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      socket = null;
      // The server ended this window's session: a resync's first request meets the login instead of waiting.
      if ((ev as { code?: number }).code === SESSION_ENDED_CLOSE) for (const l of resyncListeners) l();
      // A session ended is the server answering, not gone (the login page says what to do).
      else if (!closed) {
        // Refused stays said while the socket is refused again (no flicker to "unreachable" at each retry).
        if (connected !== 'refused') setConnected('unreachable');
        probe();
      }
      // Refused: the same study started again with this token lets it in, but nothing soon; ask less often.
      const delay = (opts.reconnectMs ?? 1000) * (connected === 'refused' ? 10 : 1);
      if (!closed) timer = setTimeout(connect, delay);
    };
    socket = ws;
  };
  connect();

  const client: HttpClient = {
    shell: 'browser',
    async invoke<C extends RequestChannel>(
      channel: C,
      request: RequestOf<C>,
      options?: InvokeOptions,
    ): Promise<ResponseOf<C>> {
      // A mask save's pixels compacted: behind a proxy's 1 MB body limit a large image's save was refused.
      const body = encodeFrame(await toWire(channel, request, deflate));
      let res: ResponseLike;
      try {
        res = await opts.fetch(new URL(`.${rpcPath(channel)}`, opts.baseUrl).toString(), {
          method: 'POST',
          headers: {
            ...(opts.token ? { [TOKEN_HEADER]: opts.token } : {}),
            'content-type': FRAME_CONTENT_TYPE,
          },
          body,
          ...(options?.whileClosing ? { keepalive: true } : {}),
        });
      } catch (err) {
        // An outage, not a bug: it was shown as "Unexpected error in RetinaStudio".
        throw new RpcError(
          'unreachable',
          `cannot reach RetinaStudio at ${opts.baseUrl}: ${(err as Error).message}`,
        );
      }
      const answer = new Uint8Array(await res.arrayBuffer());
      let decoded: unknown;
      try {
        decoded = asRpcResult(decodeFrame(answer));
      } catch {
        throw withoutResult(channel, res.status, opts.baseUrl);
      }
      const result = decoded as ReturnType<typeof asRpcResult>;
      // The single-user server's refusal of this window's token (a team server's 401 is a login to make again).
      if (opts.token && res.status === 401) setConnected('refused');
      if (!result.ok && result.error.code === 'unauthenticated') opts.onUnauthenticated?.();
      return unwrapResult<ResponseOf<C>>(result);
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      return listeners.add(event, (p) => listener(p as EventOf<E>));
    },
    onResync(listener: () => void): () => void {
      resyncListeners.add(listener);
      return () => {
        resyncListeners.delete(listener);
      };
    },
    onConnection(listener: (state: ConnectionState) => void): () => void {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
    reconnect(): void {
      if (closed) return;
      if (timer) clearTimeout(timer);
      timer = null;
      const old = socket;
      socket = null;
      if (old) {
        // Its close must not schedule a second connection.
        old.onclose = null;
        old.onmessage = null;
        old.close();
      }
      connect();
    },
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
  return client;
}
