// Messages between the synchronous PostgreSQL client (pg-bridge.ts) and its worker thread (pg-bridge-worker.ts).
import type { MessagePort } from 'node:worker_threads';

export type BridgeRequest =
  | { op: 'connect'; url: string; applicationName: string }
  | { op: 'query'; handle: number; text: string; values: unknown[]; rowMode?: 'array' }
  | { op: 'close'; handle: number };

export interface BridgeQueryResult {
  rows: unknown[];
  rowCount: number;
}

export interface BridgeError {
  message: string;
  /** PostgreSQL's SQLSTATE (e.g. 23505) or Node's error code (ECONNREFUSED). */
  code?: string;
  detail?: string;
}

export type BridgeResponse = { ok: true; value: unknown } | { ok: false; error: BridgeError };

/** The worker's start data: where it answers and how it wakes the waiting thread. */
export interface BridgeWorkerData {
  port: MessagePort;
  signal: SharedArrayBuffer;
}
