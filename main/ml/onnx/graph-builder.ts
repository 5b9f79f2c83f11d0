// Accumulates ONNX nodes and initialisers with unique, readable names.
import {
  TensorDataType,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';

export type Attrs = Record<string, OnnxAttribute['value']>;

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private used = new Set<string>();

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
