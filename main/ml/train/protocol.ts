// Messages between the trainer (main thread) and its replica workers. Plain structured-clone data; big arrays
// travel as transferred ArrayBuffers or live in one SharedArrayBuffer (gradients).
import type { LossName, UNetConfig } from '../types.js';

/** All weights of a model (trainable and batch-norm statistics), by their tfjs names, in model order. */
export interface SerializedWeights {
  specs: { name: string; shape: number[] }[];
  data: Float32Array;
}

/** Adam moments over the trainable weights (model order), and the number of updates applied so far. */
export interface OptimizerState {
  kind: 'adam';
  step: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  names: string[];
  m: Float32Array;
  v: Float32Array;
}

/** tfjs' weight quantisation record (model.json); float16 is what `retina compact` writes. */
export interface WeightQuantization {
  dtype: 'float16' | 'uint8' | 'uint16';
  scale?: number;
  min?: number;
  original_dtype?: string;
}

/** What `model.save` produces, minus anything not needed to rebuild the model. */
export interface ModelArtifactsData {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string; quantization?: WeightQuantization }[];
  weightData: ArrayBuffer;
}

export interface ReplicaConfig {
  architecture: UNetConfig;
  loss: LossName;
  learningRate: number;
  seed: number;
  replicaIndex: number;
  replicaCount: number;
}

export type Request =
  | { type: 'init'; config: ReplicaConfig }
  | { type: 'attach'; shared: SharedArrayBuffer }
  | {
      type: 'grad';
      x: Float32Array;
      y: Float32Array;
      w: Float32Array | null;
      n: number;
      h: number;
      wd: number;
    }
  | { type: 'apply'; learningRate: number; shareWeights: number[] }
  | { type: 'predict'; x: Float32Array; n: number; h: number; wd: number }
  | {
      type: 'evaluate';
      x: Float32Array;
      y: Float32Array;
      w: Float32Array | null;
      n: number;
      h: number;
      wd: number;
    }
  | { type: 'getWeights' }
  | { type: 'setWeights'; weights: SerializedWeights }
  | { type: 'getOptimizerState' }
  | { type: 'setOptimizerState'; state: OptimizerState }
  | { type: 'save' }
  | { type: 'load'; artifacts: ModelArtifactsData };

export interface InitResult {
  backend: string;
  trainableSize: number;
  stateSize: number;
}

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
