// Entry of the workstation's retrain worker thread: its own database connection, runRetrainAll, and messages back
// to the RetrainService (the run id once it exists, progress, the outcome or the error). Cancel arrives as a flag
// in shared memory, polled between training steps.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorPayload } from '../../shared/contract.js';
import { thrownError } from '../node/diagnostics-log.js';
import { openStore } from '../store/index.js';
import { RetrainCancelledError } from './errors.js';
import { runRetrainAll } from './retrain-all.js';
import type { RetrainWorkerData, RetrainWorkerMessage } from './service.js';

const port = parentPort;
if (!port) throw new Error('retrain worker.ts must run as a worker thread');
const data = workerData as RetrainWorkerData;
const send = (m: RetrainWorkerMessage): void => port.postMessage(m);
const flag = new Int32Array(data.cancelFlag);
const controller = new AbortController();
const poll = setInterval(() => {
  if (Atomics.load(flag, 0) === 1) controller.abort();
}, 100);

async function main(): Promise<void> {
  const store = openStore(data.dbPath, { create: false });
  try {
    const outcome = await runRetrainAll(store, {
      actor: data.actor,
      trigger: data.trigger,
      promote: data.promote,
      anatomyPromote: data.anatomyPromote,
      anatomyDirs: data.anatomyDirs,
      settings: data.settings,
      threads: data.threads,
      workers: data.workers,
      signal: controller.signal,
      onStarted: (runId) => send({ type: 'started', runId }),
      onProgress: (progress) => send({ type: 'progress', progress }),
    });
    send({ type: 'finished', outcome });
  } finally {
    store.close();
  }
}

main()
  .catch((err: unknown) => {
    const error = toErrorPayload(err);
    const thrown = error.code === 'internal' ? { thrown: thrownError(err) } : {};
    send({ type: 'failed', error, cancelled: err instanceof RetrainCancelledError, ...thrown });
  })
  .finally(() => clearInterval(poll));
