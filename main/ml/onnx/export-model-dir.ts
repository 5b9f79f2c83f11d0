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

/** A model directory's tfjs weights as ONNX bytes (checked as the predictor would) and their manifest record; writes nothing. */
export async function exportModelBytes(
  modelDir: string,
  options: OnnxExportOptions = {},
): Promise<{ bytes: Uint8Array; record: OnnxRecord }> {
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
  // Read back what was made in memory: a file the predictor would refuse must never be written or recorded.
  const info = checkRetinaOnnx(bytes, join(modelDir, ONNX_FILE));
  return { bytes, record: onnxRecordOf(info, opts) };
}

export async function exportModelDir(modelDir: string, options: OnnxExportOptions = {}): Promise<OnnxRecord> {
  const { bytes, record } = await exportModelBytes(modelDir, options);
  await writeFileAtomic(join(modelDir, ONNX_FILE), bytes);
  await writeManifest(modelDir, { ...(await readManifest(modelDir)), onnx: record });
  return record;
}
