// U-Net builder. Only standard tf.layers classes, readably named, so the ONNX exporter can map every layer and a
// saved model reloads with stock tfjs. Fully convolutional: any H/W that is a multiple of 2^depth.
import { tfl, type LayersModel, type SymbolicTensor } from '../tf.js';
import type { UNetConfig } from '../types.js';
import { validateUNetConfig } from './unet-config.js';

/** The project's reference network: ~1.95M parameters, trained on 64x64 grey patches. */
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

/** Deterministic per-layer initialiser seeds derived from the model seed. */
class SeedSequence {
  private next: number;
  constructor(seed: number) {
    this.next = (Math.abs(Math.floor(seed)) % 100_000) * 1000 + 1;
  }
  take(): number {
    return this.next++;
  }
}

interface Builder {
  cfg: UNetConfig;
  seeds: SeedSequence;
}

function conv(
  b: Builder,
  x: SymbolicTensor,
  filters: number,
  kernel: number,
  name: string,
  useBias: boolean,
) {
  return tfl.layers
    .conv2d({
      filters,
      kernelSize: kernel,
      padding: 'same',
      useBias,
      kernelInitializer: tfl.initializers.heNormal({ seed: b.seeds.take() }),
      name,
    })
    .apply(x) as SymbolicTensor;
}

/** conv3x3 (+BN) + ReLU, `convsPerLevel` times, with an optional 1x1-projection residual shortcut. */
function convBlock(b: Builder, input: SymbolicTensor, filters: number, prefix: string): SymbolicTensor {
  let x = input;
  for (let i = 1; i <= b.cfg.convsPerLevel; i++) {
    x = conv(b, x, filters, 3, `${prefix}_conv${i}`, !b.cfg.batchNorm);
    if (b.cfg.batchNorm)
      x = tfl.layers.batchNormalization({ axis: -1, name: `${prefix}_bn${i}` }).apply(x) as SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu', name: `${prefix}_relu${i}` }).apply(x) as SymbolicTensor;
  }
  if (b.cfg.residual) {
    const shortcut = conv(b, input, filters, 1, `${prefix}_shortcut`, true);
    x = tfl.layers.add({ name: `${prefix}_residual` }).apply([x, shortcut]) as SymbolicTensor;
  }
  return x;
}

function dropout(b: Builder, x: SymbolicTensor, name: string): SymbolicTensor {
  if (b.cfg.dropout <= 0) return x;
  return tfl.layers.dropout({ rate: b.cfg.dropout, name }).apply(x) as SymbolicTensor;
}

function upsample(b: Builder, x: SymbolicTensor, filters: number, prefix: string): SymbolicTensor {
  if (b.cfg.upsampling === 'transpose') {
    return tfl.layers
      .conv2dTranspose({
        filters,
        kernelSize: 2,
        strides: 2,
        padding: 'same',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: b.seeds.take() }),
        name: `${prefix}_upconv`,
      })
      .apply(x) as SymbolicTensor;
  }
  const up = tfl.layers
    .upSampling2d({ size: [2, 2], interpolation: 'nearest', name: `${prefix}_upsample` })
    .apply(x);
  const c = conv(b, up as SymbolicTensor, filters, 3, `${prefix}_upconv`, true);
  return tfl.layers.activation({ activation: 'relu', name: `${prefix}_uprelu` }).apply(c) as SymbolicTensor;
}

/**
 * Builds the U-Net: `depth` encoder levels (conv block, 2x2 max-pool), a bottleneck block, `depth` decoder levels
 * (upsampling, concatenation with the skip, conv block) and a 1x1 convolution with a sigmoid: one vessel
 * probability per pixel. Input [null, null, null, inputChannels].
 */
export function buildUNet(cfg: UNetConfig, seed = 1): LayersModel {
  validateUNetConfig(cfg);
  const b: Builder = { cfg, seeds: new SeedSequence(seed) };
  const input = tfl.input({ shape: [null, null, cfg.inputChannels], name: 'image' });
  const skips: SymbolicTensor[] = [];
  let x = input;
  for (let level = 0; level < cfg.depth; level++) {
    x = convBlock(b, x, cfg.baseFilters * 2 ** level, `enc${level}`);
    if (level === cfg.depth - 1) x = dropout(b, x, `enc${level}_dropout`);
    skips.push(x);
    x = tfl.layers
      .maxPooling2d({ poolSize: 2, strides: 2, name: `enc${level}_pool` })
      .apply(x) as SymbolicTensor;
  }
  x = convBlock(b, x, cfg.baseFilters * 2 ** cfg.depth, 'bottleneck');
  x = dropout(b, x, 'bottleneck_dropout');
  for (let level = cfg.depth - 1; level >= 0; level--) {
    const filters = cfg.baseFilters * 2 ** level;
    const up = upsample(b, x, filters, `dec${level}`);
    x = tfl.layers
      .concatenate({ axis: -1, name: `dec${level}_concat` })
      .apply([up, skips[level]]) as SymbolicTensor;
    x = convBlock(b, x, filters, `dec${level}`);
  }
  const logits = tfl.layers
    .conv2d({
      filters: 1,
      kernelSize: 1,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: b.seeds.take() }),
      name: 'output_conv',
    })
    .apply(x) as SymbolicTensor;
  const prob = tfl.layers
    .activation({ activation: 'sigmoid', name: 'output_sigmoid' })
    .apply(logits) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: prob, name: 'unet' });
}

/**
 * Parameter count of the network `buildUNet(cfg)` makes, including batch-norm moving statistics (what
 * `model.countParams()` reports), computed from the configuration alone.
 */
export function countParameters(cfg: UNetConfig): number {
  validateUNetConfig(cfg);
  const convP = (k: number, cin: number, cout: number, bias: boolean): number =>
    k * k * cin * cout + (bias ? cout : 0);
  const block = (cin: number, cout: number): number => {
    let p = 0;
    let c = cin;
    for (let i = 0; i < cfg.convsPerLevel; i++) {
      p += convP(3, c, cout, !cfg.batchNorm) + (cfg.batchNorm ? 4 * cout : 0);
      c = cout;
    }
    if (cfg.residual) p += convP(1, cin, cout, true);
    return p;
  };
  const f = (level: number): number => cfg.baseFilters * 2 ** level;
  let total = 0;
  let c = cfg.inputChannels;
  for (let level = 0; level < cfg.depth; level++) {
    total += block(c, f(level));
    c = f(level);
  }
  total += block(c, f(cfg.depth));
  for (let level = cfg.depth - 1; level >= 0; level--) {
    const below = f(level + 1);
    total +=
      cfg.upsampling === 'transpose' ? convP(2, below, f(level), true) : convP(3, below, f(level), true);
    total += block(2 * f(level), f(level));
  }
  return total + convP(1, f(0), 1, true);
}
