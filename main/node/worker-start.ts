// Starts worker threads, the one place that knows how. Compiled (dist/, the packaged app) a worker is its .js
// module; run from the TypeScript sources (tests, benches, `node --import tsx`) Node 20 does not hand tsx's loader
// on to worker threads, so the worker registers tsx itself before it imports its .ts entry.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** This module is a .ts file exactly when the process runs the sources, and then so are the worker entries. */
const fromSources = import.meta.url.endsWith('.ts');

/** Everything a Worker takes but what startWorker decides itself. */
export type StartOptions = Omit<WorkerOptions, 'workerData' | 'eval'>;

/**
 * Starts a worker thread on `entry`, written as the compiled module the way TypeScript imports are written
 * (`new URL('./job-worker.js', import.meta.url)`); from the sources its .ts twin runs instead.
 */
export function startWorker(entry: URL, workerData?: unknown, options: StartOptions = {}): Worker {
  if (!entry.pathname.endsWith('.js'))
    throw new Error(`a worker entry is a .js module URL, not ${entry.href}`);
  if (!fromSources) return new Worker(entry, { ...options, workerData });
  const source = new URL(entry.href.replace(/\.js$/, '.ts'));
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(boot, { ...options, eval: true, workerData });
}
