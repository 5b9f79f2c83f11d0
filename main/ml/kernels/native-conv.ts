// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter (plus Concat and SplitV) for the wasm backend,
// computed by the native addon directly on the wasm heap (inputs read and outputs written in place, no copies).
// Registered over the kernels already in place, which stay the fallback for what the addon does not cover (NCHW,
// activations other than linear/relu, non-float32 tensors). Batch norm and MaxPoolGrad call the addon from their
// own project kernels.
import { tf, type BackendWasm, type TensorInfo } from '../tf-packages.js';
import { nativeKernels, type NativeConvGeometry, type NativeKernels } from './native-addon.js';
import { heapBuffer, heapOffset } from './wasm-backend.js';
import { nativeConcat, nativeSplitV } from './native-concat.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Shape4 = [number, number, number, number];
type PadAttr = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type RoundingMode = Parameters<typeof tf.backend_util.computeConv2DInfo>[5];

interface ConvAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: RoundingMode;
  activation?: string;
  filterShape?: Shape4;
  inputShape?: Shape4;
}

function isRank4Float(...infos: TensorInfo[]): boolean {
  return infos.every((t) => t.shape.length === 4 && t.dtype === 'float32' && t.shape.every((d) => d > 0));
}

/** Native geometry of conv2d(x: inShape, filter: filterShape), or null where the addon does not apply. */
function geometry(inShape: Shape4, filterShape: Shape4, a: ConvAttrs): NativeConvGeometry | null {
  if (a.dataFormat === 'NCHW') return null;
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
  );
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0 || info.outHeight <= 0 || info.outWidth <= 0) return null;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    top,
    left,
    info.outHeight,
    info.outWidth,
  ];
}

type Fallback = (args: KernelArgs) => TensorInfo | TensorInfo[];

function conv2dForward(addon: NativeKernels, fallback: Fallback, fused: boolean) {
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    const activation = fused ? (attrs.activation ?? 'linear') : 'linear';
    if (!x || !filter || !isRank4Float(x, filter)) return fallback(args);
    if (preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return fallback(args);
    const co = filter.shape[3];
    if (bias && !(bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === co))
      return fallback(args);
    const g = geometry(x.shape as Shape4, filter.shape as Shape4, attrs);
    if (!g) return fallback(args);
    const out = backend.makeOutput([g[0], g[13], g[14], co], 'float32');
    addon.conv2d(
      heapBuffer(backend),
      g,
      heapOffset(backend, x),
      heapOffset(backend, filter),
      bias ? heapOffset(backend, bias) : -1,
      heapOffset(backend, out),
      activation === 'relu',
    );
    return out;
  };
}

function conv2dBackpropInput(addon: NativeKernels, fallback: Fallback) {
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const { dy, filter } = args.inputs as Record<string, TensorInfo>;
    const attrs = args.attrs as unknown as ConvAttrs;
    const inputShape = attrs.inputShape;
    if (!inputShape || !isRank4Float(dy, filter) || inputShape.some((d) => d <= 0)) return fallback(args);
    const g = geometry(inputShape, filter.shape as Shape4, { ...attrs, dilations: 1 });
    if (!g || g[13] !== dy.shape[1] || g[14] !== dy.shape[2] || g[6] !== dy.shape[3]) return fallback(args);
    const out = backend.makeOutput([...inputShape], 'float32');
    addon.conv2dBackpropInput(
      heapBuffer(backend),
      g,
      heapOffset(backend, dy),
      heapOffset(backend, filter),
      heapOffset(backend, out),
    );
    return out;
  };
}

function conv2dBackpropFilter(addon: NativeKernels, fallback: Fallback) {
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const { x, dy } = args.inputs as Record<string, TensorInfo>;
    const attrs = args.attrs as unknown as ConvAttrs;
    const filterShape = attrs.filterShape;
    if (!filterShape || !isRank4Float(x, dy) || filterShape.some((d) => d <= 0)) return fallback(args);
    const g = geometry(x.shape as Shape4, filterShape, { ...attrs, dilations: 1 });
    if (!g || g[13] !== dy.shape[1] || g[14] !== dy.shape[2] || g[6] !== dy.shape[3]) return fallback(args);
    const out = backend.makeOutput([...filterShape], 'float32');
    addon.conv2dBackpropFilter(
      heapBuffer(backend),
      g,
      heapOffset(backend, x),
      heapOffset(backend, dy),
      heapOffset(backend, out),
    );
    return out;
  };
}

const NATIVE_KERNELS: Record<string, (addon: NativeKernels, fallback: Fallback) => tf.KernelFunc> = {
  Conv2D: (addon, fallback) => conv2dForward(addon, fallback, false),
  FusedConv2D: (addon, fallback) => conv2dForward(addon, fallback, true),
  Conv2DBackpropInput: conv2dBackpropInput,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Concat: nativeConcat,
  SplitV: nativeSplitV,
};

let active = false;

/**
 * Puts the native convolutions in front of the wasm backend's current ones (call after the project's own wasm
 * kernels are registered: they become the fallback). Returns false, changing nothing, without the addon.
 */
export function registerNativeConvKernels(): boolean {
  if (active) return true;
  const addon = nativeKernels();
  if (!addon) return false;
  for (const [name, make] of Object.entries(NATIVE_KERNELS)) {
    const previous = tf.getKernel(name, 'wasm');
    if (!previous)
      throw new Error(`wasm kernel ${name} is not registered; cannot place the native one before it`);
    const fallback: Fallback = (args) => previous.kernelFunc(args);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(addon, fallback) });
  }
  active = true;
  return true;
}

/** Whether the wasm backend's convolutions are the native ones. */
export function nativeConvKernelsActive(): boolean {
  return active;
}
