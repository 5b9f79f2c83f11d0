// Accumulates ONNX nodes and initialisers with unique, readable names.
import { allExactFloat16, encodeFloat16 } from '../io/float16.js';
import {
  TensorDataType,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';

export type Attrs = Record<string, OnnxAttribute['value']>;

/** How kernels are stored: float32, or (where that is exact) float16 halves cast back to float32 in the graph. */
export type WeightType = 'float32' | 'float16';

/** One factor per index along `axis` of a kernel (a batch norm folded into the convolution before it). */
export interface AxisScale {
  axis: number;
  values: ArrayLike<number>;
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private used = new Set<string>();

  constructor(readonly weightType: WeightType = 'float32') {}

  /** A fresh name derived from `hint` (ONNX names must be unique across values and initialisers). */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    if (this.used.has(name)) throw new Error(`duplicate ONNX value name ${name}`);
    this.used.add(name);
  }

  /** Adds a node with one output and returns that output's name (`exactName` for graph outputs). */
  node(opType: string, inputs: string[], attrs: Attrs, hint: string, exactName?: string): string {
    let out: string;
    if (exactName !== undefined) {
      this.reserve(exactName);
      out = exactName;
    } else out = this.uniqueName(hint);
    this.nodes.push({
      opType,
      name: out,
      inputs,
      outputs: [out],
      attributes: Object.entries(attrs).map(([name, value]) => ({ name, value })),
    });
    return out;
  }

  floatTensor(hint: string, dims: number[], data: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length)
      throw new Error(`initializer ${hint}: ${data.length} values for shape [${dims}]`);
    const name = this.uniqueName(hint);
    // Copy so the raw bytes are little-endian float32 independent of the source view's offset.
    const raw = new Uint8Array(Float32Array.from(data).buffer);
    this.initializers.push({ name, dims, dataType: TensorDataType.FLOAT, raw });
    return name;
  }

  /**
   * A convolution kernel, multiplied by `scale` along one axis. float32: the product, computed in float64.
   * float16, when every value is exactly a half (weights rounded by `retina compact`): the unscaled halves,
   * then Cast (and Mul by the float32 scale) nodes that ONNX Runtime folds into a float32 initialiser when it
   * loads the model, so inference still runs in float32 on exactly the weights tfjs has. A kernel that is
   * not exact stays float32: the export itself never rounds.
   */
  kernelTensor(hint: string, dims: number[], data: Float32Array, scale: AxisScale | null): string {
    if (this.weightType === 'float32' || !allExactFloat16(data))
      return this.floatTensor(hint, dims, scale ? scaleAlong(data, dims, scale) : data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length)
      throw new Error(`initializer ${hint}: ${data.length} values for shape [${dims}]`);
    const half = this.uniqueName(`${hint}_f16`);
    this.initializers.push({ name: half, dims, dataType: TensorDataType.FLOAT16, raw: encodeFloat16(data) });
    if (!scale) return this.node('Cast', [half], { to: TensorDataType.FLOAT }, hint);
    const w = this.node('Cast', [half], { to: TensorDataType.FLOAT }, `${hint}_f32`);
    const scaleDims = dims.map((d, i) => (i === scale.axis ? d : 1));
    const s = this.floatTensor(`${hint}_fold`, scaleDims, Float32Array.from(scale.values));
    return this.node('Mul', [w, s], {}, hint);
  }

  int64Tensor(hint: string, values: number[]): string {
    const name = this.uniqueName(hint);
    const raw = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    this.initializers.push({ name, dims: [values.length], dataType: TensorDataType.INT64, raw });
    return name;
  }

  graph(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[]): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }
}

/** data * scale[index along axis], in float64 before the float32 store. */
function scaleAlong(data: Float32Array, dims: number[], scale: AxisScale): Float32Array {
  const stride = dims.slice(scale.axis + 1).reduce((a, b) => a * b, 1);
  const n = dims[scale.axis];
  if (scale.values.length !== n)
    throw new Error(`scale has ${scale.values.length} values for axis size ${n}`);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * scale.values[Math.floor(i / stride) % n];
  return out;
}
