// MaxPoolGrad for wasm. The stock kernel mis-routes the gradient when a window's maximum is <= 0; this one sends
// each dy to the first position holding the window's maximum, like the cpu backend, for any values.
import { tf, type BackendWasm, type TensorInfo } from '../tf-packages.js';
import { nativeKernels } from './native-addon.js';
import { heapBuffer, heapF32, heapOffset, shape4, wasmKernel } from './wasm-backend.js';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGradWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  input: TensorInfo,
  attrs: MaxPoolGradAttrs,
): TensorInfo {
  const [n, h, w, c] = shape4(input, 'MaxPoolGrad input');
  const info = tf.backend_util.computePool2DInfo(
    [n, h, w, c],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const {
    outHeight: ho,
    outWidth: wo,
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: fh,
    filterWidth: fw,
  } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput([n, h, w, c], 'float32');
  const addon = nativeKernels();
  if (addon && top >= 0 && left >= 0 && n * h * w * c > 0 && ho > 0 && wo > 0) {
    const geometry = [n, h, w, c, fh, fw, sh, sw, top, left, ho, wo];
    const off = (t: TensorInfo): number => heapOffset(backend, t);
    addon.maxPoolGrad(heapBuffer(backend), off(input), off(dy), off(out), geometry);
    return out;
  }
  const dx = heapF32(backend, out);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  dx.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const r0 = i * sh - top;
      const rs = Math.max(0, r0);
      const re = Math.min(h, r0 + fh);
      for (let j = 0; j < wo; j++) {
        const q0 = j * sw - left;
        const qs = Math.max(0, q0);
        const qe = Math.min(w, q0 + fw);
        const go = ((b * ho + i) * wo + j) * c;
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let at = -1;
          for (let r = rs; r < re; r++) {
            for (let q = qs; q < qe; q++) {
              const idx = ((b * h + r) * w + q) * c + k;
              const v = x[idx];
              // `at < 0` also catches windows of NaN or -Infinity, which still own their gradient.
              if (v > best || at < 0) {
                best = v;
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] += g[go + k];
        }
      }
    }
  }
  return out;
}

export const maxPoolGradConfig = wasmKernel('MaxPoolGrad', (backend, inputs, attrs) =>
  maxPoolGradWasm(backend, inputs.dy, inputs.input, attrs as unknown as MaxPoolGradAttrs),
);
