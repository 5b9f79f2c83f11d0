// Browser-mode server on a real SQLite file: the access rules (token, Host, Origin), the static files, and the
// contract round trip through the renderer's own HTTP client, binary payloads and events included.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { startServer, type RetinaServer } from '../../main/server/index.js';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from '../../renderer/src/transport/httpClient.js';
import { RpcError, type EventOf } from '../../shared/contract.js';
import { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE, TOKEN_HEADER } from '../../shared/transport.js';
import { driveTestImage } from '../e2e/model-fixture.js';
import { raw, wsStatus } from './raw-http.js';

/** The client's event sockets, newest last, so a test can wait for one to open instead of sleeping. */
const eventSockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    eventSockets.push(this);
  }
}

describe('browser-mode server', () => {
  let dir: string;
  let ws: Workstation;
  let server: RetinaServer;
  let client: HttpClient;
  const rpc = (channel: string, payload: unknown, headers: Record<string, string> = {}) =>
    raw(server.port, {
      method: 'POST',
      path: `/rpc/${channel}`,
      headers: { 'content-type': FRAME_CONTENT_TYPE, [TOKEN_HEADER]: server.token, ...headers },
      body: encodeFrame(payload),
    });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-server-test-'));
    const staticDir = path.join(dir, 'renderer');
    await mkdir(path.join(staticDir, 'assets'), { recursive: true });
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
    await writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'secret.txt'), 'outside the renderer folder');
    // These tests are of a workstation with no model at all, not even the bundled default.
    process.env.RETINA_DEFAULT_MODEL = path.join(dir, 'no-model-here');
    ws = await createWorkstation({ dbPath: path.join(dir, 'retina.db'), shell: 'browser', user: 'tester' });
    server = await startServer({ handlers: ws.handlers, events: ws.events, staticDir });
    client = createHttpClient({
      baseUrl: `http://127.0.0.1:${server.port}`,
      token: server.token,
      fetch: fetch as unknown as FetchLike,
      WebSocket: TrackedWebSocket as unknown as WebSocketCtor,
    });
  });

  after(async () => {
    client.close();
    await server.close();
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('listens on 127.0.0.1 and prints a URL carrying a long random token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
  });

  test('every request needs the token: 401 without it or with a wrong one', async () => {
    const none = await raw(server.port, { path: '/' });
    assert.equal(none.status, 401);
    assert.equal((await raw(server.port, { path: '/assets/app.js' })).status, 401);
    const noTokenRpc = await rpc('getAppInfo', {}, { [TOKEN_HEADER]: '' });
    assert.equal(noTokenRpc.status, 401);
    assert.deepEqual((decodeFrame(noTokenRpc.body) as { error: { code: string } }).error.code, 'forbidden');
    const wrong = await rpc('getAppInfo', {}, { [TOKEN_HEADER]: server.token.slice(0, -1) + 'x' });
    assert.equal(wrong.status, 401);
    assert.equal((await raw(server.port, { path: `/?token=${server.token}x` })).status, 401);
    // The token in a cookie opens the page but is not enough for RPC (which wants the header).
    const cookieOnly = await rpc(
      'getAppInfo',
      {},
      { [TOKEN_HEADER]: '', cookie: `retina_token=${server.token}` },
    );
    assert.equal(cookieOnly.status, 401);
  });

  test('the page opens with the URL token, then the cookie serves assets and reloads', async () => {
    const page = await raw(server.port, { path: `/?token=${server.token}` });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /RetinaStudio/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${server.port}`));
    // Browsers reject an IPv6 literal as a CSP source, with a console error on every page load.
    assert.doesNotMatch(csp, /\[/);
    const cookie = String(page.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const jar = cookie.split(';')[0];
    const asset = await raw(server.port, { path: '/assets/app.js', headers: { cookie: jar } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await raw(server.port, { path: '/', headers: { cookie: jar } })).status, 200);
    // No page is shown inside another site's frame, by whichever path it is asked for (clickjacking).
    for (const p of ['/', '/index.html']) {
      const html = await raw(server.port, { path: p, headers: { cookie: jar } });
      assert.equal(html.status, 200, p);
      assert.equal(html.headers['x-frame-options'], 'DENY', p);
      assert.match(String(html.headers['content-security-policy']), /frame-ancestors 'none'/, p);
    }
    assert.equal(asset.headers['x-frame-options'], 'DENY');
    // Nothing outside the renderer folder is reachable.
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await raw(server.port, { path: p, headers: { cookie: jar } });
      assert.ok(r.status === 404, `${p} answered ${r.status}`);
      assert.ok(!r.body.toString().includes('outside the renderer'), p);
    }
  });

  test('a foreign Host (DNS rebinding) or Origin (another site) is refused with 403, even with the token', async () => {
    const rebound = await raw(server.port, {
      path: `/?token=${server.token}`,
      headers: { host: `evil.example:${server.port}` },
    });
    assert.equal(rebound.status, 403);
    const otherPort = await rpc('getAppInfo', {}, { host: `127.0.0.1:${server.port + 1}` });
    assert.equal(otherPort.status, 403);
    const crossSite = await rpc('getAppInfo', {}, { origin: 'http://evil.example' });
    assert.equal(crossSite.status, 403);
    assert.equal((decodeFrame(crossSite.body) as { error: { code: string } }).error.code, 'forbidden');
    const sameSite = await rpc('getAppInfo', {}, { origin: `http://127.0.0.1:${server.port}` });
    assert.equal(sameSite.status, 200);
    const viaLocalhost = await rpc(
      'getAppInfo',
      {},
      { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` },
    );
    assert.equal(viaLocalhost.status, 200);
  });

  test('the event socket needs the token and a same-origin Origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/events`;
    assert.equal(await wsStatus(base), 401);
    assert.equal(await wsStatus(`${base}?token=wrong`), 401);
    assert.equal(await wsStatus(`${base}?token=${server.token}`, { origin: 'http://evil.example' }), 403);
    assert.equal(
      await wsStatus(`${base}?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` }),
      'open',
    );
  });

  test('bad payloads come back as readable invalid-request errors, not crashes', async () => {
    await assert.rejects(
      client.invoke('listImages', { offset: -1, limit: 10 }),
      (e: unknown) => e instanceof RpcError && e.code === 'invalid-request' && /offset/.test(e.message),
    );
    const unknownAnswer = await rpc('dropDatabase', {});
    assert.equal(unknownAnswer.status, 404);
    const unknown = decodeFrame(unknownAnswer.body) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.equal(unknown.ok, false);
    assert.equal(unknown.error.code, 'invalid-request');
    assert.match(unknown.error.message, /unknown RPC method "dropDatabase"/);
    // The renderer's client reads the 404's frame: a readable error naming the method, not "HTTP 404".
    await assert.rejects(
      client.invoke('dropDatabase' as 'getAppInfo', {}),
      (e: unknown) =>
        e instanceof RpcError && e.code === 'invalid-request' && /"dropDatabase"/.test(e.message),
    );
    const garbled = await raw(server.port, {
      method: 'POST',
      path: '/rpc/getAppInfo',
      headers: { 'content-type': FRAME_CONTENT_TYPE, [TOKEN_HEADER]: server.token },
      body: Buffer.from('not a frame at all'),
    });
    assert.equal(garbled.status, 400);
    const info = await client.invoke('getAppInfo', {});
    assert.equal(info.shell, 'browser');
    assert.equal(info.user, 'tester');
  });

  test('binary payloads round-trip: uploaded TIFF in, PNG out; a mask saved and read back byte for byte', async () => {
    const events: EventOf<'imagesChanged'>[] = [];
    let notify = (): void => {};
    const off = client.on('imagesChanged', (e) => {
      events.push(e);
      notify();
    });
    // The server registers a socket before it answers the upgrade, so once open it gets every later event.
    const socket = eventSockets.at(-1);
    if (!socket) throw new Error('the client opened no event socket');
    if (socket.readyState !== WebSocket.OPEN) await once(socket, 'open');
    const tiff = await readFile(driveTestImage('01'));
    const { jobId } = await client.invoke('importFiles', {
      files: [{ name: '01_test.tif', bytes: new Uint8Array(tiff) }],
    });
    const job = await ws.jobs.wait(jobId);
    assert.equal(job.state, 'done', job.message ?? '');
    const page = await client.invoke('listImages', { offset: 0, limit: 10 });
    assert.equal(page.total, 1);
    const image = page.items[0];
    assert.equal(image.fileName, '01_test.tif');
    assert.deepEqual([image.width, image.height, image.status], [565, 584, 'new']);

    const encoded = await client.invoke('getImage', { imageId: image.id });
    assert.equal(encoded.mime, 'image/png');
    assert.ok(encoded.bytes instanceof Uint8Array);
    assert.deepEqual([...encoded.bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');

    const mask = new Uint8Array(565 * 584);
    for (let i = 0; i < mask.length; i++) mask[i] = (i * 2654435761) % 7 === 0 ? 1 : 0;
    const saved = await client.invoke('saveDraft', {
      imageId: image.id,
      width: 565,
      height: 584,
      mask,
      parentVersionId: null,
    });
    assert.equal(saved.status, 'draft');
    const masks = await client.invoke('getMasks', { imageId: image.id });
    assert.ok(masks.draft);
    assert.equal(masks.draft.data.length, mask.length);
    assert.ok(
      Buffer.from(masks.draft.data).equals(Buffer.from(mask)),
      'the draft read back differs from the one sent',
    );

    // A mask of the wrong size changes nothing.
    await assert.rejects(
      client.invoke('saveDraft', { imageId: image.id, width: 584, height: 565, mask, parentVersionId: null }),
      (e: unknown) => e instanceof RpcError && e.code === 'mask-size' && /565x584/.test(e.message),
    );
    const after = await client.invoke('getMasks', { imageId: image.id });
    assert.equal(after.draft?.versionId, masks.draft.versionId);

    // The event may still be in flight on the socket: wait for it; the timer only guards against a hang.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no imagesChanged event reached the WebSocket in 30 s')),
        30_000,
      );
      notify = () => {
        if (!events.some((e) => e.imageIds.includes(image.id))) return;
        clearTimeout(timer);
        resolve();
      };
      notify();
    });
    off();
  });

  test('predict without any model fails at once with a model-failed message', async () => {
    await assert.rejects(
      client.invoke('predict', { imageIds: ['1'] }),
      (e: unknown) => e instanceof RpcError && e.code === 'model-failed' && /no model/.test(e.message),
    );
    await assert.rejects(
      client.invoke('getMasks', { imageId: '999' }),
      (e: unknown) => e instanceof RpcError && e.code === 'not-found',
    );
  });
});
