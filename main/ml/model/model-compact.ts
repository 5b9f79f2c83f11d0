// `retina compact`: halves a model directory on disk. The large float32 weights of the tfjs model are rounded
// to float16 and stored in tfjs' own float16 weight format (io.decodeWeights dequantises it on load), and
// model.onnx is re-exported from those same rounded weights with float16 initialisers, so the two engines still
// compute the same network. Tensors under FLOAT16_MIN_VALUES values stay float32: biases and batch-norm
// parameters, and small kernels such as the input layer's, whose 9-value fan-in does not average rounding errors
// out (on a trained U-Net it alone caused most of the output change); together they are ~1-2% of the bytes.
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initTf, tf, type LayersModel, type Tensor } from '../tf.js';
import { tempSibling, writeDirAtomic } from '../../node/atomic-fs.js';
import { encodeFloat16, float32ToFloat16Bits, isFiniteFloat16Bits } from '../io/float16.js';
import { MANIFEST_FILE, ONNX_FILE, TFJS_SUBDIR, readManifest } from './model-dir.js';
import { Rng } from '../rng.js';
import { artifactsToModel, readArtifacts, writeArtifactFiles } from '../train/model-files.js';
import type { ModelArtifactsData } from '../train/protocol.js';
import type { ModelManifest } from '../types.js';
import { exportToOnnx, type OnnxExportOptions } from '../onnx/exporter.js';
import { checkRetinaOnnx } from '../onnx/onnx-info.js';
import { onnxMetaOf, onnxRecordOf } from '../onnx/export-model-dir.js';

export class ModelCompactError extends Error {
  override name = 'ModelCompactError';
}

export interface CompactOptions {
  /** Redo the work even when the directory is already compact (the result is byte-identical). */
  force?: boolean;
}

export interface CompactSizes {
  /** tfjs/model.json + weight files. */
  tfjsBytes: number;
  /** model.onnx; 0 when there is none. */
  onnxBytes: number;
}

export interface CompactResult {
  modelDir: string;
  /** False when the directory was already compact and nothing was written. */
  changed: boolean;
  before: CompactSizes;
  after: CompactSizes;
  /** Weight tensors stored as float16 / kept as float32. */
  float16Tensors: number;
  float32Tensors: number;
  /** Largest change of an output probability on a fixed random probe tile (tfjs, before vs after). */
  probeMaxAbsDiff: number;
}

/** Smallest tensor stored as float16 (smaller ones cost at most 8 KB each as float32). */
export const FLOAT16_MIN_VALUES = 4096;

const COMPACT_ONNX: OnnxExportOptions = { weightType: 'float16' };
const FLOAT16 = { dtype: 'float16', original_dtype: 'float32' } as const;

type WeightSpec = ModelArtifactsData['weightSpecs'][number];

/** Large float32 tensors become float16; everything else keeps its float32 (or integer) values. */
export function shouldHalve(spec: { dtype: string; shape: number[] }): boolean {
  return spec.dtype === 'float32' && spec.shape.reduce((a, b) => a * b, 1) >= FLOAT16_MIN_VALUES;
}

function isCompactSpec(spec: WeightSpec): boolean {
  return shouldHalve(spec) ? spec.quantization?.dtype === 'float16' : spec.quantization === undefined;
}

/**
 * The artifacts with every large tensor rounded to float16 and stored as halves (tfjs' float16 quantisation).
 * Idempotent: compacting compact artifacts gives the same bytes. Throws ModelCompactError for a weight that
 * float16 cannot hold (non-finite or beyond +-65504).
 */
export function compactArtifacts(artifacts: ModelArtifactsData): {
  artifacts: ModelArtifactsData;
  float16Tensors: number;
  float32Tensors: number;
} {
  // decodeWeights dequantises whatever the input holds (float32 or already float16) into float32 tensors.
  const decoded = tf.io.decodeWeights(
    artifacts.weightData,
    artifacts.weightSpecs as tf.io.WeightsManifestEntry[],
  );
  const parts: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  let float16Tensors = 0;
  try {
    for (const spec of artifacts.weightSpecs) {
      const values = decoded[spec.name].dataSync();
      const base = { name: spec.name, shape: spec.shape, dtype: spec.dtype };
      if (!shouldHalve(spec)) {
        parts.push(
          new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
        );
        specs.push(base);
        continue;
      }
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (!isFiniteFloat16Bits(float32ToFloat16Bits(v))) {
          throw new ModelCompactError(
            `weight ${spec.name}: value ${v} cannot be stored as float16 (finite values up to 65504 only)`,
          );
        }
      }
      parts.push(encodeFloat16(values as Float32Array));
      specs.push({ ...base, quantization: { ...FLOAT16 } });
      float16Tensors++;
    }
  } finally {
    tf.dispose(Object.values(decoded));
  }
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    weightData.set(p, off);
    off += p.length;
  }
  return {
    artifacts: { modelTopology: artifacts.modelTopology, weightSpecs: specs, weightData: weightData.buffer },
    float16Tensors,
    float32Tensors: specs.length - float16Tensors,
  };
}

async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function sizesOf(modelDir: string): Promise<CompactSizes> {
  const tfjsDir = join(modelDir, TFJS_SUBDIR);
  let tfjsBytes = 0;
  for (const name of await readdir(tfjsDir)) tfjsBytes += await fileBytes(join(tfjsDir, name));
  return { tfjsBytes, onnxBytes: await fileBytes(join(modelDir, ONNX_FILE)) };
}

/** A fixed pseudo-random tile (standard normal, like fov-zscore input) of the network's smallest size >= 64. */
function probeInput(manifest: ModelManifest): { x: Float32Array; shape: [number, number, number, number] } {
  const stride = 2 ** manifest.architecture.depth;
  const size = stride * Math.ceil(64 / stride);
  const c = manifest.architecture.inputChannels;
  const rng = new Rng(20240601);
  const x = Float32Array.from({ length: size * size * c }, () => rng.normal());
  return { x, shape: [1, size, size, c] };
}

function predict(model: LayersModel, x: Float32Array, shape: [number, number, number, number]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(x, shape)) as Tensor).dataSync() as Float32Array);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Compacts a model directory in place: tfjs/ (large weights as float16), model.onnx (float16 initialisers, re-exported
 * from the rounded weights) and the manifest (weightsFloat16, onnx.weightType). Everything is computed and
 * written to temporaries first and then renamed into place, so a failure leaves the directory as it was.
 * A directory that is already compact is left untouched (changed: false) unless `force`.
 */
export async function compactModelDir(
  modelDir: string,
  options: CompactOptions = {},
): Promise<CompactResult> {
  const manifest = await readManifest(modelDir);
  const tfjsDir = join(modelDir, TFJS_SUBDIR);
  const onnxPath = join(modelDir, ONNX_FILE);
  const original = await readArtifacts(tfjsDir);
  const before = await sizesOf(modelDir);
  const alreadyCompact =
    manifest.weightsFloat16 === true &&
    manifest.onnx?.weightType === 'float16' &&
    existsSync(onnxPath) &&
    original.weightSpecs.every(isCompactSpec);
  if (alreadyCompact && !options.force) {
    const float16Tensors = original.weightSpecs.filter(shouldHalve).length;
    return {
      modelDir,
      changed: false,
      before,
      after: before,
      float16Tensors,
      float32Tensors: original.weightSpecs.length - float16Tensors,
      probeMaxAbsDiff: 0,
    };
  }

  // Any backend can hold the weights; only pick one when the process has none yet.
  if (!tf.engine().backendName) await initTf();
  const compact = compactArtifacts(original);
  const oldModel = await artifactsToModel(original);
  let newModel: LayersModel | null = null;
  let onnxBytes: Uint8Array;
  let probeMaxAbsDiff: number;
  try {
    // Loading the compacted artifacts through tfjs is also the check that tfjs reads them.
    newModel = await artifactsToModel(compact.artifacts);
    const probe = probeInput(manifest);
    probeMaxAbsDiff = maxAbsDiff(
      predict(oldModel, probe.x, probe.shape),
      predict(newModel, probe.x, probe.shape),
    );
    onnxBytes = exportToOnnx(newModel, onnxMetaOf(manifest), COMPACT_ONNX);
  } finally {
    oldModel.dispose();
    newModel?.dispose();
  }
  const info = checkRetinaOnnx(onnxBytes, onnxPath);
  const nextManifest: ModelManifest = {
    ...manifest,
    weightsFloat16: true,
    onnx: onnxRecordOf(info, COMPACT_ONNX),
  };

  const manifestPath = join(modelDir, MANIFEST_FILE);
  const onnxTmp = tempSibling(onnxPath);
  const manifestTmp = tempSibling(manifestPath);
  try {
    // The tfjs directory is swapped in only once every other file is complete under its temporary name.
    await writeDirAtomic(
      tfjsDir,
      async (tmp) => {
        await writeArtifactFiles(tmp, compact.artifacts);
        await writeFile(onnxTmp, onnxBytes);
        await writeFile(manifestTmp, JSON.stringify(nextManifest, null, 2) + '\n');
      },
      { overwrite: true },
    );
    await rename(onnxTmp, onnxPath);
    await rename(manifestTmp, manifestPath);
  } catch (err) {
    await rm(onnxTmp, { force: true });
    await rm(manifestTmp, { force: true });
    throw err;
  }
  return {
    modelDir,
    changed: true,
    before,
    after: await sizesOf(modelDir),
    float16Tensors: compact.float16Tensors,
    float32Tensors: compact.float32Tensors,
    probeMaxAbsDiff,
  };
}
