// Entry point of a job's worker thread: opens its own connection to the database (SQLite in WAL mode serves
// both threads), runs the job, and reports progress and the outcome to the job manager.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorPayload, type ErrorPayload } from '../../shared/contract.js';
import { openStore } from '../store/index.js';
import type { JobHooks, JobWorkerData, WorkerMessage } from './job-types.js';
import { runImportJob } from './import.js';
import { importError, importMessage } from './import-outcome.js';
import { runPredictJob } from './predict.js';

const port = parentPort;
if (!port) throw new Error('job-worker.ts must run as a worker thread');

const { spec, cancelFlag } = workerData as JobWorkerData;
const cancelled = new Int32Array(cancelFlag);
const send = (m: WorkerMessage): void => port.postMessage(m);

const hooks: JobHooks = {
  isCancelled: () => Atomics.load(cancelled, 0) === 1,
  progress: (done, total, message, imageId) => send({ type: 'progress', done, total, message, imageId }),
};

function modelError(err: unknown): ErrorPayload {
  const e = toErrorPayload(err);
  // A model that cannot be opened or run is the model's fault, whatever layer noticed it.
  return e.code === 'internal' && /onnx|model/i.test(`${(err as Error)?.name} ${e.message}`)
    ? { code: 'model-failed', message: e.message }
    : e;
}

async function main(): Promise<void> {
  const store = openStore(spec.dbPath, { create: false });
  try {
    if (spec.kind === 'predict') {
      const ids = await runPredictJob(store, spec, hooks);
      const n = ids.length;
      send({
        type: 'finished',
        imageIds: ids,
        message: `predicted ${n} image${n === 1 ? '' : 's'}`,
        error: null,
        cancelled: hooks.isCancelled() && n < spec.imageIds.length,
      });
      return;
    }
    const outcome = await runImportJob(store, spec.source, spec.actor, hooks);
    send({
      type: 'finished',
      imageIds: outcome.report.imported.map((i) => i.imageId),
      message: importMessage(outcome),
      error: importError(outcome),
      cancelled: hooks.isCancelled(),
      failures: outcome.failures,
    });
  } finally {
    store.close();
  }
}

main().catch((err: unknown) => {
  send({ type: 'failed', error: spec.kind === 'predict' ? modelError(err) : toErrorPayload(err) });
});
