// The standard tfjs model format on disk: `model.json` (topology + weights manifest) and `weights.bin`, written
// through a temporary directory and a rename so a reader never sees half a model.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '../../node/atomic-fs.js';
import { tf, tfl, type LayersModel } from '../tf.js';
import type { ModelArtifactsData } from './protocol.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export class ModelFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFilesError';
  }
}

function toArrayBuffer(data: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (!data) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

/** Serialises a model in memory (topology + weights) the way `model.save` would write it. */
export async function modelToArtifacts(model: LayersModel): Promise<ModelArtifactsData> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = captured as tf.io.ModelArtifacts | null;
  if (!a || !a.modelTopology || !a.weightSpecs) throw new ModelFilesError('model.save produced no artifacts');
  return {
    modelTopology: a.modelTopology as object,
    weightSpecs: a.weightSpecs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
    weightData: toArrayBuffer(a.weightData),
  };
}

/** Writes `dir/model.json` + `dir/weights.bin` atomically (replacing an existing directory). */
export async function writeArtifacts(dir: string, artifacts: ModelArtifactsData): Promise<void> {
  await writeDirAtomic(dir, (tmp) => writeArtifactFiles(tmp, artifacts), { overwrite: true });
}

/** Writes the two files into an existing (temporary) directory, non-atomically. */
export async function writeArtifactFiles(dir: string, artifacts: ModelArtifactsData): Promise<void> {
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
  };
  await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(artifacts.weightData));
  await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson));
}

interface ModelJson {
  modelTopology?: object;
  weightsManifest?: { paths: string[]; weights: ModelArtifactsData['weightSpecs'] }[];
}

const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  float16: 2,
  uint16: 2,
  uint8: 1,
};

/** Bytes one weight takes in the weight files: its stored (possibly quantised) type, not its loaded one. */
function weightByteLength(spec: ModelArtifactsData['weightSpecs'][number], where: string): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_VALUE[stored];
  if (bytes === undefined)
    throw new ModelFilesError(`${where}: weight ${spec.name} has unsupported type ${stored}`);
  return spec.shape.reduce((a, b) => a * b, 1) * bytes;
}

/** Reads a tfjs layers-model directory (single or sharded weight files, float32 or float16-quantised). */
export async function readArtifacts(dir: string): Promise<ModelArtifactsData> {
  const jsonPath = join(dir, MODEL_JSON);
  let parsed: ModelJson;
  try {
    parsed = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    throw new ModelFilesError(`${jsonPath}: cannot read tfjs model (${(err as Error).message})`);
  }
  if (!parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new ModelFilesError(`${jsonPath}: not a tfjs layers model (no modelTopology/weightsManifest)`);
  }
  const weightSpecs: ModelArtifactsData['weightSpecs'] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of parsed.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dir, p);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new ModelFilesError(`${file}: cannot read weights (${(err as Error).message})`);
      }
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  const expected = weightSpecs.reduce((s, w) => s + weightByteLength(w, jsonPath), 0);
  if (weightData.byteLength !== expected) {
    throw new ModelFilesError(
      `${dir}: weights are ${weightData.byteLength} bytes, the manifest needs ${expected}`,
    );
  }
  return { modelTopology: parsed.modelTopology, weightSpecs, weightData };
}

/** Rebuilds a LayersModel from artifacts via tf.io.fromMemory (stock layers only, no custom objects). */
export async function artifactsToModel(artifacts: ModelArtifactsData): Promise<LayersModel> {
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: artifacts.weightData,
    }),
  );
}
