import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  dispatchRequest,
  RpcError,
  type RequestChannel,
  type RequestHandlers,
} from '../../shared/contract.js';
import { fromWire } from '../../shared/mask-wire.js';
import { inflate } from '../../main/server/inflate.js';
import {
  channelFromPath,
  decodeEvent,
  decodeFrame,
  encodeEvent,
  encodeFrame,
  FrameError,
  TOKEN_HEADER,
  TOKEN_QUERY,
  asRpcResult,
} from '../../shared/transport.js';
import {
  createHttpClient,
  type FetchLike,
  type WebSocketCtor,
} from '../../renderer/src/transport/httpClient.js';
import { driveManual } from './editing-fixtures.js';

describe('frames', () => {
  test('nested Uint8Arrays (Buffers and empty ones included) round-trip as raw parts, 8-byte aligned', async () => {
    const m = await driveManual(25);
    const prob = new Uint16Array(m.data.length).map((_, i) => (m.data[i] ? 60000 : i % 1000));
    const value = {
      imageId: '25',
      masks: [{ data: m.data }, { data: new Uint8Array(0) }],
      prob: new Uint8Array(prob.buffer),
      buf: Buffer.from('hello'),
      text: 'μ-vessel "quoted"',
      n: 0.125,
      nothing: null,
    };
    const frame = encodeFrame(value);
    // Raw, not base64 or JSON arrays: the frame is barely larger than the binary it carries.
    assert.ok(frame.length < m.data.length + prob.byteLength + 1024, `frame of ${frame.length} bytes`);
    const back = decodeFrame(frame) as typeof value;
    assert.deepEqual(back.masks[0].data, m.data);
    assert.equal(back.masks[1].data.length, 0);
    assert.deepEqual(Buffer.from(back.buf).toString(), 'hello');
    assert.equal(back.text, value.text);
    assert.equal(back.nothing, null);
    assert.equal(back.prob.byteOffset % 8, 0);
    assert.deepEqual(new Uint16Array(back.prob.buffer, back.prob.byteOffset, prob.length), prob);
    assert.equal(decodeFrame(encodeFrame(undefined)), null);
    assert.deepEqual(decodeFrame(encodeFrame(new Uint8Array([1, 2]))), new Uint8Array([1, 2]));
  });

  test('garbled frames and unsupported values are refused with FrameError', () => {
    const good = encodeFrame({ a: new Uint8Array(10) });
    assert.throws(() => decodeFrame(good.subarray(0, good.length - 8)), FrameError);
    assert.throws(() => decodeFrame(Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 0])), /RSF1/);
    const badHeader = good.slice();
    badHeader[9] = 0x7b; // corrupt JSON
    badHeader[8] = 0x7d;
    assert.throws(() => decodeFrame(badHeader), FrameError);
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    assert.throws(() => decodeFrame(longer), /trailing/);
    assert.throws(() => encodeFrame({ f: new Float32Array(2) }), /only Uint8Array/);
    assert.throws(() => encodeFrame({ x: { $bin: 0 } }), /reserved key/);
  });

  test('events and paths', () => {
    const ev = decodeEvent(encodeEvent('imagesChanged', { imageIds: ['a', 'b'] }));
    assert.deepEqual(ev, { event: 'imagesChanged', payload: { imageIds: ['a', 'b'] } });
    assert.equal(channelFromPath('/rpc/getMasks'), 'getMasks');
    assert.equal(channelFromPath('/rpc/../etc'), null);
    assert.equal(channelFromPath('/static/x.js'), null);
    assert.throws(() => asRpcResult({ ok: false, error: { code: 'nope', message: 'x' } }), FrameError);
  });
});

describe('HTTP + WebSocket round trip with the browser client', () => {
  test('a saved DRIVE mask arrives byte-exact, errors arrive as RpcError, events arrive, bad tokens are refused', async () => {
    const m = await driveManual(26);
    const token = 'test-token-123';
    const saved: Uint8Array[] = [];
    const handlers = {
      saveDraft: async (req: { mask: Uint8Array }) => {
        saved.push(req.mask.slice());
        return { versionId: 'v1', createdAt: '2025-01-01T00:00:00Z', status: 'draft' };
      },
      getMasks: async (req: { imageId: string }) => {
        if (req.imageId !== '26') throw new RpcError('not-found', `image ${req.imageId} not found`);
        return {
          imageId: '26',
          width: m.width,
          height: m.height,
          prediction: null,
          draft: null,
          approved: null,
        };
      },
    } as unknown as RequestHandlers<void>;

    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (req.headers[TOKEN_HEADER] !== token) {
          res
            .writeHead(403)
            .end(encodeFrame({ ok: false, error: { code: 'forbidden', message: 'bad token' } }));
          return;
        }
        const channel = channelFromPath(new URL(req.url ?? '/', 'http://x').pathname);
        const body = Buffer.concat(chunks);
        // Copy into a fresh (aligned) buffer, as a server must before handing views to handlers; a save's pixels
        // arrive compact, as the real server expands them.
        const payload = fromWire(channel as RequestChannel, decodeFrame(new Uint8Array(body)), inflate);
        const result = await dispatchRequest(handlers, channel, payload, undefined);
        res.writeHead(200, { 'content-type': 'application/x-retina-frame' }).end(encodeFrame(result));
      });
    });
    const wss = new WebSocketServer({ server });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const connected = new Promise<WebSocket>((resolve) =>
      wss.on('connection', (ws, req) => {
        if (new URL(req.url ?? '', 'http://x').searchParams.get(TOKEN_QUERY) === token) resolve(ws);
        else ws.close();
      }),
    );
    const client = createHttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token,
      fetch: fetch as unknown as FetchLike,
      WebSocket: WebSocket as unknown as WebSocketCtor,
    });
    try {
      const reply = await client.invoke('saveDraft', {
        imageId: '26',
        width: m.width,
        height: m.height,
        mask: m.data,
        parentVersionId: null,
      });
      assert.equal(reply.versionId, 'v1');
      assert.deepEqual(saved[0], m.data);

      const masks = await client.invoke('getMasks', { imageId: '26' });
      assert.equal(masks.width, 565);
      await assert.rejects(
        client.invoke('getMasks', { imageId: '9' }),
        (e: unknown) => e instanceof RpcError && e.code === 'not-found',
      );
      await assert.rejects(
        client.invoke('saveDraft', {
          imageId: '26',
          width: 10,
          height: 10,
          mask: m.data,
          parentVersionId: null,
        }),
        (e: unknown) =>
          e instanceof RpcError && e.code === 'invalid-request' && /expected 10x10/.test(e.message),
      );

      const ws = await connected;
      const got = new Promise((resolve) => client.on('imagesChanged', resolve));
      ws.send(encodeEvent('imagesChanged', { imageIds: ['26'] }));
      assert.deepEqual(await got, { imageIds: ['26'] });

      const intruder = createHttpClient({
        baseUrl: `http://127.0.0.1:${port}`,
        token: 'wrong',
        fetch: fetch as unknown as FetchLike,
        WebSocket: WebSocket as unknown as WebSocketCtor,
      });
      await assert.rejects(
        intruder.invoke('listJobs', {}),
        (e: unknown) => e instanceof RpcError && e.code === 'forbidden',
      );
      intruder.close();
    } finally {
      client.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('a server that does not answer', () => {
  test('is said to be unreachable, not an unexpected error', async () => {
    // A port nobody listens on: as a server stopped or restarting.
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const client = createHttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: 't',
      fetch: fetch as unknown as FetchLike,
      WebSocket: WebSocket as unknown as WebSocketCtor,
    });
    try {
      const err = await client.invoke('listJobs', {}).then(
        () => assert.fail('a stopped server answered'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RpcError && err.code === 'unreachable', String(err));
      // The window shows the message as it is (only 'internal' ones are called unexpected: errors.tsx).
      assert.match(err.message, /^cannot reach RetinaStudio at http:\/\/127\.0\.0\.1:\d+: /);
    } finally {
      client.close();
    }
  });
});

describe('event socket', () => {
  test('the window is told to read again each time the socket gets in: at last (after refusals) and after a drop', async () => {
    // Like a team server before the login: the first upgrades are refused.
    let refuse = 2;
    const server = http.createServer();
    const wss = new WebSocketServer({
      server,
      verifyClient: (_info, done) => (refuse-- > 0 ? done(false, 401) : done(true)),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const client = createHttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: '',
      fetch: fetch as unknown as FetchLike,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      reconnectMs: 20,
    });
    let resyncs = 0;
    // Fails rather than hangs when no resync comes (the guard only bounds a hang).
    const resynced = () =>
      new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error('the window was never told to read again')), 10_000);
        const off = client.onResync(() => {
          resyncs++;
          off();
          clearTimeout(guard);
          resolve();
        });
      });
    try {
      const socket = new Promise<WebSocket>((r) => wss.once('connection', r));
      await resynced();
      assert.equal(resyncs, 1, 'refused attempts are no connection');
      assert.equal(refuse, -1);
      // A drop: whatever was sent meanwhile is lost, so the window must be told again once back.
      const again = resynced();
      (await socket).terminate();
      await again;
      assert.equal(resyncs, 2);
    } finally {
      client.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise((r) => server.close(r));
    }
  });
});
