// Entry point of a job's worker thread: opens its own connection to the database (SQLite in WAL mode serves
// both threads), runs the job, and reports progress and the outcome to the job manager.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorPayload, type ErrorPayload } from '../../shared/contract.js';
import { openStore } from '../store/index.js';
import type { JobHooks, JobWorkerData, WorkerMessage } from './job-types.js';
import { runImportJob } from './import.js';
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
    const report = await runImportJob(store, spec.source, spec.actor, hooks);
    const parts = [`imported ${report.imported.length}`];
    if (report.duplicates.length) parts.push(`${report.duplicates.length} already in the database`);
    if (report.failed.length) parts.push(`${report.failed.length} failed: ${report.failed[0].error}`);
    // Annotations with no photograph, second observers, label-like pictures: not images, said so.
    if (report.skipped.length) {
      parts.push(`${report.skipped.length} not imported as images (${report.skipped[0].reason})`);
    }
    const nothing = report.imported.length === 0 && report.duplicates.length === 0;
    send({
      type: 'finished',
      imageIds: report.imported.map((i) => i.imageId),
      message: parts.join(', '),
      error:
        report.failed.length > 0 && nothing
          ? { code: 'unreadable-file', message: report.failed[0].error }
          : null,
      cancelled: hooks.isCancelled(),
    });
  } finally {
    store.close();
  }
}

main().catch((err: unknown) => {
  send({ type: 'failed', error: spec.kind === 'predict' ? modelError(err) : toErrorPayload(err) });
});
