// Conv2DBackpropFilter for wasm (the stock backend has none):
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sh+kh-pt, ow*sw+kw-pl, ci] * dy[n,oh,ow,co]
// is itself a forward convolution once batch and channels swap roles: x as Ci images [Ci,H,W,N] with N channels,
// dy as a [Ho,Wo,N,Co] filter dilated by the stride; the output [Ci,KH,KW,Co] is transposed to the filter layout.
// XNNPACK does all the arithmetic. (Measured against im2col + matmul and a row-wise variant with (n,w) channels:
// this was fastest at batch 8 and 16, the others pay for building their operands in JS and for weight packing.)
import { tf, type BackendWasm, type TensorInfo } from '../tf-packages.js';
import { disposeInfos, runWasmKernel, shape4, transposeInfo, wasmKernel } from './wasm-backend.js';

type PadAttr =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilterWasm(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: BackpropFilterAttrs,
): TensorInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const [n, h, w, ci] = shape4(x, 'Conv2DBackpropFilter x');
  const [kh, kw] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    [n, h, w, ci],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0) throw new Error('Conv2DBackpropFilter (wasm): negative padding');
  // Bottom/right padding that makes the swapped convolution's output exactly KH x KW; negative means trailing
  // rows/columns of x that no output reads: crop them.
  const bottom = kh + (ho - 1) * sh - h - top;
  const right = kw + (wo - 1) * sw - w - left;
  const xs =
    bottom < 0 || right < 0
      ? runWasmKernel(
          backend,
          'Slice',
          { x },
          { begin: [0, 0, 0, 0], size: [n, h + Math.min(bottom, 0), w + Math.min(right, 0), ci] },
        )
      : x;
  const xt = transposeInfo(backend, xs, [3, 1, 2, 0]);
  const dyt = transposeInfo(backend, dy, [1, 2, 0, 3]);
  const pad = [
    [0, 0],
    [top, Math.max(bottom, 0)],
    [left, Math.max(right, 0)],
    [0, 0],
  ];
  const swapped = runWasmKernel(
    backend,
    'Conv2D',
    { x: xt, filter: dyt },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [sh, sw] },
  );
  const out = transposeInfo(backend, swapped, [1, 2, 0, 3]);
  disposeInfos(backend, xt, dyt, swapped);
  if (xs !== x) disposeInfos(backend, xs);
  return out;
}

export const conv2dBackpropFilterConfig = wasmKernel('Conv2DBackpropFilter', (backend, inputs, attrs) =>
  conv2dBackpropFilterWasm(backend, inputs.x, inputs.dy, attrs as unknown as BackpropFilterAttrs),
);
