// Reads an .onnx file with our own protobuf reader and checks it against the graph contract before any
// runtime sees it, so a bad file becomes one clear line instead of a native-code error.
import { readFile } from 'node:fs/promises';
import { OnnxLoadError, firstLine } from './errors.js';
import { INPUT_NAME, MetaKey, exporterProblem } from './metadata.js';
import { TensorDataType, decodeModel, type OnnxDim, type OnnxModel } from './onnx-proto.js';

export interface OnnxModelInfo {
  irVersion: number;
  opset: number;
  producer: string;
  exporterName: string | undefined;
  exporterVersion: string | undefined;
  metadata: Record<string, string>;
  inputName: string;
  inputDims: OnnxDim[];
  outputName: string;
  outputDims: OnnxDim[];
  /** Input channels (last NHWC dim). */
  channels: number;
  /** Output channels (last NHWC dim). */
  outputChannels: number;
  nodeCount: number;
  opTypes: string[];
  parameterCount: number;
}

/** Decodes the model and summarises what inference needs; throws OnnxLoadError naming `where`. */
export function inspectOnnx(bytes: Uint8Array, where: string): { model: OnnxModel; info: OnnxModelInfo } {
  if (bytes.length === 0) throw new OnnxLoadError(`${where}: empty file`);
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new OnnxLoadError(`${where}: not a valid ONNX model (${firstLine(err)})`);
  }
  const g = model.graph;
  const inits = new Set(g.initializers.map((t) => t.name));
  const realInputs = g.inputs.filter((i) => !inits.has(i.name));
  if (realInputs.length !== 1 || g.outputs.length !== 1) {
    throw new OnnxLoadError(
      `${where}: expected 1 input and 1 output, found ${realInputs.length} and ${g.outputs.length}`,
    );
  }
  const input = realInputs[0];
  const output = g.outputs[0];
  if (input.elemType !== TensorDataType.FLOAT) throw new OnnxLoadError(`${where}: input is not float32`);
  if (!input.dims || input.dims.length !== 4) {
    const shape = input.dims ? `rank ${input.dims.length} [${input.dims.join(',')}]` : 'unknown shape';
    throw new OnnxLoadError(`${where}: input "${input.name}" has ${shape}; expected rank 4 NHWC [N,H,W,C]`);
  }
  const channels = input.dims[3];
  if (typeof channels !== 'number' || channels < 1) {
    throw new OnnxLoadError(
      `${where}: input channel dimension must be a fixed number, got ${String(channels)}`,
    );
  }
  if (!output.dims || output.dims.length !== 4) {
    throw new OnnxLoadError(`${where}: output "${output.name}" is not rank 4 NHWC`);
  }
  const outputChannels = output.dims[3];
  if (typeof outputChannels !== 'number')
    throw new OnnxLoadError(`${where}: output channel dimension unknown`);
  const opsetEntry = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const floatBytes: Record<number, number> = { [TensorDataType.FLOAT]: 4, [TensorDataType.FLOAT16]: 2 };
  const parameterCount = g.initializers.reduce(
    (sum, t) => sum + (floatBytes[t.dataType] ? t.raw.length / floatBytes[t.dataType] : 0),
    0,
  );
  return {
    model,
    info: {
      irVersion: model.irVersion,
      opset: opsetEntry?.version ?? 0,
      producer: `${model.producerName} ${model.producerVersion}`.trim(),
      exporterName: model.metadata[MetaKey.exporter],
      exporterVersion: model.metadata[MetaKey.exporterVersion],
      metadata: model.metadata,
      inputName: input.name,
      inputDims: input.dims,
      outputName: output.name,
      outputDims: output.dims,
      channels,
      outputChannels,
      nodeCount: g.nodes.length,
      opTypes: g.nodes.map((n) => n.opType),
      parameterCount,
    },
  };
}

/** Full check for files the app runs: structure plus a known RetinaStudio exporter version. */
export function checkRetinaOnnx(bytes: Uint8Array, where: string): OnnxModelInfo {
  const { info } = inspectOnnx(bytes, where);
  const problem = exporterProblem(info.exporterName, info.exporterVersion);
  if (problem) throw new OnnxLoadError(`${where}: ${problem}`);
  if (info.inputName !== INPUT_NAME)
    throw new OnnxLoadError(`${where}: input is named "${info.inputName}", not "${INPUT_NAME}"`);
  if (info.outputChannels !== 1) {
    throw new OnnxLoadError(`${where}: output has ${info.outputChannels} channels; a vessel model outputs 1`);
  }
  return info;
}

export async function readOnnxInfo(path: string): Promise<OnnxModelInfo> {
  return inspectOnnx(await readOnnxBytes(path), path).info;
}

export async function readOnnxBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OnnxLoadError(
      `${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${firstLine(err)})`}`,
    );
  }
}
