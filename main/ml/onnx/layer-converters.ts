// One converter per supported tfjs layer class. Every tensor inside the graph is NCHW; the exporter adds the
// NHWC<->NCHW transposes at the graph boundary only. Kernels are re-laid-out from tfjs (HWIO) to ONNX (OIHW).
import type { Attrs, AxisScale, OnnxGraphBuilder } from './graph-builder.js';
import type { LayerInfo } from './layer-config.js';

/** Per-channel affine y = x * scale + shift (an inference-mode batch norm), folded into the preceding conv. */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

export interface ConvertOptions {
  /** Emit 2x2-stride-2 style transposed convolutions (kernel == stride) as 1x1 Conv + DepthToSpace. */
  transposeAsDepthToSpace: boolean;
}

/** Convolutions that can consume a channel concatenation as separate parts. */
export const CONCAT_SPLITTING_CLASSES = new Set(['Conv2D']);

export interface ConvertArgs {
  b: OnnxGraphBuilder;
  info: LayerInfo;
  inputs: string[];
  /** Channel count of each input (NHWC last dim). */
  inputChannels: number[];
  fold: ChannelAffine | null;
  options: ConvertOptions;
  /** Set when the single input is a channel concatenation the exporter did not materialise. */
  concatParts?: { name: string; channels: number }[];
}

type Converter = (a: ConvertArgs) => string;

/** Layers that may absorb a following BatchNormalization (when their own activation is linear). */
export const FOLDABLE_CLASSES = new Set(['Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D']);

const IDENTITY_CLASSES = ['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'];

// ------------------------------------------------------------------ helpers

function single(a: ConvertArgs): string {
  if (a.inputs.length !== 1) a.info.fail(`expected 1 input, got ${a.inputs.length}`);
  return a.inputs[0];
}

/** Applies a tfjs activation (by its serialised name) to `x`. */
export function applyActivation(b: OnnxGraphBuilder, info: LayerInfo, x: string, act: string): string {
  const hint = `${info.name}/${act}`;
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return b.node('Relu', [x], {}, hint);
    case 'relu6':
      return clip(b, x, 0, 6, hint);
    case 'sigmoid':
      return b.node('Sigmoid', [x], {}, hint);
    case 'tanh':
      return b.node('Tanh', [x], {}, hint);
    case 'elu':
      return b.node('Elu', [x], { alpha: { float: 1 } }, hint);
    case 'selu':
      return b.node('Selu', [x], {}, hint); // ONNX defaults are the SELU constants
    case 'softplus':
      return b.node('Softplus', [x], {}, hint);
    case 'softsign':
      return b.node('Softsign', [x], {}, hint);
    case 'hardSigmoid':
    case 'hard_sigmoid':
      return b.node('HardSigmoid', [x], { alpha: { float: 0.2 }, beta: { float: 0.5 } }, hint);
    case 'softmax':
      return b.node('Softmax', [x], { axis: 1 }, hint); // channels
    case 'swish':
      return b.node('Mul', [x, b.node('Sigmoid', [x], {}, `${hint}_sigmoid`)], {}, hint);
    case 'mish': {
      const sp = b.node('Softplus', [x], {}, `${hint}_softplus`);
      return b.node('Mul', [x, b.node('Tanh', [sp], {}, `${hint}_tanh`)], {}, hint);
    }
    default:
      return info.fail(`activation "${act}" is not supported`);
  }
}

function clip(b: OnnxGraphBuilder, x: string, lo: number, hi: number, hint: string): string {
  const min = b.floatTensor(`${hint}_min`, [], new Float32Array([lo]));
  const max = b.floatTensor(`${hint}_max`, [], new Float32Array([hi]));
  return b.node('Clip', [x, min, max], {}, hint);
}

/** Pads or auto_pad reproducing TensorFlow's "same"/"valid" (extra padding goes after, i.e. SAME_UPPER). */
function spatialPadding(
  info: LayerInfo,
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number],
): Attrs {
  const padding = info.string('padding', 'valid');
  if (padding === 'valid') return { pads: [0, 0, 0, 0] };
  if (padding !== 'same') return info.fail(`padding "${padding}" is not supported`);
  if (strides[0] === 1 && strides[1] === 1) {
    // Stride 1: the total padding does not depend on the input size, so it can be explicit.
    const th = (kernel[0] - 1) * dilation[0];
    const tw = (kernel[1] - 1) * dilation[1];
    const top = Math.floor(th / 2);
    const left = Math.floor(tw / 2);
    return { pads: [top, left, th - top, tw - left] };
  }
  if (dilation[0] !== 1 || dilation[1] !== 1) info.fail('"same" padding with both strides and dilation');
  return { auto_pad: 'SAME_UPPER' };
}

/** A folded batch norm's per-channel factor, along the kernel axis of the output channels. */
function foldScale(fold: ChannelAffine | null, axis = 0): AxisScale | null {
  return fold ? { axis, values: fold.scale } : null;
}

/** Bias after folding; null when there is neither a bias nor a fold. */
function foldedBias(
  info: LayerInfo,
  channels: number,
  fold: ChannelAffine | null,
  key = 'bias',
): Float32Array | null {
  const useBias = info.bool('useBias', true) && info.hasWeight(key);
  const bias = useBias ? info.weight(key).data : null;
  if (!fold) return bias;
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) out[c] = (bias ? bias[c] : 0) * fold.scale[c] + fold.shift[c];
  return out;
}

function kernelDims(info: LayerInfo, key: string, rank: number): number[] {
  const w = info.weight(key);
  if (w.shape.length !== rank) info.fail(`weight "${key}" has rank ${w.shape.length}, expected ${rank}`);
  return w.shape;
}

// ------------------------------------------------------------------ convolutions

/** tfjs [kh, kw, ci, co] -> ONNX [co, ci, kh, kw]. */
function hwioToOihw(k: Float32Array, kh: number, kw: number, ci: number, co: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          out[((o * ci + i) * kh + y) * kw + x] = k[((y * kw + x) * ci + i) * co + o];
  return out;
}

function conv2d(a: ConvertArgs): string {
  const { b, info, fold } = a;
  info.requireChannelsLast();
  const groups = info.optionalNumber('groups');
  if (groups !== null && groups !== 1) info.fail(`groups=${groups} is not supported`);
  const [kh, kw, ci, co] = kernelDims(info, 'kernel', 4);
  const strides = info.pair('strides', [1, 1]);
  const dilation = info.pair('dilationRate', [1, 1]);
  const w = hwioToOihw(info.weight('kernel').data, kh, kw, ci, co);
  const bias = foldedBias(info, co, fold);
  const attrs = {
    kernel_shape: [kh, kw],
    strides,
    dilations: dilation,
    ...spatialPadding(info, [kh, kw], strides, dilation),
  };
  // conv(concat(a, b)) = conv_a(a) + conv_b(b): the concatenated tensor is never materialised.
  const parts = a.concatParts ?? [{ name: single(a), channels: ci }];
  let y = '';
  let first = 0;
  parts.forEach((part, k) => {
    const slice = new Float32Array(co * part.channels * kh * kw);
    for (let o = 0; o < co; o++) {
      const from = (o * ci + first) * kh * kw;
      slice.set(w.subarray(from, from + part.channels * kh * kw), o * part.channels * kh * kw);
    }
    first += part.channels;
    const suffix = parts.length > 1 ? `_part${k}` : '';
    const wName = b.kernelTensor(
      `${info.name}/W${suffix}`,
      [co, part.channels, kh, kw],
      slice,
      foldScale(fold),
    );
    const inputs = [part.name, wName];
    if (bias && k === 0) inputs.push(b.floatTensor(`${info.name}/B`, [co], bias));
    const c = b.node('Conv', inputs, attrs, `${info.name}${suffix}`);
    y = k === 0 ? c : b.node('Add', [y, c], {}, k === parts.length - 1 ? info.name : `${info.name}/sum${k}`);
  });
  if (first !== ci) info.fail(`input has ${first} channels, the kernel expects ${ci}`);
  return applyActivation(b, info, y, info.string('activation', 'linear'));
}

/** Depthwise kernel tfjs [kh, kw, ci, m] -> ONNX [ci*m, 1, kh, kw] with group = ci (output channel c*m + j). */
function depthwise(
  b: OnnxGraphBuilder,
  info: LayerInfo,
  x: string,
  key: string,
  bias: Float32Array | null,
  fold: ChannelAffine | null,
): string {
  const [kh, kw, ci, m] = kernelDims(info, key, 4);
  const k = info.weight(key).data;
  const w = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let c = 0; c < ci; c++)
        for (let j = 0; j < m; j++) w[((c * m + j) * kh + y) * kw + xx] = k[((y * kw + xx) * ci + c) * m + j];
  const strides = info.pair('strides', [1, 1]);
  const dilation = info.pair('dilationRate', [1, 1]);
  const inputs = [x, b.kernelTensor(`${info.name}/depthwise_W`, [ci * m, 1, kh, kw], w, foldScale(fold))];
  if (bias) inputs.push(b.floatTensor(`${info.name}/depthwise_B`, [ci * m], bias));
  return b.node(
    'Conv',
    inputs,
    {
      kernel_shape: [kh, kw],
      strides,
      dilations: dilation,
      group: ci,
      ...spatialPadding(info, [kh, kw], strides, dilation),
    },
    `${info.name}/depthwise`,
  );
}

function depthwiseConv2d(a: ConvertArgs): string {
  const { b, info, fold } = a;
  info.requireChannelsLast();
  const [, , ci, m] = kernelDims(info, 'depthwise_kernel', 4);
  const y = depthwise(b, info, single(a), 'depthwise_kernel', foldedBias(info, ci * m, fold), fold);
  return applyActivation(b, info, y, info.string('activation', 'linear'));
}

function separableConv2d(a: ConvertArgs): string {
  const { b, info, fold } = a;
  info.requireChannelsLast();
  const d = depthwise(b, info, single(a), 'depthwise_kernel', null, null);
  const [, , cm, co] = kernelDims(info, 'pointwise_kernel', 4);
  const w = hwioToOihw(info.weight('pointwise_kernel').data, 1, 1, cm, co);
  const inputs = [d, b.kernelTensor(`${info.name}/pointwise_W`, [co, cm, 1, 1], w, foldScale(fold))];
  const bias = foldedBias(info, co, fold);
  if (bias) inputs.push(b.floatTensor(`${info.name}/pointwise_B`, [co], bias));
  const y = b.node('Conv', inputs, { kernel_shape: [1, 1] }, `${info.name}/pointwise`);
  return applyActivation(b, info, y, info.string('activation', 'linear'));
}

function conv2dTranspose(a: ConvertArgs): string {
  const { b, info, fold } = a;
  info.requireChannelsLast();
  const dilation = info.pair('dilationRate', [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) info.fail('dilated transposed convolution is not supported');
  const [kh, kw, co, ci] = kernelDims(info, 'kernel', 4); // tfjs stores [kh, kw, out, in]
  const [sh, sw] = info.pair('strides', [1, 1]);
  const padding = info.string('padding', 'valid');
  if (padding !== 'same' && padding !== 'valid') info.fail(`padding "${padding}" is not supported`);
  // tfjs output size is in*s for "same" and in*s + max(k-s, 0) for "valid"; ONNX gives s*(in-1) + k - pads + outpad.
  const th = padding === 'same' ? Math.max(kh - sh, 0) : 0;
  const tw = padding === 'same' ? Math.max(kw - sw, 0) : 0;
  const outPad = [Math.max(sh - kh, 0), Math.max(sw - kw, 0)];
  const pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
  const k = info.weight('kernel').data;
  const bias = foldedBias(info, co, fold);
  const x = single(a);

  if (a.options.transposeAsDepthToSpace && kh === kw && sh === sw && kh === sh && th === 0 && tw === 0) {
    // Kernel == stride: every output pixel receives exactly one input pixel, so the op is a 1x1 conv to
    // co*s*s channels followed by DepthToSpace (CRD order: channel o*s*s + y*s + x).
    const s = sh;
    const w = new Float32Array(co * s * s * ci);
    for (let o = 0; o < co; o++)
      for (let y = 0; y < s; y++)
        for (let xx = 0; xx < s; xx++)
          for (let i = 0; i < ci; i++)
            w[((o * s + y) * s + xx) * ci + i] = k[((y * kw + xx) * co + o) * ci + i];
    // Output row o*s*s + y*s + x belongs to channel o.
    const rowScale = fold
      ? Float64Array.from({ length: co * s * s }, (_, r) => fold.scale[Math.floor(r / (s * s))])
      : null;
    const wName = b.kernelTensor(
      `${info.name}/W`,
      [co * s * s, ci, 1, 1],
      w,
      rowScale && { axis: 0, values: rowScale },
    );
    const inputs = [x, wName];
    if (bias) {
      const rep = new Float32Array(co * s * s);
      for (let i = 0; i < rep.length; i++) rep[i] = bias[Math.floor(i / (s * s))];
      inputs.push(b.floatTensor(`${info.name}/B`, [co * s * s], rep));
    }
    const c = b.node('Conv', inputs, { kernel_shape: [1, 1] }, `${info.name}/conv1x1`);
    const y = b.node('DepthToSpace', [c], { blocksize: s, mode: 'CRD' }, info.name);
    return applyActivation(b, info, y, info.string('activation', 'linear'));
  }

  // ONNX ConvTranspose weight [ci, co, kh, kw].
  const w = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let o = 0; o < co; o++)
        for (let i = 0; i < ci; i++)
          w[((i * co + o) * kh + y) * kw + xx] = k[((y * kw + xx) * co + o) * ci + i];
  const inputs = [x, b.kernelTensor(`${info.name}/W`, [ci, co, kh, kw], w, foldScale(fold, 1))];
  if (bias) inputs.push(b.floatTensor(`${info.name}/B`, [co], bias));
  const attrs: Attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads };
  if (outPad[0] > 0 || outPad[1] > 0) attrs.output_padding = outPad;
  const y = b.node('ConvTranspose', inputs, attrs, info.name);
  return applyActivation(b, info, y, info.string('activation', 'linear'));
}

// ------------------------------------------------------------------ normalisation

function requireChannelAxis(info: LayerInfo): void {
  const axis = info.number('axis', -1);
  if (axis !== -1 && axis !== 3) info.fail(`axis ${axis} is not supported (channels axis -1 only)`);
}

/** Inference-mode batch norm as y = x * scale + shift, computed in float64. */
export function batchNormAffine(info: LayerInfo, channels: number): ChannelAffine {
  requireChannelAxis(info);
  const eps = info.number('epsilon', 1e-3);
  const mean = info.weight('moving_mean').data;
  const variance = info.weight('moving_variance').data;
  const gamma = info.bool('scale', true) ? info.weight('gamma').data : null;
  const beta = info.bool('center', true) ? info.weight('beta').data : null;
  if (mean.length !== channels) info.fail(`has ${mean.length} channels, its input has ${channels}`);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

function batchNormalization(a: ConvertArgs): string {
  const { b, info } = a;
  requireChannelAxis(info);
  const c = a.inputChannels[0];
  const gamma = info.bool('scale', true) ? info.weight('gamma').data : new Float32Array(c).fill(1);
  const beta = info.bool('center', true) ? info.weight('beta').data : new Float32Array(c);
  return b.node(
    'BatchNormalization',
    [
      single(a),
      b.floatTensor(`${info.name}/gamma`, [c], gamma),
      b.floatTensor(`${info.name}/beta`, [c], beta),
      b.floatTensor(`${info.name}/mean`, [c], info.weight('moving_mean').data),
      b.floatTensor(`${info.name}/var`, [c], info.weight('moving_variance').data),
    ],
    { epsilon: { float: info.number('epsilon', 1e-3) } },
    info.name,
  );
}

// ------------------------------------------------------------------ activations as layers

const activationLayer: Converter = (a) =>
  applyActivation(a.b, a.info, single(a), a.info.string('activation'));

const reluLayer: Converter = (a) => {
  const max = a.info.optionalNumber('maxValue');
  return max === null
    ? a.b.node('Relu', [single(a)], {}, a.info.name)
    : clip(a.b, single(a), 0, max, a.info.name);
};

const leakyRelu: Converter = (a) =>
  a.b.node('LeakyRelu', [single(a)], { alpha: { float: a.info.number('alpha', 0.3) } }, a.info.name);

const eluLayer: Converter = (a) =>
  a.b.node('Elu', [single(a)], { alpha: { float: a.info.number('alpha', 1) } }, a.info.name);

const thresholdedRelu: Converter = (a) =>
  a.b.node('ThresholdedRelu', [single(a)], { alpha: { float: a.info.number('theta', 1) } }, a.info.name);

const softmaxLayer: Converter = (a) =>
  a.b.node('Softmax', [single(a)], { axis: nhwcAxisToNchw(a.info, a.info.number('axis', -1)) }, a.info.name);

// ------------------------------------------------------------------ pooling, resampling, padding

function pooling(op: 'MaxPool' | 'AveragePool'): Converter {
  return (a) => {
    const { info } = a;
    info.requireChannelsLast();
    const pool = info.pair('poolSize', [2, 2]);
    const strides = info.pair('strides', pool);
    return a.b.node(
      op,
      [single(a)],
      { kernel_shape: pool, strides, ...spatialPadding(info, pool, strides, [1, 1]) },
      info.name,
    );
  };
}

const upSampling2d: Converter = (a) => {
  const { b, info } = a;
  info.requireChannelsLast();
  const [sh, sw] = info.pair('size', [2, 2]);
  const interpolation = info.string('interpolation', 'nearest');
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
    info.fail(`interpolation "${interpolation}" is not supported`);
  }
  const scales = b.floatTensor(`${info.name}/scales`, [4], new Float32Array([1, 1, sh, sw]));
  // tfjs resizes with alignCorners = false and halfPixelCenters = false: the "asymmetric" transform.
  const attrs: Attrs =
    interpolation === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
  return b.node('Resize', [single(a), '', scales], attrs, info.name);
};

const zeroPadding2d: Converter = (a) => {
  const { b, info } = a;
  info.requireChannelsLast();
  const [[t, bo], [l, r]] = info.pairOfPairs('padding');
  const pads = b.int64Tensor(`${info.name}/pads`, [0, 0, t, l, 0, 0, bo, r]);
  return b.node('Pad', [single(a), pads], { mode: 'constant' }, info.name);
};

const cropping2d: Converter = (a) => {
  const { b, info } = a;
  info.requireChannelsLast();
  const [[t, bo], [l, r]] = info.pairOfPairs('cropping');
  const end = (n: number) => (n === 0 ? Number.MAX_SAFE_INTEGER : -n);
  return b.node(
    'Slice',
    [
      single(a),
      b.int64Tensor(`${info.name}/starts`, [t, l]),
      b.int64Tensor(`${info.name}/ends`, [end(bo), end(r)]),
      b.int64Tensor(`${info.name}/axes`, [2, 3]),
    ],
    {},
    info.name,
  );
};

// ------------------------------------------------------------------ merges

function nhwcAxisToNchw(info: LayerInfo, axis: number): number {
  const a = axis < 0 ? axis + 4 : axis;
  const map = [0, 2, 3, 1];
  if (!(a >= 0 && a < 4)) info.fail(`axis ${axis} is out of range for a rank-4 tensor`);
  return map[a];
}

const concatenate: Converter = (a) =>
  a.b.node('Concat', a.inputs, { axis: nhwcAxisToNchw(a.info, a.info.number('axis', -1)) }, a.info.name);

function chain(op: 'Add' | 'Mul' | 'Max' | 'Min'): Converter {
  return (a) => {
    if (a.inputs.length < 2) a.info.fail('needs at least 2 inputs');
    let acc = a.inputs[0];
    for (let i = 1; i < a.inputs.length; i++) {
      acc = a.b.node(
        op,
        [acc, a.inputs[i]],
        {},
        i === a.inputs.length - 1 ? a.info.name : `${a.info.name}/${i}`,
      );
    }
    return acc;
  };
}

const average: Converter = (a) => a.b.node('Mean', a.inputs, {}, a.info.name);

// ------------------------------------------------------------------ registry

export const CONVERTERS: Record<string, Converter> = {
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  BatchNormalization: batchNormalization,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  ELU: eluLayer,
  ThresholdedReLU: thresholdedRelu,
  Softmax: softmaxLayer,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  UpSampling2D: upSampling2d,
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  Concatenate: concatenate,
  Add: chain('Add'),
  Multiply: chain('Mul'),
  Maximum: chain('Max'),
  Minimum: chain('Min'),
  Average: average,
  ...Object.fromEntries(IDENTITY_CLASSES.map((c) => [c, (a: ConvertArgs) => single(a)])),
};

export const SUPPORTED_LAYER_CLASSES: readonly string[] = ['InputLayer', ...Object.keys(CONVERTERS)].sort();
