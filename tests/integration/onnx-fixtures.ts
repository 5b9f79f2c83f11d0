// Shared by the ONNX tests and the inference bench: small tfjs networks with random weights (including
// non-trivial batch-norm statistics) and preprocessed crops of real DRIVE images.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTf, type LayersModel } from '../../main/ml/tf.js';
import { readBinaryMap, readImage } from '../../main/ml/io/image-io.js';
import { DEFAULT_PREPROCESS, preprocessImage } from '../../main/ml/image/preprocess.js';
import { Rng } from '../../main/ml/rng.js';
import { TFJS_SUBDIR, writeManifest } from '../../main/ml/model/model-dir.js';
import type { ModelManifest, UNetConfig } from '../../main/ml/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const datasetsRoot = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

export async function tfl() {
  return (await initTf('cpu')).tfl;
}

/**
 * Gives every batch norm random gamma/beta/mean/variance and every bias random values, so folding and bias
 * handling are exercised (fresh layers have identity statistics and zero biases).
 */
export async function randomiseStatistics(model: LayersModel, seed: number): Promise<void> {
  const { tf } = await initTf('cpu');
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const isBn = layer.getClassName() === 'BatchNormalization';
    if (!isBn && !layer.weights.some((v) => /bias/.test(v.name))) continue;
    const values = layer.weights.map((v) => {
      const range = /moving_variance/.test(v.name)
        ? [0.3, 2]
        : /gamma/.test(v.name)
          ? [0.5, 1.5]
          : isBn || /bias/.test(v.name)
            ? [-0.3, 0.3]
            : null; // kernels keep their initialiser values
      if (!range) return v.read().clone();
      const arr = new Float32Array(v.shape.reduce((a: number, d) => a * (d ?? 1), 1));
      for (let i = 0; i < arr.length; i++) arr[i] = rng.uniform(range[0], range[1]);
      return tf.tensor(arr, v.shape as number[]);
    });
    layer.setWeights(values);
    values.forEach((t) => t.dispose());
  }
}

/** Preprocessed (default recipe) single-channel DRIVE test image, H*W row-major. */
export async function drivePreprocessed(
  id = '01',
): Promise<{ data: Float32Array; width: number; height: number }> {
  const dir = path.join(datasetsRoot, 'DRIVE', 'test');
  const image = await readImage(path.join(dir, 'images', `${id}_test.tif`));
  const fov = await readBinaryMap(path.join(dir, 'mask', `${id}_test_mask.gif`));
  return { data: preprocessImage(image, fov, DEFAULT_PREPROCESS), width: image.width, height: image.height };
}

/** A batch of `n` crops (NHWC, C = 1) of size h x w taken at spread-out positions of DRIVE test images. */
export async function driveCrops(n: number, h: number, w: number, ids = ['01', '02']): Promise<Float32Array> {
  const out = new Float32Array(n * h * w);
  for (let k = 0; k < n; k++) {
    const img = await drivePreprocessed(ids[k % ids.length]);
    const x0 = Math.floor(((k * 97) % 5) * ((img.width - w) / 4));
    const y0 = Math.floor(((k * 53) % 5) * ((img.height - h) / 4));
    for (let y = 0; y < h; y++) {
      out.set(img.data.subarray((y0 + y) * img.width + x0, (y0 + y) * img.width + x0 + w), (k * h + y) * w);
    }
  }
  return out;
}

/** Writes a model directory (manifest + standard tfjs files) the way the trainer lays it out. */
export async function writeTestModelDir(
  dir: string,
  model: LayersModel,
  manifest: ModelManifest,
): Promise<void> {
  const { tf } = await initTf('cpu');
  await mkdir(path.join(dir, TFJS_SUBDIR), { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weights = Array.isArray(data)
        ? Buffer.concat(data.map((b) => Buffer.from(b)))
        : Buffer.from(data!);
      await writeFile(path.join(dir, TFJS_SUBDIR, 'weights.bin'), weights);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(path.join(dir, TFJS_SUBDIR, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  await writeManifest(dir, manifest);
}

export function testManifest(architecture: UNetConfig, name = 'onnx-test'): ModelManifest {
  return {
    format: 'retinastudio-model',
    formatVersion: 1,
    name,
    createdAt: '2024-01-01T00:00:00.000Z',
    architecture,
    preprocess: DEFAULT_PREPROCESS,
    threshold: 0.42,
    patchSize: 64,
    parameters: 0,
    provenance: {
      dataset: 'DRIVE',
      datasetKind: 'drive',
      trainIds: ['21', '22'],
      validationIds: ['23'],
      seed: 1,
      epochs: 0,
      patchesSeen: 0,
      durationSeconds: 0,
      backend: 'cpu',
      machine: 'test',
      loss: 'dice',
      augment: null,
      validationCurve: [],
    },
  };
}
