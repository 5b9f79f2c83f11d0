// The team server behind a hospital's reverse proxy (tests/support/reverse-proxy.ts): TLS ended at the proxy, the
// app under https://intranet.example/retina/, the public Host and X-Forwarded-* passed on. What the browser sends
// through it (its Origin, the public Host) must get in once the admin names the public address (--public-url), and
// the session cookie must then be kept to that path and sent over HTTPS only.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { startServer, type RetinaServer } from '../../main/server/index.js';
import { Accounts } from '../../main/accounts/accounts.js';
import { LoginThrottle } from '../../main/accounts/login-throttle.js';
import { clientAddress } from '../../main/server/access.js';
import { hashPassword } from '../../main/accounts/passwords.js';
import { createUser } from '../../main/store/index.js';
import { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE } from '../../shared/transport.js';
import { startReverseProxy, type ReverseProxy } from '../support/reverse-proxy.js';
import { raw, wsStatus } from './raw-http.js';
import { WebSocket } from 'ws';
import { publicUrlArg } from '../../main/cli/serve-command.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PUBLIC = 'https://intranet.example';
const IDLE_MS = 500;

describe('team server behind a reverse proxy under a sub-path', () => {
  let dir: string;
  let ws: Workstation;
  let server: RetinaServer;
  let proxy: ReverseProxy;
  /** The same proxy as nginx's `proxy_pass http://127.0.0.1:PORT;` runs it: /retina/... passed on unchanged. */
  let keeping: ReverseProxy;
  /** A proxy that closes an event socket idle for IDLE_MS, as nginx's proxy_read_timeout (60 s) does. */
  let impatient: ReverseProxy;
  /** The address of the person at the browser, as the proxy sees it. */
  let client = '10.0.0.7';

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-proxy-test-'));
    process.env.RETINA_DEFAULT_MODEL = path.join(dir, 'no-model-here');
    ws = await createWorkstation({ dbPath: path.join(dir, 'retina.db'), shell: 'browser' });
    createUser(
      ws.store,
      { name: 'ada', role: 'admin', passwordHash: await hashPassword('ada pass', FAST) },
      't',
    );
    server = await startServer({
      handlers: ws.handlers,
      events: ws.events,
      eventAudience: ws.eventAudience,
      accounts: new Accounts(ws.store, {
        throttle: new LoginThrottle({ freeFailures: 2, baseDelayMs: 60_000 }),
      }),
      trustedProxies: ['127.0.0.1'],
      staticDir: dir,
      publicUrl: new URL(`${PUBLIC}/retina/`),
      eventPingMs: IDLE_MS / 5,
    });
    proxy = await startReverseProxy({
      upstreamPort: () => server.port,
      prefix: '/retina/',
      publicHost: () => 'intranet.example',
      proto: 'https',
      clientAddress: () => client,
    });
    keeping = await startReverseProxy({
      upstreamPort: () => server.port,
      prefix: '/retina/',
      keepPrefix: true,
      publicHost: () => 'intranet.example',
      proto: 'https',
    });
    impatient = await startReverseProxy({
      upstreamPort: () => server.port,
      prefix: '/retina/',
      publicHost: () => 'intranet.example',
      proto: 'https',
      idleTimeoutMs: IDLE_MS,
    });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1);');
  });

  after(async () => {
    await keeping.close();
    await impatient.close();
    await proxy.close();
    await server.close();
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** What the browser sends through the proxy: its request to the public origin, with that Origin. */
  const viaProxy = (
    method: string,
    p: string,
    headers: Record<string, string> = {},
    body?: Uint8Array | string,
  ) =>
    raw(proxy.port, {
      method,
      path: `/retina${p}`,
      headers: { host: 'intranet.example', origin: PUBLIC, ...headers },
      ...(body !== undefined ? { body } : {}),
    });

  test('a login, a call and the event socket from the public address get in; the cookie is kept to /retina/ over HTTPS', async () => {
    const login = await viaProxy(
      'POST',
      '/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ user: 'ada', password: 'ada pass' }),
    );
    assert.equal(login.status, 200, login.body.toString());
    const setCookie = String(login.headers['set-cookie']);
    assert.match(setCookie, /; Path=\/retina\/(;|$)/);
    assert.match(setCookie, /; Secure(;|$)/);
    const cookie = setCookie.split(';')[0];

    const call = await viaProxy(
      'POST',
      '/rpc/getAppInfo',
      { cookie, 'content-type': FRAME_CONTENT_TYPE },
      encodeFrame({}),
    );
    assert.equal(call.status, 200, call.body.toString());
    assert.equal((decodeFrame(call.body) as { ok: boolean }).ok, true);

    assert.equal(
      await wsStatus(`ws://127.0.0.1:${proxy.port}/retina/events`, {
        cookie,
        origin: PUBLIC,
        host: 'intranet.example',
      }),
      'open',
    );
  });

  test('a proxy that keeps the /retina/ prefix on reaches the page, assets, logins, calls, events and reports', async () => {
    const viaKeeping = (
      method: string,
      p: string,
      headers: Record<string, string> = {},
      body?: string | Uint8Array,
    ) =>
      raw(keeping.port, {
        method,
        path: `/retina${p}`,
        headers: { host: 'intranet.example', origin: PUBLIC, ...headers },
        ...(body !== undefined ? { body } : {}),
      });
    const page = await viaKeeping('GET', '/');
    assert.equal(page.status, 200, page.body.toString());
    assert.match(page.body.toString(), /<title>RetinaStudio/);
    const asset = await viaKeeping('GET', '/assets/app.js');
    assert.equal(asset.status, 200, asset.body.toString());
    assert.match(String(asset.headers['content-type']), /javascript/);

    const login = await viaKeeping(
      'POST',
      '/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ user: 'ada', password: 'ada pass' }),
    );
    assert.equal(login.status, 200, login.body.toString());
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const call = await viaKeeping(
      'POST',
      '/rpc/getAppInfo',
      { cookie, 'content-type': FRAME_CONTENT_TYPE },
      encodeFrame({}),
    );
    assert.equal(call.status, 200, call.body.toString());
    assert.equal((decodeFrame(call.body) as { ok: boolean }).ok, true);
    assert.equal(
      await wsStatus(`ws://127.0.0.1:${keeping.port}/retina/events`, {
        cookie,
        origin: PUBLIC,
        host: 'intranet.example',
      }),
      'open',
    );
    // The report route, not the page: it wants a session like any call.
    assert.equal((await viaKeeping('GET', '/report?image=nothing')).status, 401);
    assert.notEqual((await viaKeeping('GET', '/report?image=nothing', { cookie })).status, 401);
  });

  test("an event socket with nothing to say outlives the proxy's idle timeout: the server pings it", async () => {
    const login = await viaProxy(
      'POST',
      '/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ user: 'ada', password: 'ada pass' }),
    );
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const socket = new WebSocket(`ws://127.0.0.1:${impatient.port}/retina/events`, {
      headers: { cookie, origin: PUBLIC, host: 'intranet.example' },
    });
    // Counted in pings, not waited in time: 15 of them span three of the proxy's idle periods.
    const outcome = await new Promise<string>((resolve) => {
      let pings = 0;
      socket.on('ping', () => {
        if (++pings === 15) resolve('open');
      });
      socket.on('close', () => resolve(`closed after ${pings} pings`));
      socket.on('error', () => undefined);
    });
    assert.equal(outcome, 'open');
    assert.equal(socket.readyState, WebSocket.OPEN);
    socket.close();
  });

  test("one person's failed logins through the proxy do not lock out everyone behind it", async () => {
    const login = (user: string, password: string) =>
      viaProxy(
        'POST',
        '/auth/login',
        { 'content-type': 'application/json' },
        JSON.stringify({ user, password }),
      );
    client = '10.0.0.66';
    for (const name of ['mallory', 'mal']) assert.equal((await login(name, 'guess')).status, 401);
    assert.equal((await login('mallory2', 'guess')).status, 429, 'the guesser is slowed down');
    client = '10.0.0.7';
    const ada = await login('ada', 'ada pass');
    assert.equal(ada.status, 200, ada.body.toString());
  });

  test('another site is still refused, and so is the public name over plain HTTP', async () => {
    const other = await viaProxy(
      'POST',
      '/auth/login',
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      '{}',
    );
    assert.equal(other.status, 403);
    const plain = await viaProxy(
      'POST',
      '/auth/login',
      { origin: 'http://intranet.example', 'content-type': 'application/json' },
      '{}',
    );
    assert.equal(plain.status, 403);
  });
});

describe('behind a trusted proxy', () => {
  test("the person's address is the one X-Forwarded-For names, only when the proxy is trusted", () => {
    const trusted = ['127.0.0.1', '10.1.1.1'];
    assert.equal(clientAddress('127.0.0.1', '203.0.113.9, 10.0.0.7', trusted), '10.0.0.7');
    assert.equal(clientAddress('127.0.0.1', '10.0.0.7, 10.1.1.1', trusted), '10.0.0.7');
    assert.equal(clientAddress('::ffff:127.0.0.1', '10.0.0.7', trusted), '10.0.0.7');
    assert.equal(clientAddress('192.0.2.5', '10.0.0.7', trusted), '192.0.2.5');
    assert.equal(clientAddress('127.0.0.1', '10.0.0.7', []), '127.0.0.1');
    assert.equal(clientAddress('127.0.0.1', undefined, trusted), '127.0.0.1');
  });
});

test('--public-url takes an http(s) address and keeps its path a folder', () => {
  assert.equal(publicUrlArg('https://Intranet.example/retina')?.href, 'https://intranet.example/retina/');
  assert.equal(publicUrlArg(undefined), undefined);
  for (const bad of ['intranet.example/retina/', 'ftp://intranet.example/', 'https://x.example/?a=1'])
    assert.throws(() => publicUrlArg(bad), /--public-url must be/);
});
