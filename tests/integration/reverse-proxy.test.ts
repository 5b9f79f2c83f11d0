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
import { clientAddress, requestScheme } from '../../main/server/access.js';
import { hashPassword } from '../../main/accounts/passwords.js';
import { createUser } from '../../main/store/index.js';
import { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE } from '../../shared/transport.js';
import { startReverseProxy, type ReverseProxy, type ReverseProxyOptions } from '../support/reverse-proxy.js';
import { raw, wsStatus } from './raw-http.js';
import { readFile } from 'node:fs/promises';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from '../../renderer/src/transport/httpClient.js';
import { RpcError } from '../../shared/contract.js';
import { datasetsRoot, driveTestImage } from '../e2e/model-fixture.js';
import sharp from 'sharp';
import { WebSocket } from 'ws';
import { publicUrlArg } from '../../main/cli/serve-command.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PUBLIC = 'https://intranet.example';
const IDLE_MS = 500;
const LIMIT = 32 * 1024;
/** nginx's default client_max_body_size (1m). */
const NGINX_DEFAULT_LIMIT = 1024 * 1024;

describe('team server behind a reverse proxy under a sub-path', () => {
  let dir: string;
  let ws: Workstation;
  let server: RetinaServer;
  let proxy: ReverseProxy;
  /** The same proxy as nginx's `proxy_pass http://127.0.0.1:PORT;` runs it: /retina/... passed on unchanged. */
  let keeping: ReverseProxy;
  /** A proxy that closes an event socket idle for IDLE_MS, as nginx's proxy_read_timeout (60 s) does. */
  let impatient: ReverseProxy;
  /** A proxy with a body limit (client_max_body_size) scaled down to LIMIT bytes. */
  let limited: ReverseProxy;
  /** A proxy with nginx's default body limit. */
  let nginxDefault: ReverseProxy;
  /** The same proxy serving plain HTTP too: X-Forwarded-Proto says http. */
  let plainHttp: ReverseProxy;
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
    /** The hospital's proxy in front of this server, with one of nginx's settings or another. */
    const inFront = (extra: Partial<ReverseProxyOptions>): Promise<ReverseProxy> =>
      startReverseProxy({
        upstreamPort: () => server.port,
        prefix: '/retina/',
        publicHost: () => 'intranet.example',
        proto: 'https',
        ...extra,
      });
    proxy = await inFront({ clientAddress: () => client });
    keeping = await inFront({ keepPrefix: true });
    impatient = await inFront({ idleTimeoutMs: IDLE_MS });
    limited = await inFront({ maxBodyBytes: LIMIT });
    nginxDefault = await inFront({ maxBodyBytes: NGINX_DEFAULT_LIMIT });
    plainHttp = await inFront({ proto: 'http' });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1);');
  });

  after(async () => {
    await keeping.close();
    await impatient.close();
    await limited.close();
    await nginxDefault.close();
    await plainHttp.close();
    await proxy.close();
    await server.close();
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** What the browser sends through a proxy: its request to the public origin, with that Origin. */
  const via =
    (through: () => ReverseProxy) =>
    (method: string, p: string, headers: Record<string, string> = {}, body?: Uint8Array | string) =>
      raw(through().port, {
        method,
        path: `/retina${p}`,
        headers: { host: 'intranet.example', origin: PUBLIC, ...headers },
        ...(body !== undefined ? { body } : {}),
      });
  const viaProxy = via(() => proxy);

  /** Ada's login through `through`: the Set-Cookie it answers. */
  const loginVia = async (through: ReverseProxy): Promise<string> => {
    const login = await via(() => through)(
      'POST',
      '/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ user: 'ada', password: 'ada pass' }),
    );
    assert.equal(login.status, 200, login.body.toString());
    return String(login.headers['set-cookie']);
  };

  /** A call and the event socket through `through`, with the session cookie, get in. */
  const callAndListen = async (through: ReverseProxy, cookie: string): Promise<void> => {
    const call = await via(() => through)(
      'POST',
      '/rpc/getAppInfo',
      { cookie, 'content-type': FRAME_CONTENT_TYPE },
      encodeFrame({}),
    );
    assert.equal(call.status, 200, call.body.toString());
    assert.equal((decodeFrame(call.body) as { ok: boolean }).ok, true);
    assert.equal(
      await wsStatus(`ws://127.0.0.1:${through.port}/retina/events`, {
        cookie,
        origin: PUBLIC,
        host: 'intranet.example',
      }),
      'open',
    );
  };

  /** The renderer's client as the page runs it through a proxy: its cookie, the public Host and Origin. */
  const renderersClient =
    (cookie: string) =>
    (through: ReverseProxy): HttpClient => {
      const fetchVia: FetchLike = async (url, init) => {
        const res = await raw(through.port, {
          method: init.method,
          path: new URL(url).pathname,
          headers: { ...init.headers, cookie, host: 'intranet.example', origin: PUBLIC },
          body: init.body,
        });
        return { status: res.status, arrayBuffer: async () => new Uint8Array(res.body).buffer };
      };
      class NoEvents {
        binaryType = '';
        onopen = null;
        onmessage = null;
        onclose = null;
        onerror = null;
        close(): void {}
      }
      return createHttpClient({
        baseUrl: `${PUBLIC}/retina/`,
        token: '',
        fetch: fetchVia,
        WebSocket: NoEvents as unknown as WebSocketCtor,
      });
    };
  test('a login, a call and the event socket from the public address get in; the cookie is kept to /retina/ over HTTPS', async () => {
    const setCookie = await loginVia(proxy);
    assert.match(setCookie, /; Path=\/retina\/(;|$)/);
    assert.match(setCookie, /; Secure(;|$)/);
    await callAndListen(proxy, setCookie.split(';')[0]);
  });

  test('a proxy that keeps the /retina/ prefix on reaches the page, assets, logins, calls, events and reports', async () => {
    const viaKeeping = via(() => keeping);
    const page = await viaKeeping('GET', '/');
    assert.equal(page.status, 200, page.body.toString());
    assert.match(page.body.toString(), /<title>RetinaStudio/);
    const asset = await viaKeeping('GET', '/assets/app.js');
    assert.equal(asset.status, 200, asset.body.toString());
    assert.match(String(asset.headers['content-type']), /javascript/);

    const cookie = (await loginVia(keeping)).split(';')[0];
    await callAndListen(keeping, cookie);
    // The report route, not the page: it wants a session like any call.
    assert.equal((await viaKeeping('GET', '/report?image=nothing')).status, 401);
    assert.notEqual((await viaKeeping('GET', '/report?image=nothing', { cookie })).status, 401);
  });

  test("an event socket with nothing to say outlives the proxy's idle timeout: the server pings it", async () => {
    const cookie = (await loginVia(proxy)).split(';')[0];
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

  test('an event socket whose client stopped answering pings is closed, a few pings later', async () => {
    const cookie = (await loginVia(proxy)).split(';')[0];
    // A client gone without a word (a laptop lid closed): its socket stays open but never answers a ping.
    const gone = new WebSocket(`ws://127.0.0.1:${proxy.port}/retina/events`, {
      headers: { cookie, origin: PUBLIC, host: 'intranet.example' },
      autoPong: false,
    });
    // Counted in pings, not waited in time: 15 unanswered ones and it is still open is the old server.
    const outcome = await new Promise<string>((resolve) => {
      let seen = 0;
      gone.on('ping', () => {
        if (++seen === 15) resolve('still open after 15 unanswered pings');
      });
      gone.on('close', () => resolve(seen <= 3 ? 'closed' : `closed after ${seen} pings`));
      gone.on('error', () => undefined);
    });
    gone.terminate();
    assert.equal(outcome, 'closed');
  });

  test("an upload or a mask save over the proxy's body limit says so, and what was saved stays", async () => {
    const cookie = (await loginVia(proxy)).split(';')[0];
    const clientVia = renderersClient(cookie);
    const open = clientVia(proxy);
    const narrow = clientVia(limited);
    const tooLarge = (e: unknown): boolean =>
      e instanceof RpcError &&
      e.code !== 'internal' &&
      /too large for the server's proxy/.test(e.message) &&
      /client_max_body_size/.test(e.message);

    const tiff = new Uint8Array(await readFile(driveTestImage('01')));
    assert.ok(tiff.length > LIMIT);
    await assert.rejects(
      narrow.invoke('importFiles', { files: [{ name: '01_test.tif', bytes: tiff }] }),
      tooLarge,
    );

    const { jobId } = await open.invoke('importFiles', { files: [{ name: '01_test.tif', bytes: tiff }] });
    assert.equal((await ws.jobs.wait(jobId)).state, 'done');
    const image = (await open.invoke('listImages', { offset: 0, limit: 10 })).items[0];
    const mask = new Uint8Array(565 * 584).fill(1, 0, 1000);
    await open.invoke('saveDraft', {
      imageId: image.id,
      width: 565,
      height: 584,
      mask,
      parentVersionId: null,
    });
    const saved = await open.invoke('getMasks', { imageId: image.id });
    assert.ok(saved.draft);

    // Noise: a change that does not compress, its packed pixels alone over the limit.
    let seed = 7;
    const edited = mask.map(() => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 31);
    await assert.rejects(
      narrow.invoke('saveDraft', {
        imageId: image.id,
        width: 565,
        height: 584,
        mask: edited,
        parentVersionId: saved.draft.versionId,
      }),
      // Noise holds a bit a pixel, so no packing fits it under 1 MB at 8 MP: the annotator is told what helps.
      (e: unknown) =>
        tooLarge(e) && /speckled mask .*raise the threshold or remove its islands/.test((e as Error).message),
    );
    const after = await open.invoke('getMasks', { imageId: image.id });
    assert.equal(after.draft?.versionId, saved.draft.versionId);
    assert.ok(Buffer.from(after.draft.data).equals(Buffer.from(mask)));
    open.close();
    narrow.close();
  });

  test("a real-size image's mask and artery/vein labels are saved and approved behind nginx's default 1 MB body limit", async () => {
    // A 3504x2336 photograph (HRF's size) with LES-AV's hand-drawn arteries and veins, enlarged to it.
    const [W, H] = [3504, 2336];
    const lesAv = path.join(datasetsRoot, 'LES-AV');
    const photo = await sharp(path.join(lesAv, 'images', '12.png'))
      .resize(W, H, { fit: 'fill' })
      .jpeg()
      .toBuffer();
    const drawn = await sharp(path.join(lesAv, 'av', '12.png'))
      .resize(W, H, { fit: 'fill', kernel: 'nearest' })
      .removeAlpha()
      .raw()
      .toBuffer();
    const mask = new Uint8Array(W * H);
    const av = new Uint8Array(W * H);
    for (let p = 0; p < W * H; p++) {
      const [r, g, b] = [drawn[3 * p], drawn[3 * p + 1], drawn[3 * p + 2]];
      if (r + g + b === 0) continue;
      mask[p] = 1;
      av[p] = b > 127 && r < 128 ? 2 : 1; // blue: vein; red, and the crossings drawn white or green: artery
    }

    const cookie = (await loginVia(proxy)).split(';')[0];
    const open = renderersClient(cookie)(proxy);
    const behindNginx = renderersClient(cookie)(nginxDefault);
    try {
      const { jobId } = await open.invoke('importFiles', { files: [{ name: 'hrf-size.jpg', bytes: photo }] });
      assert.equal((await ws.jobs.wait(jobId)).state, 'done');
      const image = (await open.invoke('listImages', { offset: 0, limit: 50 })).items.find(
        (i) => i.width === W && i.height === H,
      );
      assert.ok(image, 'the photograph was imported at its size');

      const draft = await behindNginx.invoke('saveDraft', {
        imageId: image.id,
        width: W,
        height: H,
        mask,
        av,
        parentVersionId: null,
      });
      await behindNginx.invoke('approveMask', {
        imageId: image.id,
        width: W,
        height: H,
        mask,
        av,
        parentVersionId: draft.versionId,
      });
      const saved = await open.invoke('getMasks', { imageId: image.id });
      assert.ok(saved.approved, 'approved');
      assert.ok(
        Buffer.from(saved.approved.data).equals(Buffer.from(mask)),
        'the approved mask is the one sent',
      );
      assert.ok(
        saved.approved.av && Buffer.from(saved.approved.av).equals(Buffer.from(av)),
        'and its labels',
      );
    } finally {
      open.close();
      behindNginx.close();
    }
  });

  test("an older window's save (a byte a pixel) is still taken; a compact mask that does not decode is refused and nothing is saved", async () => {
    const [W, H] = [64, 48];
    const photo = await sharp(driveTestImage('02')).resize(W, H, { fit: 'fill' }).png().toBuffer();
    const cookie = (await loginVia(proxy)).split(';')[0];
    const open = renderersClient(cookie)(proxy);
    const post = (body: unknown) =>
      viaProxy('POST', '/rpc/saveDraft', { cookie, 'content-type': FRAME_CONTENT_TYPE }, encodeFrame(body));
    try {
      const { jobId } = await open.invoke('importFiles', { files: [{ name: 'small.png', bytes: photo }] });
      assert.equal((await ws.jobs.wait(jobId)).state, 'done');
      const image = (await open.invoke('listImages', { offset: 0, limit: 50 })).items.find(
        (i) => i.width === W,
      );
      assert.ok(image);
      const mask = new Uint8Array(W * H).fill(1, 100, 300);
      const old = await post({ imageId: image.id, width: W, height: H, mask, parentVersionId: null });
      const saved = decodeFrame(old.body) as { ok: boolean; value: { versionId: string } };
      assert.equal(saved.ok, true, JSON.stringify(saved));

      const corrupt = await post({
        imageId: image.id,
        width: W,
        height: H,
        compact: { mask: new Uint8Array([120, 156, 1, 2, 3]) },
        parentVersionId: saved.value.versionId,
      });
      assert.equal(corrupt.status, 400);
      const refusal = decodeFrame(corrupt.body) as { ok: false; error: { code: string; message: string } };
      assert.equal(refusal.error.code, 'invalid-request');
      assert.match(
        refusal.error.message,
        /the mask sent cannot be read, so nothing was saved: .*compact\.mask/,
      );
      const after = await open.invoke('getMasks', { imageId: image.id });
      assert.equal(after.draft?.versionId, saved.value.versionId);
      assert.ok(Buffer.from(after.draft.data).equals(Buffer.from(mask)));
    } finally {
      open.close();
    }
  });

  test('a call while the server behind the proxy is down says it cannot be reached, not an unexpected error', async () => {
    const cookie = (await loginVia(proxy)).split(';')[0];
    // Nothing listens on port 1: the proxy answers 502 Bad Gateway, as nginx does while retina serve restarts.
    const nowhere = await startReverseProxy({
      upstreamPort: () => 1,
      prefix: '/retina/',
      publicHost: () => 'intranet.example',
      proto: 'https',
    });
    const client = renderersClient(cookie)(nowhere);
    try {
      await assert.rejects(
        client.invoke('getAppInfo', {}),
        (e: unknown) => e instanceof RpcError && e.code === 'unreachable' && /502/.test(e.message),
      );
    } finally {
      client.close();
      await nowhere.close();
    }
  });

  test('the public address opened over plain HTTP is sent to HTTPS, not loaded to have every call refused', async () => {
    const viaPlain = via(() => plainHttp);
    const page = await viaPlain('GET', '/assets/app.js?v=1', { origin: 'http://intranet.example' });
    assert.equal(page.status, 308, page.body.toString());
    assert.equal(page.headers.location, `${PUBLIC}/retina/assets/app.js?v=1`);
    const login = await viaPlain(
      'POST',
      '/auth/login',
      { origin: 'http://intranet.example', 'content-type': 'application/json' },
      JSON.stringify({ user: 'ada', password: 'ada pass' }),
    );
    assert.equal(login.status, 403);
    assert.match(login.body.toString(), /HTTPS only: open https:\/\/intranet\.example\/retina\//);
    // Over HTTPS (the proxy saying so) the same page is served.
    assert.equal((await viaProxy('GET', '/assets/app.js?v=1')).status, 200);
  });

  test('the event socket over plain HTTP is refused too, even with a session cookie made over HTTPS', async () => {
    // A page left open from before the redirect (or a script) would otherwise hear every event over plain HTTP.
    const cookie = (await loginVia(proxy)).split(';')[0];
    const listen = (through: ReverseProxy, origin?: string) =>
      wsStatus(`ws://127.0.0.1:${through.port}/retina/events`, {
        cookie,
        host: 'intranet.example',
        ...(origin ? { origin } : {}),
      });
    assert.equal(await listen(plainHttp, PUBLIC), 403);
    assert.equal(await listen(plainHttp, 'http://intranet.example'), 403);
    assert.equal(await listen(plainHttp), 403, 'no Origin (not a browser): still refused');
    assert.equal(await listen(proxy, PUBLIC), 'open', 'over HTTPS it opens');
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

describe('behind a trusted proxy that ends TLS, with no --public-url', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  /** The token cookie the page's first load sets, on a server trusting `trusted`, with the proxy's header. */
  const tokenCookieSet = async (trusted: string[]): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-proto-test-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
    const noHandlers = { handlers: {}, events: { subscribe: () => () => undefined } };
    const server = await startServer({
      ...(noHandlers as unknown as Pick<Parameters<typeof startServer>[0], 'handlers' | 'events'>),
      staticDir: dir,
      trustedProxies: trusted,
    });
    try {
      const page = await raw(server.port, {
        method: 'GET',
        path: `/?token=${server.token}`,
        headers: { host: `127.0.0.1:${server.port}`, 'x-forwarded-proto': 'https' },
      });
      assert.equal(page.status, 200, page.body.toString());
      return String(page.headers['set-cookie']);
    } finally {
      await server.close();
    }
  };

  test("the cookie is Secure when the trusted proxy says the person used HTTPS; anyone else's word is ignored", async () => {
    assert.match(await tokenCookieSet(['127.0.0.1']), /; Secure(;|$)/);
    assert.doesNotMatch(await tokenCookieSet([]), /Secure/);
  });
});

describe('behind a trusted proxy', () => {
  test('the scheme is the one X-Forwarded-Proto names, only when the proxy is trusted', () => {
    const trusted = ['127.0.0.1'];
    assert.equal(requestScheme('127.0.0.1', 'https', 'http', trusted), 'https');
    assert.equal(requestScheme('::ffff:127.0.0.1', 'HTTPS, http', 'http', trusted), 'https');
    assert.equal(requestScheme('127.0.0.1', 'http', 'https', trusted), 'http');
    assert.equal(requestScheme('192.0.2.5', 'https', 'http', trusted), 'http');
    assert.equal(requestScheme('127.0.0.1', 'gopher', 'http', trusted), 'http');
    assert.equal(requestScheme('127.0.0.1', undefined, 'https', trusted), 'https');
  });

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
