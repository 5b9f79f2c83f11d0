// Opens a model directory for inference with the chosen engine: ONNX Runtime by default (fast on CPU), the tfjs
// weights as the fallback when the directory has no ONNX export or when asked for.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest, Predictor } from '../types.js';
import { ONNX_FILE, TFJS_SUBDIR, readManifest, resolveModelDir } from './model-dir.js';

export type EngineName = 'onnx' | 'tfjs';

export interface LoadedModel {
  dir: string;
  manifest: ModelManifest;
  predictor: Predictor;
}

export interface OpenModelOptions {
  /** Default: onnx when the directory has an export, else tfjs. */
  engine?: EngineName;
  /** ONNX Runtime intra-op threads. */
  threads?: number;
}

export async function openModel(
  dirArg: string | undefined,
  opts: OpenModelOptions = {},
): Promise<LoadedModel> {
  const dir = resolveModelDir(dirArg);
  const manifest = await readManifest(dir);
  const hasOnnx = Boolean(manifest.onnx) && existsSync(join(dir, manifest.onnx?.file ?? ONNX_FILE));
  const engine = opts.engine ?? (hasOnnx ? 'onnx' : 'tfjs');
  let predictor: Predictor;
  if (engine === 'onnx') {
    const { createOnnxPredictorForModelDir } = await import('../onnx/predictor.js');
    predictor = await createOnnxPredictorForModelDir(dir, { threads: opts.threads });
  } else {
    const { createTfjsPredictor } = await import('../train/trainer.js');
    predictor = await createTfjsPredictor(join(dir, TFJS_SUBDIR));
  }
  return { dir, manifest, predictor };
}
