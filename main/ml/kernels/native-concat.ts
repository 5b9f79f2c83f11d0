// Concat and SplitV for wasm as strided row copies in native code. The U-Net concatenates every skip connection
// along channels, and the stock kernels copy such channel slices in many tiny pieces (Concat) or through the
// generic Slice (SplitV, the gradient of Concat); both cost more than some of the convolutions.
import { tf, type BackendWasm, type TensorInfo } from '../tf-packages.js';
import type { NativeKernels } from './native-addon.js';
import { heapBuffer, heapOffset } from './wasm-backend.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Fallback = (args: KernelArgs) => TensorInfo | TensorInfo[];

const product = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

export function nativeConcat(addon: NativeKernels, fallback: Fallback) {
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const inputs = Object.values(args.inputs as Record<string, TensorInfo>);
    const first = inputs[0];
    if (!first || inputs.some((t) => t.dtype !== 'float32' || t.shape.length !== first.shape.length))
      return fallback(args);
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, first.shape)[0];
    const outer = product(first.shape.slice(0, axis));
    const inners = inputs.map((t) => product(t.shape.slice(axis)));
    const sameOuter = inputs.every((t) => product(t.shape.slice(0, axis)) === outer);
    if (!sameOuter || outer === 0 || inners.some((v) => v === 0)) return fallback(args);
    const outShape = [...first.shape];
    outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
    const out = backend.makeOutput(outShape, 'float32');
    const total = inners.reduce((a, b) => a + b, 0);
    const heap = heapBuffer(backend);
    let col = 0;
    inputs.forEach((t, i) => {
      addon.copyRows(
        heap,
        heapOffset(backend, t),
        inners[i],
        heapOffset(backend, out) + 4 * col,
        total,
        outer,
        inners[i],
      );
      col += inners[i];
    });
    return out;
  };
}

export function nativeSplitV(addon: NativeKernels, fallback: Fallback) {
  return (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const { x } = args.inputs as Record<string, TensorInfo>;
    const { numOrSizeSplits, axis: axisAttr } = args.attrs as {
      numOrSizeSplits: number | number[];
      axis: number;
    };
    if (x.dtype !== 'float32') return fallback(args);
    const axis = tf.util.parseAxisParam(axisAttr, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, axis);
    const outer = product(x.shape.slice(0, axis));
    const unit = product(x.shape.slice(axis + 1));
    if (outer === 0 || unit === 0 || sizes.some((s) => s <= 0)) return fallback(args);
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      return backend.makeOutput(shape, 'float32');
    });
    const heap = heapBuffer(backend);
    const total = x.shape[axis] * unit;
    let col = 0;
    outs.forEach((o, i) => {
      const len = sizes[i] * unit;
      addon.copyRows(heap, heapOffset(backend, x) + 4 * col, total, heapOffset(backend, o), len, outer, len);
      col += len;
    });
    return outs;
  };
}
