// The renderer's HTTP client from Node for a team server, logged in as one person: what their browser would send.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from '../../renderer/src/transport/httpClient.js';
import type { ServeProcess } from './harness.js';

/** The renderer's HTTP client from Node, logged in as `user` (its session cookie added to every request). */
export async function teamClient(serve: ServeProcess, user: string, password: string): Promise<HttpClient> {
  const origin = new URL(serve.url).origin;
  const res = await fetch(`${origin}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  assert.equal(res.status, 200, `${user} could not log in`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const withCookie = ((url: string, init: { headers: Record<string, string> }) =>
    fetch(url, { ...init, headers: { ...init.headers, cookie } } as RequestInit)) as unknown as FetchLike;
  return createHttpClient({
    baseUrl: origin,
    token: '',
    fetch: withCookie,
    WebSocket: WebSocket as unknown as WebSocketCtor,
  });
}
