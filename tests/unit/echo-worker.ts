// A worker entry for worker-start.test.ts: answers with its workerData. The type annotation means it only runs
// when startWorker has put tsx in front of it.
import { parentPort, workerData } from 'node:worker_threads';

const reply: { echo: unknown } = { echo: workerData };
parentPort?.postMessage(reply);
