// How the renderer reaches main: the client interface, the Electron bridge shape, and the binary-safe framing
// used by browser mode (HTTP + WebSocket). Pure functions only, shared by the browser client and the Node server.
//
// Browser-mode wire protocol (server on 127.0.0.1 only):
//   - The app is opened at http://127.0.0.1:PORT/?token=TOKEN (or #token=). The renderer keeps the token in sessionStorage
//     and sends it on every call; it never appears in a request URL the server logs (except the WebSocket query).
//   - Request:  POST /rpc/<channel>, header `x-retina-token: TOKEN`, content-type application/x-retina-frame,
//               body = encodeFrame(request payload).
//   - Response: 200 with body = encodeFrame(RpcResult) for every handled call (errors included, ok: false);
//               401 for a missing/bad token, 403 for a foreign Host/Origin, 404 for an unknown path or RPC method,
//               413 for a body over the limit
//               (those bodies are encodeFrame(RpcResult) too when possible).
//   - Events:   WebSocket at /events?token=TOKEN; each binary message = encodeFrame({ event, payload }).
//   The server checks Host is 127.0.0.1:PORT or localhost:PORT and Origin (when sent) is the same origin.
//
// Frame layout (all integers little-endian):
//   bytes 0..3   magic "RSF1"
//   bytes 4..7   uint32 header length H
//   bytes 8..    header: UTF-8 JSON { body, parts: [byteLength, ...] }; inside `body` each Uint8Array was
//                replaced by { "$bin": index }
//   then zero padding to a multiple of 8, then each part, each followed by zero padding to a multiple of 8
//   (so a decoded part can be viewed as Uint16Array/Float32Array without copying).

import {
  type EventChannel,
  type EventOf,
  type ErrorPayload,
  isErrorPayload,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type RpcResult,
} from './contract.js';
import { isUint8Array } from './validate.js';

/** How one request is sent. */
export interface InvokeOptions {
  /**
   * The window is closing (pagehide): the request must still reach main. Browser mode sends it with fetch's
   * `keepalive`, which the closing page does not cancel; that allows small requests only (64 KiB in all).
   */
  whileClosing?: boolean;
}

/** The one object the renderer talks to; it does not know which shell it runs in. */
export interface RetinaClient {
  readonly shell: 'electron' | 'browser';
  /** Resolves with the response, or rejects with an RpcError carrying the ErrorPayload from main. */
  invoke<C extends RequestChannel>(
    channel: C,
    request: RequestOf<C>,
    options?: InvokeOptions,
  ): Promise<ResponseOf<C>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void;
  /**
   * Browser mode: `listener` runs each time the event socket (re)connects. Events sent while it was not connected
   * are lost, so whatever the window shows is to be read again. Absent where events cannot be missed (Electron).
   */
  onResync?(listener: () => void): () => void;
  /**
   * Browser mode: `listener` hears 'unreachable' when the event socket drops (the server stopped, or the network
   * went), 'refused' when the server answers but no longer takes this window's access token (started again with a
   * new one, or on another study), and 'connected' when it connects again. Absent in Electron, whose main process
   * goes only with the window.
   */
  onConnection?(listener: (state: ConnectionState) => void): () => void;
}

export type ConnectionState = 'connected' | 'unreachable' | 'refused';

/** What Electron's preload exposes as `window.retina` via contextBridge (results, not exceptions, cross it). */
export interface RetinaBridge {
  invoke(channel: RequestChannel, request: unknown): Promise<RpcResult<unknown>>;
  on(event: EventChannel, listener: (payload: unknown) => void): () => void;
}

export const RPC_PATH_PREFIX = '/rpc/';
export const EVENTS_PATH = '/events';
/** The close code of an event socket whose team-mode session ended (4000-4999: the application's own). */
export const SESSION_ENDED_CLOSE = 4401;
export const TOKEN_HEADER = 'x-retina-token';
export const TOKEN_QUERY = 'token';
/** The event socket's query naming its window (the id its edit leases carry), so the server sees it go. */
export const WINDOW_QUERY = 'window';

/** A window id as windows make them: letters, digits, '-' and '_', 8 to 64 of them. */
export function isWindowId(id: string | null): id is string {
  return id !== null && /^[\w-]{8,64}$/.test(id);
}
export const FRAME_CONTENT_TYPE = 'application/x-retina-frame';
/** Electron IPC channel names: one for requests, one for events. */
export const IPC_INVOKE = 'retina:invoke';
export const IPC_EVENT = 'retina:event';

const MAGIC = [0x52, 0x53, 0x46, 0x31]; // "RSF1"
const BIN_KEY = '$bin';

export class FrameError extends Error {
  override name = 'FrameError';
}

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * A copy of `value` with each Uint8Array replaced by { $bin: index } and pushed onto `parts`. Done before
 * JSON.stringify rather than in a replacer: stringify calls toJSON before any replacer, and Node's Buffer.toJSON
 * builds an array of every byte (hundreds of ms for a full-size image).
 */
function lift(value: unknown, key: string, parts: Uint8Array[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isUint8Array(value)) {
    parts.push(value);
    return { [BIN_KEY]: parts.length - 1 };
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    throw new FrameError(`frame field ${key || '(root)'}: only Uint8Array is carried as binary`);
  }
  if (Array.isArray(value)) return value.map((v, i) => lift(v, String(i), parts));
  // Objects that serialise themselves (Date) hold no binary fields.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (BIN_KEY in value)
    throw new FrameError(`frame field ${key || '(root)'} uses the reserved key ${BIN_KEY}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = lift(v, k, parts);
  return out;
}

/**
 * A frame as the pieces that make it up, in order: prefix and header (padded), then each binary part as the very
 * array given (not copied) followed by its padding. A server writes them one after another without ever
 * assembling tens of megabytes of masks into one buffer.
 */
export function encodeFrameChunks(value: unknown): Uint8Array[] {
  const parts: Uint8Array[] = [];
  const body = JSON.stringify(lift(value, '', parts));
  const header = new TextEncoder().encode(
    JSON.stringify({ body: body ?? 'null', parts: parts.map((p) => p.length) }),
  );
  const head = new Uint8Array(pad8(8 + header.length));
  head.set(MAGIC, 0);
  new DataView(head.buffer).setUint32(4, header.length, true);
  head.set(header, 8);
  const chunks: Uint8Array[] = [head];
  for (const p of parts) {
    chunks.push(p);
    if (pad8(p.length) > p.length) chunks.push(new Uint8Array(pad8(p.length) - p.length));
  }
  return chunks;
}

/** Encodes any JSON-like value whose binary fields are Uint8Arrays. */
export function encodeFrame(value: unknown): Uint8Array {
  const chunks = encodeFrameChunks(value);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Decodes a frame. Binary fields come back as Uint8Array views into `frame` (no copy) when `frame` starts on an
 * 8-byte boundary, so keep `frame` alive or copy what you keep.
 */
export function decodeFrame(frame: Uint8Array): unknown {
  if (!isUint8Array(frame) || frame.length < 8)
    throw new FrameError('frame is shorter than its 8-byte prefix');
  for (let i = 0; i < 4; i++)
    if (frame[i] !== MAGIC[i]) throw new FrameError('frame does not start with RSF1');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > frame.length) throw new FrameError('frame header runs past the end');
  let header: { body: unknown; parts: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(frame.subarray(8, 8 + headerLength)));
  } catch {
    throw new FrameError('frame header is not valid JSON');
  }
  if (
    typeof header !== 'object' ||
    header === null ||
    !Array.isArray(header.parts) ||
    typeof header.body !== 'string'
  ) {
    throw new FrameError('frame header lacks body or parts');
  }
  const parts: Uint8Array[] = [];
  let at = pad8(8 + headerLength);
  for (const len of header.parts) {
    if (!Number.isInteger(len) || len < 0 || at + len > frame.length)
      throw new FrameError('frame part runs past the end');
    parts.push(frame.subarray(at, at + len));
    at += pad8(len);
  }
  if (at !== frame.length) throw new FrameError(`frame has ${frame.length - at} unexpected trailing bytes`);
  const used = new Set<number>();
  return JSON.parse(header.body, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && BIN_KEY in v) {
      const index = (v as Record<string, unknown>)[BIN_KEY];
      if (
        typeof index !== 'number' ||
        !Number.isInteger(index) ||
        index < 0 ||
        index >= parts.length ||
        used.has(index)
      ) {
        throw new FrameError(`frame refers to a missing binary part ${String(index)}`);
      }
      used.add(index);
      return parts[index];
    }
    return v;
  });
}

export function rpcPath(channel: RequestChannel): string {
  return RPC_PATH_PREFIX + channel;
}

/** The channel name of an /rpc/<channel> path, or null for any other path (validated later by dispatch). */
export function channelFromPath(pathname: string): string | null {
  if (!pathname.startsWith(RPC_PATH_PREFIX)) return null;
  const name = pathname.slice(RPC_PATH_PREFIX.length);
  return /^[A-Za-z]{1,64}$/.test(name) ? name : null;
}

export function encodeEvent<E extends EventChannel>(event: E, payload: EventOf<E>): Uint8Array {
  return encodeFrame({ event, payload });
}

export function decodeEvent(frame: Uint8Array): { event: string; payload: unknown } {
  const v = decodeFrame(frame) as { event?: unknown; payload?: unknown } | null;
  if (!v || typeof v.event !== 'string') throw new FrameError('event frame lacks an event name');
  return { event: v.event, payload: v.payload };
}

/** Checks the shape of a decoded RpcResult (the client trusts main's values but not a garbled wire). */
export function asRpcResult(v: unknown): RpcResult<unknown> {
  if (typeof v === 'object' && v !== null) {
    const r = v as { ok?: unknown; value?: unknown; error?: unknown };
    if (r.ok === true && 'value' in r) return { ok: true, value: r.value };
    if (r.ok === false && isErrorPayload(r.error)) return { ok: false, error: r.error as ErrorPayload };
  }
  throw new FrameError('response is not a result frame');
}
