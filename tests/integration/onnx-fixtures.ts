// Shared by the ONNX tests and the inference bench: small tfjs networks with random weights (including
// non-trivial batch-norm statistics) and preprocessed crops of real DRIVE images.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTf, type LayersModel, type SymbolicTensor } from '../../main/ml/tf.js';
import { readBinaryMap, readImage } from '../../main/ml/image-io.js';
import { DEFAULT_PREPROCESS, preprocessImage } from '../../main/ml/preprocess.js';
import { Rng } from '../../main/ml/rng.js';
import type { UNetConfig } from '../../main/ml/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const datasetsRoot = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

export const REFERENCE_UNET: UNetConfig = {
  kind: 'unet',
  inputChannels: 1,
  depth: 4,
  baseFilters: 16,
  convsPerLevel: 2,
  batchNorm: true,
  dropout: 0.2,
  upsampling: 'transpose',
  residual: false,
};

export async function tfl() {
  return (await initTf('cpu')).tfl;
}

/**
 * A U-Net following UNetConfig, built from standard layers only (stands in for the engine's builder in tests
 * that must not depend on it).
 */
export async function buildTestUNet(cfg: UNetConfig): Promise<LayersModel> {
  const L = (await tfl()).layers;
  const apply = (layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown }, x: SymbolicTensor | SymbolicTensor[]) =>
    layer.apply(x) as SymbolicTensor;
  const block = (x: SymbolicTensor, filters: number, drop: boolean): SymbolicTensor => {
    const shortcut = cfg.residual ? apply(L.conv2d({ filters, kernelSize: 1, padding: 'same' }), x) : null;
    let y = x;
    for (let i = 0; i < cfg.convsPerLevel; i++) {
      y = apply(L.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: !cfg.batchNorm }), y);
      if (cfg.batchNorm) y = apply(L.batchNormalization({}), y);
      if (shortcut && i === cfg.convsPerLevel - 1) y = apply(L.add({}), [y, shortcut]);
      y = apply(L.activation({ activation: 'relu' }), y);
    }
    if (drop && cfg.dropout > 0) y = apply(L.dropout({ rate: cfg.dropout }), y);
    return y;
  };
  const input = (await tfl()).input({ shape: [null, null, cfg.inputChannels] });
  let x = input;
  const skips: SymbolicTensor[] = [];
  for (let l = 0; l < cfg.depth; l++) {
    x = block(x, cfg.baseFilters * 2 ** l, l === cfg.depth - 1);
    skips.push(x);
    x = apply(L.maxPooling2d({ poolSize: 2, strides: 2 }), x);
  }
  x = block(x, cfg.baseFilters * 2 ** cfg.depth, true);
  for (let l = cfg.depth - 1; l >= 0; l--) {
    const filters = cfg.baseFilters * 2 ** l;
    if (cfg.upsampling === 'transpose') {
      x = apply(L.conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'same' }), x);
    } else {
      x = apply(L.upSampling2d({ size: [2, 2], interpolation: 'nearest' }), x);
      x = apply(L.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
    }
    x = apply(L.concatenate({ axis: -1 }), [skips[l], x]);
    x = block(x, filters, false);
  }
  const out = apply(L.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }), x);
  return (await tfl()).model({ inputs: input, outputs: out, name: 'test_unet' });
}

/** Gives every BatchNormalization layer random gamma/beta/mean/variance so folding is actually exercised. */
export async function randomiseBatchNorm(model: LayersModel, seed: number): Promise<void> {
  const { tf } = await initTf('cpu');
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.weights.map((v) => {
      const n = v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const arr = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        arr[i] = /moving_variance/.test(v.name)
          ? rng.uniform(0.3, 2)
          : /gamma/.test(v.name)
            ? rng.uniform(0.5, 1.5)
            : rng.uniform(-0.3, 0.3);
      }
      return tf.tensor(arr, v.shape as number[]);
    });
    layer.setWeights(values);
    values.forEach((t) => t.dispose());
  }
}

/** Preprocessed (default recipe) single-channel DRIVE test image, H*W row-major. */
export async function drivePreprocessed(id = '01'): Promise<{ data: Float32Array; width: number; height: number }> {
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
