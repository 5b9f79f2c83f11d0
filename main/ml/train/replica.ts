// One model replica: forward/backward on its share of a batch, then the same Adam update as every other replica
// (gradients averaged through shared memory), so all replicas hold bit-identical weights without copying them.
import { initTf, tf, type LayersModel, type Tensor } from '../tf.js';
import { buildUNet } from '../model/model.js';
import { lossFunction, type LossFn } from './losses.js';
import { adamUpdate, ADAM_DEFAULTS } from './adam.js';
import { artifactsToModel, modelToArtifacts } from './model-files.js';
import type {
  InitResult,
  ModelArtifactsData,
  OptimizerState,
  ReplicaConfig,
  SerializedWeights,
} from './protocol.js';

type LayerVariable = LayersModel['weights'][number];

/** Weight shapes are always fully known (no null dimensions). */
function dims(v: LayerVariable): number[] {
  return v.shape as number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class Replica {
  private readonly trainable: LayerVariable[];
  private readonly stats: LayerVariable[];
  private readonly offsets: number[];
  private readonly statOffsets: number[];
  readonly trainableSize: number;
  readonly stateSize: number;
  /** Master copy of the trainable weights, updated by Adam and then uploaded to the variables. */
  private readonly weights: Float32Array;
  private m: Float32Array;
  private v: Float32Array;
  private step = 0;
  private shared: Float32Array | null = null;
  private readonly local: Float32Array;
  private readonly lossFn: LossFn;

  private constructor(
    private readonly cfg: ReplicaConfig,
    private model: LayersModel,
    readonly backend: string,
  ) {
    this.lossFn = lossFunction(cfg.loss);
    this.trainable = model.trainableWeights;
    this.stats = model.nonTrainableWeights;
    this.offsets = [];
    let off = 0;
    for (const v of this.trainable) {
      this.offsets.push(off);
      off += sizeOf(dims(v));
    }
    this.trainableSize = off;
    this.statOffsets = [];
    off = 0;
    for (const v of this.stats) {
      this.statOffsets.push(off);
      off += sizeOf(dims(v));
    }
    this.stateSize = off;
    this.weights = new Float32Array(this.trainableSize);
    this.readTrainable();
    this.m = new Float32Array(this.trainableSize);
    this.v = new Float32Array(this.trainableSize);
    this.local = new Float32Array(this.trainableSize + this.stateSize);
  }

  static async create(cfg: ReplicaConfig): Promise<Replica> {
    const { backend } = await initTf();
    const model = buildUNet(cfg.architecture, cfg.seed);
    return new Replica(cfg, model, backend);
  }

  info(): InitResult {
    return { backend: this.backend, trainableSize: this.trainableSize, stateSize: this.stateSize };
  }

  /** Shared gradient exchange: replicaCount slots of [trainable grads | batch-norm statistics]. */
  attach(shared: SharedArrayBuffer): void {
    const need = this.cfg.replicaCount * (this.trainableSize + this.stateSize);
    const view = new Float32Array(shared);
    if (view.length !== need)
      throw new Error(`shared gradient buffer holds ${view.length} floats, need ${need}`);
    this.shared = view;
  }

  private slot(index: number): Float32Array {
    const size = this.trainableSize + this.stateSize;
    if (this.shared) return this.shared.subarray(index * size, (index + 1) * size);
    if (this.cfg.replicaCount !== 1) throw new Error('replica not attached to the shared gradient buffer');
    return this.local;
  }

  private readTrainable(): void {
    this.trainable.forEach((v, i) => this.weights.set(v.read().dataSync() as Float32Array, this.offsets[i]));
  }

  private writeTrainable(): void {
    tf.tidy(() => {
      this.trainable.forEach((v, i) => {
        const off = this.offsets[i];
        v.write(tf.tensor(this.weights.subarray(off, off + sizeOf(dims(v))), dims(v)));
      });
    });
  }

  /**
   * A fresh dropout mask every step, different on every replica, reproducible from the seed and the optimizer
   * step (so a run resumed from saved weights + optimizer state continues exactly).
   */
  private reseedDropout(): void {
    let k = 0;
    for (const layer of this.model.layers) {
      if (layer.getClassName() !== 'Dropout') continue;
      const seed =
        (this.cfg.seed * 1_000_003 + this.step * 7919 + this.cfg.replicaIndex * 104_729 + k++) % 2 ** 31;
      (layer as unknown as { seed?: number }).seed = seed;
    }
  }

  private inputs(x: Float32Array, n: number, h: number, w: number): Tensor {
    const c = this.cfg.architecture.inputChannels;
    if (x.length !== n * h * w * c)
      throw new Error(`input holds ${x.length} values, expected ${n}x${h}x${w}x${c}`);
    return tf.tensor4d(x, [n, h, w, c]);
  }

  private targets(
    y: Float32Array,
    wt: Float32Array | null,
    n: number,
    h: number,
    w: number,
  ): [Tensor, Tensor | null] {
    if (y.length !== n * h * w) throw new Error(`target holds ${y.length} values, expected ${n * h * w}`);
    if (wt && wt.length !== n * h * w)
      throw new Error(`weight map holds ${wt.length} values, expected ${n * h * w}`);
    return [tf.tensor4d(y, [n, h, w, 1]), wt ? tf.tensor4d(wt, [n, h, w, 1]) : null];
  }

  /** Loss and gradients of this replica's share; gradients and BN statistics go to its shared slot. */
  grad(x: Float32Array, y: Float32Array, wt: Float32Array | null, n: number, h: number, w: number): number {
    this.reseedDropout();
    const slot = this.slot(this.cfg.replicaIndex);
    const loss = tf.tidy(() => {
      const xs = this.inputs(x, n, h, w);
      const [ys, ws] = this.targets(y, wt, n, h, w);
      const vars = this.trainable.map((v) => v.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => {
        const pred = this.model.apply(xs, { training: true }) as Tensor;
        return this.lossFn(ys, pred, ws);
      }, vars);
      vars.forEach((v, i) => {
        const g = grads[v.name];
        if (!g) throw new Error(`no gradient for ${v.name}`);
        slot.set(g.dataSync() as Float32Array, this.offsets[i]);
      });
      return value.dataSync()[0];
    });
    this.stats.forEach((v, i) =>
      slot.set(v.read().dataSync() as Float32Array, this.trainableSize + this.statOffsets[i]),
    );
    return loss;
  }

  /**
   * Averages every replica's slot (weighted by its share of the batch), applies Adam, and sets the batch-norm
   * statistics to their average. Every replica sums in the same order, so all get bit-identical results.
   */
  apply(learningRate: number, shareWeights: number[] = [1]): void {
    const count = this.cfg.replicaCount;
    if (shareWeights.length !== count)
      throw new Error(`apply: ${shareWeights.length} share weights for ${count} replicas`);
    const size = this.trainableSize + this.stateSize;
    const avg = count === 1 ? this.slot(0) : new Float32Array(size);
    if (count > 1) {
      for (let r = 0; r < count; r++) {
        const s = this.slot(r);
        const f = shareWeights[r];
        for (let i = 0; i < size; i++) avg[i] += f * s[i];
      }
    }
    this.step++;
    adamUpdate(this.weights, avg.subarray(0, this.trainableSize), this.m, this.v, this.step, learningRate);
    this.writeTrainable();
    if (count > 1) {
      tf.tidy(() => {
        this.stats.forEach((v, i) => {
          const off = this.trainableSize + this.statOffsets[i];
          v.write(tf.tensor(avg.slice(off, off + sizeOf(dims(v))), dims(v)));
        });
      });
    }
  }

  predict(x: Float32Array, n: number, h: number, w: number): Float32Array {
    return tf.tidy(() => {
      const pred = this.model.apply(this.inputs(x, n, h, w), { training: false }) as Tensor;
      return pred.dataSync() as Float32Array;
    });
  }

  evaluate(
    x: Float32Array,
    y: Float32Array,
    wt: Float32Array | null,
    n: number,
    h: number,
    w: number,
  ): number {
    return tf.tidy(() => {
      const pred = this.model.apply(this.inputs(x, n, h, w), { training: false }) as Tensor;
      const [ys, ws] = this.targets(y, wt, n, h, w);
      return this.lossFn(ys, pred, ws).dataSync()[0];
    });
  }

  getWeights(): SerializedWeights {
    const all = this.model.weights;
    const data = new Float32Array(all.reduce((s, v) => s + sizeOf(dims(v)), 0));
    let off = 0;
    const specs = all.map((v) => {
      const values = v.read().dataSync() as Float32Array;
      data.set(values, off);
      off += values.length;
      return { name: v.originalName, shape: [...dims(v)] };
    });
    return { specs, data };
  }

  setWeights(src: SerializedWeights): void {
    const byName = new Map<string, { shape: number[]; offset: number }>();
    let off = 0;
    for (const s of src.specs) {
      byName.set(s.name, { shape: s.shape, offset: off });
      off += sizeOf(s.shape);
    }
    if (off !== src.data.length)
      throw new Error(`weights: specs need ${off} values, data holds ${src.data.length}`);
    const updates = this.model.weights.map((v) => {
      const s = byName.get(v.originalName);
      if (!s) throw new Error(`weights: missing ${v.originalName}`);
      if (s.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`weights: ${v.originalName} has shape [${s.shape}], the model needs [${v.shape}]`);
      }
      return { v, values: src.data.subarray(s.offset, s.offset + sizeOf(s.shape)) };
    });
    tf.tidy(() => updates.forEach(({ v, values }) => v.write(tf.tensor(values, dims(v)))));
    this.readTrainable();
  }

  getOptimizerState(): OptimizerState {
    return {
      kind: 'adam',
      step: this.step,
      ...ADAM_DEFAULTS,
      names: this.trainable.map((v) => v.originalName),
      m: this.m.slice(),
      v: this.v.slice(),
    };
  }

  setOptimizerState(state: OptimizerState): void {
    const names = this.trainable.map((v) => v.originalName);
    if (state.kind !== 'adam' || state.names.join('\n') !== names.join('\n')) {
      throw new Error('optimizer state belongs to another architecture');
    }
    if (state.m.length !== this.trainableSize || state.v.length !== this.trainableSize) {
      throw new Error(
        `optimizer state holds ${state.m.length} moments, the model has ${this.trainableSize} weights`,
      );
    }
    this.step = state.step;
    this.m = Float32Array.from(state.m);
    this.v = Float32Array.from(state.v);
  }

  save(): Promise<ModelArtifactsData> {
    return modelToArtifacts(this.model);
  }

  async load(artifacts: ModelArtifactsData): Promise<void> {
    const loaded = await artifactsToModel(artifacts);
    try {
      const weights = loaded.weights;
      const data = new Float32Array(weights.reduce((s, v) => s + sizeOf(dims(v)), 0));
      let off = 0;
      const specs = weights.map((v) => {
        const values = v.read().dataSync() as Float32Array;
        data.set(values, off);
        off += values.length;
        return { name: v.originalName, shape: [...dims(v)] };
      });
      this.setWeights({ specs, data });
    } finally {
      loaded.dispose();
    }
  }
}
