// Conv2DBackpropInput for wasm: the input gradient of conv2d and the forward pass of conv2dTranspose. The stock
// kernel is a naive loop (~10x slower than a forward convolution); here it becomes XNNPACK work:
//  - kernel == stride, no padding (2x2 stride-2 up-convolution): one matmul [N*H*W, Co] x [Co, s*s*Ci] followed
//    by depth-to-space; exact, since every output pixel receives exactly one tap;
//  - otherwise: a stride-1 forward convolution of dy (dilated by the stride when s > 1, and padded) with the
//    spatially flipped filter whose in/out channels are swapped.
import { tf, type BackendWasm, type TensorInfo } from '../tf-packages.js';
import {
  disposeInfos,
  heapF32,
  reshapeInfo,
  runWasmKernel,
  shape4,
  transposeInfo,
  type Attrs,
  wasmKernel,
} from './wasm-backend.js';

type PadAttr =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** Wf[i,j,co,ci] = W[KH-1-i, KW-1-j, ci, co] (the stock Reverse kernel is slow on large filters). */
function flippedSwappedFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = shape4(filter, 'filter');
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const dst = heapF32(backend, out);
  const src = heapF32(backend, filter);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const s0 = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      const d0 = (i * kw + j) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) dst[d0 + o * ci + c] = src[s0 + c * co + o];
      }
    }
  }
  return out;
}

/** out[n, h*s+a, w*s+b, c] = x[n, h, w, (a*s+b)*C + c] (the stock DepthToSpace is slow). */
function depthToSpace(backend: BackendWasm, x: TensorInfo, s: number): TensorInfo {
  const [n, h, w, d] = shape4(x, 'x');
  const c = d / (s * s);
  const out = backend.makeOutput([n, h * s, w * s, c], 'float32');
  const dst = heapF32(backend, out);
  const src = heapF32(backend, x);
  const ws = w * s;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const s0 = ((b * h + i) * w + j) * d;
        for (let a = 0; a < s; a++) {
          for (let e = 0; e < s; e++) {
            const d0 = ((b * h * s + i * s + a) * ws + j * s + e) * c;
            const sa = s0 + (a * s + e) * c;
            for (let k = 0; k < c; k++) dst[d0 + k] = src[sa + k];
          }
        }
      }
    }
  }
  return out;
}

/** Writes dy into a zero buffer of shape [N,Hp,Wp,C] with rows/cols spaced by the stride and offset by the pad. */
function dilateAndPad(
  backend: BackendWasm,
  dy: TensorInfo,
  sh: number,
  sw: number,
  offTop: number,
  offLeft: number,
  hp: number,
  wp: number,
): TensorInfo {
  const [n, ho, wo, c] = shape4(dy, 'dy');
  const out = backend.makeOutput([n, hp, wp, c], 'float32');
  const dst = heapF32(backend, out);
  const src = heapF32(backend, dy);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const r = offTop + i * sh;
      if (r < 0 || r >= hp) continue;
      for (let j = 0; j < wo; j++) {
        const q = offLeft + j * sw;
        if (q < 0 || q >= wp) continue;
        const s0 = ((b * ho + i) * wo + j) * c;
        const d0 = ((b * hp + r) * wp + q) * c;
        for (let k = 0; k < c; k++) dst[d0 + k] = src[s0 + k];
      }
    }
  }
  return out;
}

function upconvAsMatmul(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, s: number): TensorInfo {
  const [n, ho, wo, co] = shape4(dy, 'dy');
  const [, , ci] = shape4(filter, 'filter');
  // Wm[co, (a*s+b)*Ci + ci] = W[a,b,ci,co], the channel order DepthToSpace expects.
  const wt = transposeInfo(backend, filter, [3, 0, 1, 2]);
  const wm = reshapeInfo(backend, wt, [co, s * s * ci]);
  const dy2 = reshapeInfo(backend, dy, [n * ho * wo, co]);
  const prod = runWasmKernel(
    backend,
    'BatchMatMul',
    { a: dy2, b: wm },
    { transposeA: false, transposeB: false },
  );
  const prod4 = reshapeInfo(backend, prod, [n, ho, wo, s * s * ci]);
  const out = depthToSpace(backend, prod4, s);
  disposeInfos(backend, wt, wm, dy2, prod, prod4);
  return out;
}

export function conv2dBackpropInputWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: BackpropInputAttrs,
): TensorInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (wasm): only NHWC is supported');
  const [n, h, w, ci] = attrs.inputShape;
  const [kh, kw] = shape4(filter, 'filter');
  const [, ho, wo] = shape4(dy, 'dy');
  const info = tf.backend_util.computeConv2DInfo(
    [n, h, w, ci],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  if (sh === kh && sw === kw && sh === sw && top === 0 && left === 0 && ho * sh === h && wo * sw === w) {
    return upconvAsMatmul(backend, dy, filter, sh);
  }
  const wf = flippedSwappedFilter(backend, filter);
  const convAttrs = (pad: Attrs['pad']): Attrs => ({
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
  });
  // Equivalent stride-1 convolution: pad (k-1-pt) before, (H - Hd + pt) after, over dy dilated by the stride.
  const hd = (ho - 1) * sh + 1;
  const wd = (wo - 1) * sw + 1;
  const pt = kh - 1 - top;
  const pl = kw - 1 - left;
  const pb = h - hd + top;
  const pr = w - wd + left;
  let out: TensorInfo;
  if (sh === 1 && sw === 1 && pt >= 0 && pl >= 0 && pb >= 0 && pr >= 0) {
    const pad = [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ];
    out = runWasmKernel(backend, 'Conv2D', { x: dy, filter: wf }, convAttrs(pad));
  } else {
    const padded = dilateAndPad(backend, dy, sh, sw, pt, pl, h + kh - 1, w + kw - 1);
    out = runWasmKernel(backend, 'Conv2D', { x: padded, filter: wf }, convAttrs('valid'));
    disposeInfos(backend, padded);
  }
  disposeInfos(backend, wf);
  return out;
}

export const conv2dBackpropInputConfig = wasmKernel('Conv2DBackpropInput', (backend, inputs, attrs) =>
  conv2dBackpropInputWasm(backend, inputs.dy, inputs.filter, attrs as unknown as BackpropInputAttrs),
);
