// One worker thread that measures images for the workstation, started on first use. Requests run one at a time in
// the order asked; the thread does not keep the process alive, and a crash fails the waiting requests with its
// reason (the next request starts a fresh thread).
import type { Worker } from 'node:worker_threads';
import type { ImageMeasures } from '../../../shared/measure/measures.js';
import { startWorker } from '../../node/worker-start.js';
import type { MeasureSources } from './measure-sources.js';

export interface MeasureRequest {
  id: number;
  sources: MeasureSources;
}
export type MeasureReply = { id: number; measures: ImageMeasures } | { id: number; error: string };

interface Waiting {
  resolve: (m: ImageMeasures) => void;
  reject: (e: Error) => void;
}

export class MeasureThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  /** Reads and measures an image's maps off the main thread. */
  measure(sources: MeasureSources): Promise<ImageMeasures> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<ImageMeasures>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, sources } satisfies MeasureRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(new URL('./measure-worker.js', import.meta.url));
    w.unref();
    w.on('message', (reply: MeasureReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      // Idle again: the thread must not hold the process open.
      if (this.waiting.size === 0) w.unref();
      if (!waiter) return;
      if ('error' in reply) waiter.reject(new Error(`measuring failed: ${reply.error}`));
      else waiter.resolve(reply.measures);
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    w.on('error', (err) => fail(new Error(`the measures thread failed: ${err.message.split('\n')[0]}`)));
    w.on('exit', (code) => fail(new Error(`the measures thread stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }
}
