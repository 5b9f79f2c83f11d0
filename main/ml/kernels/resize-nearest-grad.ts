// ResizeNearestNeighborGrad for wasm (the stock kernel is wrong for batch > 1): replays the forward mapping of
// every output pixel to its source pixel and accumulates dy there, which is the exact gradient for any sizes.
import { type BackendWasm, type TensorInfo } from '../tf-packages.js';
import { heapF32, shape4, wasmKernel } from './wasm-backend.js';

interface ResizeGradAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Source index of each output row/column, exactly as the forward ResizeNearestNeighbor computes it. */
function sourceIndices(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effIn / effOut;
  const idx = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const frac = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let s = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixelCenters) s = Math.max(0, s);
    idx[o] = s;
  }
  return idx;
}

export function resizeNearestGradWasm(
  backend: BackendWasm,
  images: TensorInfo,
  dy: TensorInfo,
  attrs: ResizeGradAttrs,
): TensorInfo {
  const [n, h, w, c] = shape4(images, 'ResizeNearestNeighborGrad images');
  const [, ho, wo] = shape4(dy, 'ResizeNearestNeighborGrad dy');
  const rows = sourceIndices(h, ho, attrs.alignCorners, attrs.halfPixelCenters);
  const cols = sourceIndices(w, wo, attrs.alignCorners, attrs.halfPixelCenters);
  const out = backend.makeOutput([n, h, w, c], 'float32');
  const dx = heapF32(backend, out);
  const g = heapF32(backend, dy);
  dx.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const rowBase = (b * h + rows[i]) * w;
      for (let j = 0; j < wo; j++) {
        const d0 = (rowBase + cols[j]) * c;
        const s0 = ((b * ho + i) * wo + j) * c;
        for (let k = 0; k < c; k++) dx[d0 + k] += g[s0 + k];
      }
    }
  }
  return out;
}

export const resizeNearestGradConfig = wasmKernel('ResizeNearestNeighborGrad', (backend, inputs, attrs) =>
  resizeNearestGradWasm(backend, inputs.images, inputs.dy, attrs as unknown as ResizeGradAttrs),
);
