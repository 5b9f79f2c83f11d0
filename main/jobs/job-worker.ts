// Entry point of a job's worker thread: opens its own connection to the database (SQLite in WAL mode serves
// both threads), runs the job, and reports progress and the outcome to the job manager.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';
import type { JobHooks, JobWorkerData, WorkerMessage } from './job-types.js';
import { thrownError } from '../node/diagnostics-log.js';
import { isUnexpected, jobError, runJob } from './run-job.js';

const port = parentPort;
if (!port) throw new Error('job-worker.ts must run as a worker thread');

const { spec, cancelFlag } = workerData as JobWorkerData;
const cancelled = new Int32Array(cancelFlag);
const send = (m: WorkerMessage): void => port.postMessage(m);

const hooks: JobHooks = {
  isCancelled: () => Atomics.load(cancelled, 0) === 1,
  progress: (done, total, message, imageId) => send({ type: 'progress', done, total, message, imageId }),
};

async function main(): Promise<void> {
  const store = openStore(spec.dbPath, { create: false });
  try {
    send({ type: 'finished', ...(await runJob(store, spec, hooks)) });
  } finally {
    store.close();
  }
}

main().catch((err: unknown) => {
  const thrown = isUnexpected(err) ? { thrown: thrownError(err) } : {};
  send({ type: 'failed', error: jobError(spec.kind, err), ...thrown });
});
