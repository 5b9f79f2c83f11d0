// The Predictor of the ONNX engine: one onnxruntime-node session per model, graph optimisations on.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Predictor } from '../types.js';
import { MANIFEST_FILE, ONNX_FILE, readManifest } from '../model/model-dir.js';
import { OnnxInferenceError, OnnxLoadError, firstLine } from './errors.js';
import { exporterProblem, EXPORTER_NAME, manifestMismatch } from './metadata.js';
import { checkRetinaOnnx, readOnnxBytes, type OnnxModelInfo } from './onnx-info.js';

export interface OnnxPredictorOptions {
  /** Intra-op threads (default: all cores). */
  threads?: number;
  /** ONNX Runtime graph optimisation level (default 'all', which includes the NCHWc layout transform). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
}

export interface OnnxPredictor extends Predictor {
  readonly engine: 'onnx';
  readonly path: string;
  readonly info: OnnxModelInfo;
  readonly threads: number;
}

/** Opens `onnxPath` for inference. Throws OnnxLoadError (one line, naming the file) for any unusable file. */
export async function createOnnxPredictor(
  onnxPath: string,
  opts: OnnxPredictorOptions = {},
): Promise<OnnxPredictor> {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1)
    throw new OnnxLoadError(`threads must be a positive integer, got ${threads}`);
  const bytes = await readOnnxBytes(onnxPath);
  const info = checkRetinaOnnx(bytes, onnxPath);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      enableCpuMemArena: true,
      enableMemPattern: true,
      // Idle pool threads sleep rather than spin: on 2 cores the spinning took the CPU from the PNG encoding that
      // overlaps the anatomy networks (3504x2336 `segment --av` 8.6 s -> 8.1 s, mean of 7 alternating runs), and a
      // network pass alone ran no slower (471-483 ms against 471-511 ms for the vessel network's frame).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      logSeverityLevel: 4, // failures surface as our one-line errors, not as native log lines
    });
  } catch (err) {
    throw new OnnxLoadError(`${onnxPath}: ONNX Runtime cannot load the model (${firstLine(err)})`);
  }
  let disposed = false;

  return {
    engine: 'onnx',
    path: onnxPath,
    info,
    threads,
    async predict(input, n, height, width, channels) {
      if (disposed) throw new OnnxInferenceError(`${onnxPath}: predictor already disposed`);
      for (const [k, v] of Object.entries({ n, height, width, channels })) {
        if (!Number.isInteger(v) || v < 1)
          throw new OnnxInferenceError(`${k} must be a positive integer, got ${v}`);
      }
      if (channels !== info.channels) {
        throw new OnnxInferenceError(
          `${onnxPath}: model takes ${info.channels} input channels, got ${channels}`,
        );
      }
      if (input.length !== n * height * width * channels) {
        throw new OnnxInferenceError(
          `input has ${input.length} values, expected ${n}x${height}x${width}x${channels} = ${n * height * width * channels}`,
        );
      }
      let out: ort.Tensor;
      try {
        const feeds = { [info.inputName]: new ort.Tensor('float32', input, [n, height, width, channels]) };
        const results = await session.run(feeds, [info.outputName], { logSeverityLevel: 4 });
        out = results[info.outputName];
      } catch (err) {
        throw new OnnxInferenceError(
          `${onnxPath}: inference on ${n}x${height}x${width}x${channels} failed (${firstLine(err)})`,
        );
      }
      const dims = out.dims;
      if (out.type !== 'float32' || dims.length !== 4 || dims[0] !== n || dims[3] !== 1) {
        throw new OnnxInferenceError(`${onnxPath}: unexpected output ${out.type} [${dims.join(',')}]`);
      }
      if (dims[1] !== height || dims[2] !== width) {
        throw new OnnxInferenceError(
          `${onnxPath}: output is ${dims[1]}x${dims[2]} for a ${height}x${width} input (input size must be a multiple of the network's stride)`,
        );
      }
      // [N,H,W,1] and [N,H,W] share one memory layout.
      return out.data as Float32Array;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}

/**
 * Opens the ONNX export of a model directory, checking the manifest's record of it first, so a directory
 * exported by an unknown exporter version is refused before the file is even read.
 */
export async function createOnnxPredictorForModelDir(
  modelDir: string,
  opts: OnnxPredictorOptions = {},
): Promise<OnnxPredictor> {
  const manifest = await readManifest(modelDir);
  if (!manifest.onnx)
    throw new OnnxLoadError(
      `${modelDir}: the model has no ONNX export (run: retina export --model ${modelDir})`,
    );
  const problem = exporterProblem(EXPORTER_NAME, manifest.onnx.exporterVersion);
  if (problem) throw new OnnxLoadError(`${modelDir}: manifest records ${problem}`);
  const predictor = await createOnnxPredictor(join(modelDir, manifest.onnx.file || ONNX_FILE), opts);
  const mismatch = manifestMismatch(predictor.info.metadata, manifest);
  if (mismatch) {
    await predictor.dispose();
    throw new OnnxLoadError(
      `${predictor.path} does not belong to ${join(modelDir, MANIFEST_FILE)}: ${mismatch} ` +
        '(copy the whole model directory, or run: retina export --model DIR)',
    );
  }
  return predictor;
}
