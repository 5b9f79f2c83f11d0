// The worker thread behind pg-bridge.ts: it owns the node-postgres connections and answers one request at a time
// on its port, then wakes the thread that waits for the answer.
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import type { BridgeRequest, BridgeResponse, BridgeWorkerData } from './pg-bridge-protocol.js';

// The store's values are what SQLite gives: counts and ids as numbers, truth values as 1/0.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.BOOL, (v) => (v === 't' ? 1 : 0));

const { port, signal } = workerData as BridgeWorkerData;
const flag = new Int32Array(signal);
const clients = new Map<number, pg.Client>();
let nextHandle = 1;

function toParam(v: unknown): unknown {
  // Structured cloning turns Buffers into plain Uint8Arrays; node-postgres sends Buffers as bytea.
  if (v instanceof Uint8Array && !Buffer.isBuffer(v))
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

async function handle(req: BridgeRequest): Promise<unknown> {
  if (req.op === 'connect') {
    const client = new pg.Client({
      connectionString: req.url,
      application_name: req.applicationName,
      connectionTimeoutMillis: 10_000,
      // A statement stuck behind a lock for minutes is a fault to report, not something to wait on forever.
      statement_timeout: 300_000,
    });
    // A dropped connection surfaces on the next query; without a listener it would crash the worker.
    client.on('error', () => undefined);
    await client.connect();
    const id = nextHandle++;
    clients.set(id, client);
    return id;
  }
  const client = clients.get(req.handle);
  if (!client) throw Object.assign(new Error('the database connection is closed'), { code: 'CLOSED' });
  if (req.op === 'close') {
    clients.delete(req.handle);
    await client.end();
    return null;
  }
  const result = await client.query({
    text: req.text,
    values: req.values.map(toParam),
    ...(req.rowMode ? { rowMode: req.rowMode } : {}),
  });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

function errorOf(err: unknown): BridgeResponse {
  const e = err as { message?: string; code?: string; detail?: string };
  return {
    ok: false,
    error: {
      message: e?.message ?? String(err),
      ...(typeof e?.code === 'string' ? { code: e.code } : {}),
      ...(typeof e?.detail === 'string' ? { detail: e.detail } : {}),
    },
  };
}

port.on('message', (req: BridgeRequest) => {
  void handle(req)
    .then((value): BridgeResponse => ({ ok: true, value }), errorOf)
    .then((response) => {
      port.postMessage(response);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
});
