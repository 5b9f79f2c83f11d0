// Reads a standard tfjs LayersModel directory (model.json + the weight files its manifest lists) without
// tfjs-node's file:// handler, which the project does not depend on.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initTf, tf, tfl, type LayersModel } from '../tf.js';
import { OnnxExportError, firstLine } from './errors.js';

interface ModelJson {
  modelTopology?: object;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export async function loadTfjsModelDir(dir: string): Promise<LayersModel> {
  // Any backend can hold the weights; only pick one when the process has none yet.
  if (!tf.engine().backendName) await initTf('cpu');
  const jsonPath = join(dir, 'model.json');
  let parsed: ModelJson;
  try {
    parsed = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    throw new OnnxExportError(`${jsonPath}: cannot read the tfjs model (${firstLine(err)})`);
  }
  if (!parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new OnnxExportError(`${jsonPath}: not a tfjs layers model (no modelTopology/weightsManifest)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of parsed.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try {
        buffers.push(new Uint8Array(await readFile(join(dir, p))));
      } catch (err) {
        throw new OnnxExportError(`${join(dir, p)}: cannot read weights (${firstLine(err)})`);
      }
    }
  }
  const total = buffers.reduce((s, b) => s + b.length, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    weightData.set(b, off);
    off += b.length;
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: parsed.modelTopology,
    weightSpecs: specs,
    weightData: weightData.buffer,
    format: parsed.format,
    generatedBy: parsed.generatedBy,
    convertedBy: parsed.convertedBy,
  };
  try {
    return await tfl.loadLayersModel({ load: async () => artifacts });
  } catch (err) {
    throw new OnnxExportError(`${jsonPath}: tfjs cannot load the model (${firstLine(err)})`);
  }
}
