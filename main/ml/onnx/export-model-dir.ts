// Exports a model directory's tfjs weights to <dir>/model.onnx and records the export in its manifest, so the
// app and the CLI never export on the fly.
import { join } from 'node:path';
import type { ModelManifest } from '../types.js';
import { writeFileAtomic } from '../../node/atomic-fs.js';
import { ONNX_FILE, TFJS_SUBDIR, readManifest, writeManifest } from '../model/model-dir.js';
import { exportToOnnx, type OnnxExportOptions } from './exporter.js';
import { checkRetinaOnnx, type OnnxModelInfo } from './onnx-info.js';
import { EXPORTER_VERSION, type OnnxExportMeta } from './metadata.js';
import { loadTfjsModelDir } from './load-tfjs-dir.js';

export type OnnxRecord = NonNullable<ModelManifest['onnx']>;

/** What the ONNX file's metadata records about the model, taken from its manifest. */
export function onnxMetaOf(manifest: ModelManifest): OnnxExportMeta {
  return {
    name: manifest.name,
    preprocess: manifest.preprocess,
    threshold: manifest.threshold,
    provenance: manifest.provenance,
    architecture: manifest.architecture,
    patchSize: manifest.patchSize,
  };
}

/** The manifest's record of an export; weightType only when it is not the float32 default. */
export function onnxRecordOf(info: OnnxModelInfo, options: OnnxExportOptions): OnnxRecord {
  return {
    file: ONNX_FILE,
    opset: info.opset,
    irVersion: info.irVersion,
    exporterVersion: EXPORTER_VERSION,
    ...(options.weightType === 'float16' ? { weightType: 'float16' as const } : {}),
  };
}

export async function exportModelDir(modelDir: string, options: OnnxExportOptions = {}): Promise<OnnxRecord> {
  const manifest = await readManifest(modelDir);
  // A compacted model stays compact when it is re-exported.
  const opts: OnnxExportOptions = {
    ...options,
    weightType: options.weightType ?? (manifest.weightsFloat16 ? 'float16' : 'float32'),
  };
  const model = await loadTfjsModelDir(join(modelDir, TFJS_SUBDIR));
  let bytes: Uint8Array;
  try {
    bytes = exportToOnnx(model, onnxMetaOf(manifest), opts);
  } finally {
    model.dispose();
  }
  const target = join(modelDir, ONNX_FILE);
  // Read back what was written in memory: a file the predictor would refuse must never be recorded.
  const info = checkRetinaOnnx(bytes, target);
  await writeFileAtomic(target, bytes);
  const record = onnxRecordOf(info, opts);
  await writeManifest(modelDir, { ...manifest, onnx: record });
  return record;
}
