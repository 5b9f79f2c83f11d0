// A synchronous PostgreSQL client. The store's repository API is synchronous (better-sqlite3's model: a write is
// a plain function run inside one transaction), and keeping it lets every repository function, caller and test
// serve both backends unchanged. node-postgres is asynchronous, so it runs in a worker thread and this side waits
// for each answer with Atomics.wait. (synckit does the same, but starts its worker itself and so cannot run the
// TypeScript sources on Node 20, which the tests need; the mechanism is a page of code.) Waiting blocks this
// thread for a loopback round trip per statement, as SQLite's own calls block it for a disk read.
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../node/worker-start.js';
import type {
  BridgeError,
  BridgeQueryResult,
  BridgeRequest,
  BridgeResponse,
  BridgeWorkerData,
} from './pg-bridge-protocol.js';

/** How long one statement may take before the caller is told, beyond the server's own statement_timeout. */
const ANSWER_TIMEOUT_MS = 330_000;

/**
 * Blocks until the worker has set `flag` (its answer is then on the port), or `timeoutMs` passes (false). A wake-up
 * with the flag still clear is ignored: the worker sets the flag and then notifies, so a worker preempted between
 * the two (a loaded machine) sends the previous answer's notify after this thread has read that answer and cleared
 * the flag for the next; returning on it found no answer on the port.
 */
export function awaitAnswer(flag: Int32Array, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(flag, 0) === 0) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(flag, 0, 0, left) === 'timed-out') return Atomics.load(flag, 0) !== 0;
  }
  return true;
}

export class PgBridgeError extends Error {
  readonly code?: string;
  readonly detail?: string;
  constructor(e: BridgeError) {
    super(e.message);
    this.name = 'PgBridgeError';
    this.code = e.code;
    this.detail = e.detail;
  }
}

/** SQLSTATEs and Node codes of a connection that failed or was ended by the server (admin shutdown, restart). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_LOST',
]);

/** Whether a bridge error says the database could not be reached, rather than that a statement was wrong. */
export function connectionFailed(err: PgBridgeError): boolean {
  const code = err.code ?? '';
  return (
    CONNECTION_CODES.has(code) ||
    code.startsWith('08') || // connection exception
    code.startsWith('57P') || // operator intervention: shutdown, crash, cannot connect now
    /Connection terminated|not queryable|timeout expired/i.test(err.message)
  );
}

class Bridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private users = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data: BridgeWorkerData = { port: port2, signal };
    this.worker = startWorker(new URL('./pg-bridge-worker.js', import.meta.url), data, {
      transferList: [port2],
    });
    // Idle, the worker must not keep the process alive; it is ended with the last connection.
    this.worker.unref();
    this.port = port1;
    this.flag = new Int32Array(signal);
  }

  call(req: BridgeRequest): unknown {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(req);
    if (!awaitAnswer(this.flag, ANSWER_TIMEOUT_MS)) {
      throw new PgBridgeError({ message: 'PostgreSQL did not answer in time', code: 'TIMEOUT' });
    }
    const message = receiveMessageOnPort(this.port);
    if (!message)
      throw new PgBridgeError({ message: 'the PostgreSQL worker sent no answer', code: 'NOANSWER' });
    const response = message.message as BridgeResponse;
    if (!response.ok) throw new PgBridgeError(response.error);
    return response.value;
  }

  acquire(): void {
    this.users++;
  }

  release(): void {
    if (--this.users === 0) {
      void this.worker.terminate();
      shared = null;
    }
  }
}

let shared: Bridge | null = null;

/** One synchronous connection to a PostgreSQL database. */
export class PgConnection {
  private readonly bridge: Bridge;
  private handle: number | null;

  constructor(url: string, applicationName = 'retinastudio') {
    shared ??= new Bridge();
    this.bridge = shared;
    this.bridge.acquire();
    try {
      this.handle = this.bridge.call({ op: 'connect', url, applicationName }) as number;
    } catch (err) {
      this.bridge.release();
      throw err;
    }
  }

  query(text: string, values: unknown[] = [], rowMode?: 'array'): BridgeQueryResult {
    if (this.handle === null)
      throw new PgBridgeError({ message: 'the database connection is closed', code: 'CLOSED' });
    return this.bridge.call({ op: 'query', handle: this.handle, text, values, rowMode }) as BridgeQueryResult;
  }

  get open(): boolean {
    return this.handle !== null;
  }

  close(): void {
    if (this.handle === null) return;
    const handle = this.handle;
    this.handle = null;
    try {
      this.bridge.call({ op: 'close', handle });
    } finally {
      this.bridge.release();
    }
  }
}
