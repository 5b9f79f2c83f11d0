// Starts worker threads from both compiled JavaScript (dist/) and TypeScript sources run through tsx.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Creates a worker for the module `relative` (written without extension, e.g. './trainer-worker') next to
 * `baseUrl` (the caller's import.meta.url).
 */
export function startWorker(relative: string, baseUrl: string, options: WorkerOptions = {}): Worker {
  if (baseUrl.endsWith('.ts')) {
    const entry = new URL(`${relative}.ts`, baseUrl).href;
    const bootstrap = new URL('./ts-worker-bootstrap.mjs', import.meta.url);
    return new Worker(bootstrap, { ...options, argv: [...(options.argv ?? []), entry] });
  }
  return new Worker(new URL(`${relative}.js`, baseUrl), options);
}
