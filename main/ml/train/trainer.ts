// Data-parallel U-Net training on worker threads. Each worker holds a model replica (wasm backend, weights
// resident there), computes the gradients of its share of the batch, writes them to one SharedArrayBuffer, and
// every replica then applies the same averaged Adam update, so no weights are copied per step.
import { cpus } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../node/worker-start.js';
import type { LossName, Predictor, UNetConfig } from '../types.js';
import { initTf, tf, type LayersModel, type Tensor } from '../tf.js';
import { validateUNetConfig } from '../model/unet-config.js';
import { artifactsToModel, readArtifacts, writeArtifacts } from './model-files.js';
import type {
  InitResult,
  ModelArtifactsData,
  OptimizerState,
  ReplicaConfig,
  Request,
  Response,
  SerializedWeights,
} from './protocol.js';

export type { OptimizerState, SerializedWeights } from './protocol.js';

export interface TrainerOptions {
  architecture: UNetConfig;
  loss: LossName;
  learningRate: number;
  /** Worker threads (model replicas); default min(2, cores). */
  workers?: number;
  seed: number;
  initialWeights?: SerializedWeights;
}

export interface Trainer {
  readonly backend: string;
  readonly workers: number;
  /** One Adam step on a batch: x NHWC, y and weight N*H*W (weight 0 = pixel ignored). */
  trainStep(
    x: Float32Array,
    y: Float32Array,
    weight: Float32Array | null,
    n: number,
    h: number,
    w: number,
  ): Promise<{ loss: number }>;
  setLearningRate(lr: number): void;
  /** Probabilities N*H*W, batch norm in inference mode. */
  predict(x: Float32Array, n: number, h: number, w: number): Promise<Float32Array>;
  evaluateLoss(
    x: Float32Array,
    y: Float32Array,
    weight: Float32Array | null,
    n: number,
    h: number,
    w: number,
  ): Promise<number>;
  getWeights(): Promise<SerializedWeights>;
  setWeights(weights: SerializedWeights): Promise<void>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): Promise<void>;
  /** Writes dir/model.json + dir/weights.bin (standard tfjs format), atomically. */
  saveModel(dir: string): Promise<void>;
  /** Loads weights from a tfjs model directory with the same architecture. */
  loadModel(dir: string): Promise<void>;
  dispose(): Promise<void>;
}

export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerError';
  }
}

/** Starts one replica's worker thread, without the parent's Node flags (a replica needs none). */
function spawnReplicaWorker(index: number): Worker {
  const entry = new URL('./trainer-worker.js', import.meta.url);
  return startWorker(entry, undefined, { name: `retina-trainer-${index}`, execArgv: [] });
}

class ReplicaWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  constructor(index: number) {
    this.worker = spawnReplicaWorker(index);
    this.worker.on('message', (res: Response) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else p.reject(new TrainerError(`trainer worker ${index}: ${res.error}`));
    });
    this.worker.on('error', (err) =>
      this.fail(new TrainerError(`trainer worker ${index} crashed: ${err.message}`)),
    );
    this.worker.on('exit', (code) =>
      this.fail(new TrainerError(`trainer worker ${index} exited (code ${code})`)),
    );
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  call<T>(req: Request, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new TrainerError('trainer disposed');
    await this.worker.terminate();
  }
}

/** Splits n items into `parts` contiguous shares, largest first; empty shares are dropped. */
function shares(n: number, parts: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const count = Math.floor(n / parts) + (i < n % parts ? 1 : 0);
    if (count > 0) out.push({ start, count });
    start += count;
  }
  return out;
}

function checkFinitePositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new TrainerError(`${name} must be a positive number, got ${v}`);
}

class WorkerTrainer implements Trainer {
  private lr: number;
  private chain: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly replicas: ReplicaWorker[],
    readonly backend: string,
    private readonly channels: number,
    learningRate: number,
  ) {
    this.lr = learningRate;
  }

  get workers(): number {
    return this.replicas.length;
  }

  /** Runs requests one at a time, in call order. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new TrainerError('trainer disposed'));
    const run = this.chain.then(job, job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private checkBatch(
    x: Float32Array,
    y: Float32Array | null,
    weight: Float32Array | null,
    n: number,
    h: number,
    w: number,
  ) {
    if (!(Number.isInteger(n) && n > 0 && Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0)) {
      throw new TrainerError(`bad batch size ${n}x${h}x${w}`);
    }
    if (x.length !== n * h * w * this.channels) {
      throw new TrainerError(`x holds ${x.length} values, expected ${n}x${h}x${w}x${this.channels}`);
    }
    if (y && y.length !== n * h * w)
      throw new TrainerError(`y holds ${y.length} values, expected ${n * h * w}`);
    if (weight && weight.length !== n * h * w) {
      throw new TrainerError(`weight holds ${weight.length} values, expected ${n * h * w}`);
    }
  }

  trainStep(x: Float32Array, y: Float32Array, weight: Float32Array | null, n: number, h: number, w: number) {
    return this.serial(async () => {
      this.checkBatch(x, y, weight, n, h, w);
      const parts = shares(n, this.replicas.length);
      if (parts.length < this.replicas.length) {
        throw new TrainerError(`batch of ${n} is smaller than the ${this.replicas.length} workers`);
      }
      const px = h * w;
      const losses = await Promise.all(
        parts.map((p, i) => {
          const xs = x.slice(p.start * px * this.channels, (p.start + p.count) * px * this.channels);
          const ys = y.slice(p.start * px, (p.start + p.count) * px);
          const ws = weight ? weight.slice(p.start * px, (p.start + p.count) * px) : null;
          const transfer = [xs.buffer, ys.buffer, ...(ws ? [ws.buffer] : [])];
          return this.replicas[i].call<number>(
            { type: 'grad', x: xs, y: ys, w: ws, n: p.count, h, wd: w },
            transfer,
          );
        }),
      );
      const shareWeights = parts.map((p) => p.count / n);
      await Promise.all(
        this.replicas.map((r) => r.call({ type: 'apply', learningRate: this.lr, shareWeights })),
      );
      const loss = losses.reduce((s, l, i) => s + l * parts[i].count, 0) / n;
      return { loss };
    });
  }

  setLearningRate(lr: number): void {
    checkFinitePositive('learning rate', lr);
    this.lr = lr;
  }

  predict(x: Float32Array, n: number, h: number, w: number): Promise<Float32Array> {
    return this.serial(async () => {
      this.checkBatch(x, null, null, n, h, w);
      const parts = shares(n, this.replicas.length);
      const px = h * w;
      const outs = await Promise.all(
        parts.map((p, i) => {
          const xs = x.slice(p.start * px * this.channels, (p.start + p.count) * px * this.channels);
          return this.replicas[i].call<Float32Array>({ type: 'predict', x: xs, n: p.count, h, wd: w }, [
            xs.buffer,
          ]);
        }),
      );
      if (outs.length === 1) return outs[0];
      const out = new Float32Array(n * px);
      outs.forEach((o, i) => out.set(o, parts[i].start * px));
      return out;
    });
  }

  evaluateLoss(
    x: Float32Array,
    y: Float32Array,
    weight: Float32Array | null,
    n: number,
    h: number,
    w: number,
  ) {
    return this.serial(async () => {
      this.checkBatch(x, y, weight, n, h, w);
      return this.replicas[0].call<number>({
        type: 'evaluate',
        x: x.slice(),
        y: y.slice(),
        w: weight?.slice() ?? null,
        n,
        h,
        wd: w,
      });
    });
  }

  getWeights(): Promise<SerializedWeights> {
    return this.serial(() => this.replicas[0].call<SerializedWeights>({ type: 'getWeights' }));
  }

  setWeights(weights: SerializedWeights): Promise<void> {
    return this.serial(async () => {
      await Promise.all(this.replicas.map((r) => r.call({ type: 'setWeights', weights })));
    });
  }

  getOptimizerState(): Promise<OptimizerState> {
    return this.serial(() => this.replicas[0].call<OptimizerState>({ type: 'getOptimizerState' }));
  }

  setOptimizerState(state: OptimizerState): Promise<void> {
    return this.serial(async () => {
      await Promise.all(this.replicas.map((r) => r.call({ type: 'setOptimizerState', state })));
    });
  }

  saveModel(dir: string): Promise<void> {
    return this.serial(async () => {
      const artifacts = await this.replicas[0].call<ModelArtifactsData>({ type: 'save' });
      await writeArtifacts(dir, artifacts);
    });
  }

  loadModel(dir: string): Promise<void> {
    return this.serial(async () => {
      const artifacts = await readArtifacts(dir);
      await Promise.all(this.replicas.map((r) => r.call({ type: 'load', artifacts })));
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.chain;
    this.disposed = true;
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }
}

export async function createTrainer(opts: TrainerOptions): Promise<Trainer> {
  validateUNetConfig(opts.architecture);
  checkFinitePositive('learning rate', opts.learningRate);
  if (!Number.isInteger(opts.seed)) throw new TrainerError(`seed must be an integer, got ${opts.seed}`);
  const wanted = opts.workers ?? Math.min(2, cpus().length);
  if (!(Number.isInteger(wanted) && wanted >= 1 && wanted <= 16))
    throw new TrainerError(`workers must be 1..16, got ${wanted}`);
  const config = (replicaIndex: number, replicaCount: number): ReplicaConfig => ({
    architecture: opts.architecture,
    loss: opts.loss,
    learningRate: opts.learningRate,
    seed: opts.seed,
    replicaIndex,
    replicaCount,
  });
  const first = new ReplicaWorker(0);
  const replicas = [first];
  try {
    // Probe the backend first: native TensorFlow is multithreaded by itself, so it gets one replica only.
    const probe = await first.call<InitResult>({ type: 'init', config: config(0, 1) });
    const count = probe.backend === 'wasm' ? wanted : 1;
    for (let i = 1; i < count; i++) replicas.push(new ReplicaWorker(i));
    const infos = await Promise.all(
      replicas.map((r, i) => r.call<InitResult>({ type: 'init', config: config(i, count) })),
    );
    const slot = infos[0].trainableSize + infos[0].stateSize;
    const shared = new SharedArrayBuffer(count * slot * 4);
    await Promise.all(replicas.map((r) => r.call({ type: 'attach', shared })));
    const trainer = new WorkerTrainer(
      replicas,
      probe.backend,
      opts.architecture.inputChannels,
      opts.learningRate,
    );
    // Replicas build identical seeded weights; broadcasting worker 0's makes that a guarantee, not an assumption.
    await trainer.setWeights(opts.initialWeights ?? (await trainer.getWeights()));
    return trainer;
  } catch (err) {
    await Promise.all(replicas.map((r) => r.terminate()));
    throw err;
  }
}

/** Inference with a saved tfjs model (a directory with model.json) or a model in memory, on this thread. */
export async function createTfjsPredictor(source: string | LayersModel): Promise<Predictor> {
  await initTf();
  const model = typeof source === 'string' ? await artifactsToModel(await readArtifacts(source)) : source;
  const inputShape = model.inputs[0].shape;
  const channels = inputShape[inputShape.length - 1] ?? 1;
  return {
    engine: 'tfjs',
    async predict(input, n, height, width, ch) {
      if (ch !== channels) throw new TrainerError(`model expects ${channels} input channels, got ${ch}`);
      if (input.length !== n * height * width * ch) {
        throw new TrainerError(`input holds ${input.length} values, expected ${n}x${height}x${width}x${ch}`);
      }
      const out = tf.tidy(
        () => model.apply(tf.tensor4d(input, [n, height, width, ch]), { training: false }) as Tensor,
      );
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    },
    dispose() {
      if (typeof source === 'string') model.dispose();
    },
  };
}
