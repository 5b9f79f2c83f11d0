// Conv2DBackpropFilter for wasm (the stock backend has none):
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sh+kh-pt, ow*sw+kw-pl, ci] * dy[n,oh,ow,co]
// is computed as ONE forward convolution that XNNPACK runs at full speed: batch = (kw,ci), a 1-column image of
// height Hp whose channels are (n,ow), and dy as a [Ho, 1, N*Wo, Co] filter dilated by the row stride:
//   xp[(kw,ci), r, 0, (n,ow)] = x[n, r-pt, ow*sw+kw-pl, ci]   (zero outside the image)
//   out[(kw,ci), kh, 0, co]   = sum_{oh,(n,ow)} xp[(kw,ci), kh+oh*sh, 0, (n,ow)] * dy[n,oh,ow,co]
// The long (n,ow) channel run keeps the convolution's inner loop efficient, and xp is only KW (not KH*KW) times
// the size of x, unlike an im2col matrix.
import { tf, type BackendWasm, type TensorInfo } from '../tf.js';
import { disposeInfos, heapF32, reshapeInfo, runWasmKernel, shape4, transposeInfo, type Attrs } from './wasm-backend.js';

type PadAttr = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

interface Geometry {
  n: number;
  h: number;
  w: number;
  ci: number;
  kw: number;
  hp: number;
  wo: number;
  sw: number;
  top: number;
  left: number;
}

/** Fills xp (layout above) from xT = x transposed to [Ci, H, N, W]. */
function buildShiftedRows(dst: Float32Array, xT: Float32Array, g: Geometry): void {
  const { n, h, w, ci, kw, hp, wo, sw, top, left } = g;
  const rowLen = n * wo;
  for (let j = 0; j < kw; j++) {
    // Output columns whose input column stays inside the image: ow in [lo, hi).
    const lo = Math.min(wo, Math.max(0, Math.ceil((left - j) / sw)));
    const hi = Math.max(lo, Math.min(wo, Math.floor((w - 1 + left - j) / sw) + 1));
    for (let c = 0; c < ci; c++) {
      for (let r = 0; r < hp; r++) {
        const d0 = ((j * ci + c) * hp + r) * rowLen;
        const ih = r - top;
        if (ih < 0 || ih >= h) {
          dst.fill(0, d0, d0 + rowLen);
          continue;
        }
        for (let b = 0; b < n; b++) {
          const d = d0 + b * wo;
          const s0 = ((c * h + ih) * n + b) * w + j - left;
          if (lo > 0) dst.fill(0, d, d + lo);
          if (hi < wo) dst.fill(0, d + hi, d + wo);
          if (sw === 1) {
            for (let ow = lo; ow < hi; ow++) dst[d + ow] = xT[s0 + ow];
          } else {
            for (let ow = lo; ow < hi; ow++) dst[d + ow] = xT[s0 + ow * sw];
          }
        }
      }
    }
  }
}

export function conv2dBackpropFilterWasm(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: BackpropFilterAttrs,
): TensorInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const [n, h, w, ci] = shape4(x, 'Conv2DBackpropFilter x');
  const [kh, kw, , co] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const ho = info.outHeight;
  const wo = info.outWidth;
  const sh = info.strideHeight;
  const hp = (ho - 1) * sh + kh;
  const g: Geometry = { n, h, w, ci, kw, hp, wo, sw: info.strideWidth, top: info.padInfo.top, left: info.padInfo.left };
  const xT = transposeInfo(backend, x, [3, 1, 0, 2]);
  const xp = backend.makeOutput([kw * ci, hp, 1, n * wo], 'float32');
  buildShiftedRows(heapF32(backend, xp), heapF32(backend, xT), g);
  const dyT = transposeInfo(backend, dy, [1, 0, 2, 3]);
  const filter = reshapeInfo(backend, dyT, [ho, 1, n * wo, co]);
  const conv = runWasmKernel(
    backend,
    'Conv2D',
    { x: xp, filter },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, 1] },
  ); // [KW*Ci, KH, 1, Co]
  const conv4 = reshapeInfo(backend, conv, [kw, ci, kh, co]);
  const out = transposeInfo(backend, conv4, [2, 0, 1, 3]);
  disposeInfos(backend, xT, xp, dyT, filter, conv, conv4);
  return out;
}

export const conv2dBackpropFilterConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Attrs }) =>
    conv2dBackpropFilterWasm(backend as BackendWasm, inputs.x, inputs.dy, attrs as unknown as BackpropFilterAttrs),
};
