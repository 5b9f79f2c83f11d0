// Exports a model directory's tfjs weights to <dir>/model.onnx and records the export in its manifest, so the
// app and the CLI never export on the fly.
import { join } from 'node:path';
import type { ModelManifest } from '../types.js';
import { writeFileAtomic } from '../atomic-fs.js';
import { ONNX_FILE, TFJS_SUBDIR, readManifest, writeManifest } from '../model-dir.js';
import { exportToOnnx, type OnnxExportOptions } from './exporter.js';
import { checkRetinaOnnx } from './onnx-info.js';
import { EXPORTER_VERSION } from './metadata.js';
import { loadTfjsModelDir } from './load-tfjs-dir.js';

export type OnnxRecord = NonNullable<ModelManifest['onnx']>;

export async function exportModelDir(modelDir: string, options: OnnxExportOptions = {}): Promise<OnnxRecord> {
  const manifest = await readManifest(modelDir);
  const model = await loadTfjsModelDir(join(modelDir, TFJS_SUBDIR));
  let bytes: Uint8Array;
  try {
    bytes = exportToOnnx(
      model,
      {
        name: manifest.name,
        preprocess: manifest.preprocess,
        threshold: manifest.threshold,
        provenance: manifest.provenance,
        architecture: manifest.architecture,
        patchSize: manifest.patchSize,
      },
      options,
    );
  } finally {
    model.dispose();
  }
  const target = join(modelDir, ONNX_FILE);
  // Read back what was written in memory: a file the predictor would refuse must never be recorded.
  const info = checkRetinaOnnx(bytes, target);
  await writeFileAtomic(target, bytes);
  const record: OnnxRecord = {
    file: ONNX_FILE,
    opset: info.opset,
    irVersion: info.irVersion,
    exporterVersion: EXPORTER_VERSION,
  };
  await writeManifest(modelDir, { ...manifest, onnx: record });
  return record;
}
