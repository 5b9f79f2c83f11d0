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
/**
 * One connection as the store sees it. Its client is replaced when the server drops it (PostgreSQL restarted, an
 * administrator ended the session, a network cut): the next statement that starts outside a transaction connects
 * again, so a server or worker outlives a database restart. A statement inside a transaction never moves to a new
 * connection (the transaction's earlier statements are gone with the old one): it fails, and the ROLLBACK that
 * follows ends the transaction here as the server has already ended it there.
 */
interface Connection {
  url: string;
  applicationName: string;
  /** Null only until the first connect. */
  client: pg.Client | null;
  /** The server dropped the client: it answers nothing more. */
  lost: boolean;
  /** Between BEGIN and COMMIT/ROLLBACK. */
  inTransaction: boolean;
}

const connections = new Map<number, Connection>();
let nextHandle = 1;

function toParam(v: unknown): unknown {
  // Structured cloning turns Buffers into plain Uint8Arrays; node-postgres sends Buffers as bytea.
  if (v instanceof Uint8Array && !Buffer.isBuffer(v))
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** Connects `c` (again): its client, marked lost when the server drops it. */
async function connect(c: Connection): Promise<void> {
  const client = new pg.Client({
    connectionString: c.url,
    application_name: c.applicationName,
    connectionTimeoutMillis: 10_000,
    // A statement stuck behind a lock for minutes is a fault to report, not something to wait on forever.
    statement_timeout: 300_000,
  });
  // A dropped connection surfaces here (and on the next query); without a listener it would crash the worker.
  const lost = () => {
    if (c.client === client) c.lost = true;
  };
  client.on('error', lost);
  client.on('end', lost);
  await client.connect();
  const old = c.client;
  c.client = client;
  c.lost = false;
  if (old) void old.end().catch(() => undefined);
}

const BEGINS = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const ENDS = /^\s*(COMMIT|END|ROLLBACK(?!\s+TO\b))\b/i;

async function query(c: Connection, req: Extract<BridgeRequest, { op: 'query' }>): Promise<unknown> {
  const ends = ENDS.test(req.text);
  if (c.lost && c.inTransaction) {
    if (ends) c.inTransaction = false;
    // The server ended the transaction with the connection: a ROLLBACK has nothing left to do.
    if (ends && /^\s*ROLLBACK/i.test(req.text)) return { rows: [], rowCount: 0 };
    throw Object.assign(new Error('the connection to PostgreSQL was lost during a transaction'), {
      code: 'CONNECTION_LOST',
    });
  }
  if (c.lost || !c.client) await connect(c);
  try {
    const result = await c.client!.query({
      text: req.text,
      values: req.values.map(toParam),
      ...(req.rowMode ? { rowMode: req.rowMode } : {}),
    });
    if (BEGINS.test(req.text)) c.inTransaction = true;
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } finally {
    // A failed statement inside a transaction leaves it open (aborted) until the ROLLBACK that follows.
    if (ends) c.inTransaction = false;
  }
}

async function handle(req: BridgeRequest): Promise<unknown> {
  if (req.op === 'connect') {
    const c: Connection = {
      url: req.url,
      applicationName: req.applicationName,
      client: null,
      lost: false,
      inTransaction: false,
    };
    await connect(c);
    const id = nextHandle++;
    connections.set(id, c);
    return id;
  }
  const c = connections.get(req.handle);
  if (!c) throw Object.assign(new Error('the database connection is closed'), { code: 'CLOSED' });
  if (req.op === 'close') {
    connections.delete(req.handle);
    if (!c.lost) await c.client?.end();
    return null;
  }
  return query(c, req);
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
