// Loads the optional native training kernels (native/, built by `npm run build:native`). Absent, unloadable or
// disabled with RETINA_NATIVE=0, the engine keeps the wasm kernels; nothing here imports TensorFlow.js.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../node/package-root.js';

export type NativeIsa = 'avx512' | 'avx2' | 'scalar';

/** [n, h, w, ci, kh, kw, co, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW] */
export type NativeConvGeometry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** The addon's functions. Offsets are byte offsets into `heap` (the wasm memory); -1 for an absent bias. */
export interface NativeKernels {
  conv2d(
    heap: ArrayBuffer,
    geometry: NativeConvGeometry,
    xOff: number,
    wOff: number,
    biasOff: number,
    yOff: number,
    relu: boolean,
  ): void;
  conv2dBackpropInput(
    heap: ArrayBuffer,
    geometry: NativeConvGeometry,
    dyOff: number,
    wOff: number,
    dxOff: number,
  ): void;
  conv2dBackpropFilter(
    heap: ArrayBuffer,
    geometry: NativeConvGeometry,
    xOff: number,
    dyOff: number,
    dwOff: number,
  ): void;
  /** Per-channel batch mean and biased variance of x [rows, channels]. */
  bnMoments(
    heap: ArrayBuffer,
    xOff: number,
    rows: number,
    channels: number,
    meanOff: number,
    varOff: number,
  ): void;
  /** y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, per channel. */
  bnNormalize(
    heap: ArrayBuffer,
    xOff: number,
    rows: number,
    channels: number,
    meanOff: number,
    varOff: number,
    gammaOff: number,
    betaOff: number,
    epsilon: number,
    yOff: number,
  ): void;
  /** Training-mode batch-norm gradients w.r.t. x, gamma and beta. */
  bnTrainGrad(
    heap: ArrayBuffer,
    dyOff: number,
    xOff: number,
    rows: number,
    channels: number,
    meanOff: number,
    varOff: number,
    gammaOff: number,
    epsilon: number,
    dxOff: number,
    dgammaOff: number,
    dbetaOff: number,
  ): void;
  /** Copies `rows` rows of `len` floats; strides in floats, offsets in bytes (Concat and SplitV along any axis). */
  copyRows(
    heap: ArrayBuffer,
    srcOff: number,
    srcStride: number,
    dstOff: number,
    dstStride: number,
    rows: number,
    len: number,
  ): void;
  /** Max-pool gradient; geometry [n, h, w, c, filterH, filterW, strideH, strideW, padTop, padLeft, outH, outW]. */
  maxPoolGrad(heap: ArrayBuffer, xOff: number, dyOff: number, dxOff: number, geometry: number[]): void;
  /** The instruction set this thread's calls use. */
  isa(): NativeIsa;
  /** Every instruction set this CPU can run, best first. */
  availableIsas(): NativeIsa[];
  /** Switches this thread's instruction set ('auto': the best); for tests. */
  useIsa(isa: NativeIsa | 'auto'): void;
}

export const NATIVE_ADDON_PATH = join('native', 'build', 'Release', 'retina_native.node');

let loaded: { kernels: NativeKernels | null; reason: string } | null = null;

function load(): { kernels: NativeKernels | null; reason: string } {
  if (process.env.RETINA_NATIVE === '0') return { kernels: null, reason: 'disabled by RETINA_NATIVE=0' };
  const file = join(packageRoot(), NATIVE_ADDON_PATH);
  if (!existsSync(file)) return { kernels: null, reason: `${file} not built (npm run build:native)` };
  try {
    const kernels = createRequire(import.meta.url)(file) as NativeKernels;
    return { kernels, reason: '' };
  } catch (err) {
    return {
      kernels: null,
      reason: `${file} failed to load: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** The native kernels, or null (see nativeUnavailableReason). Loaded once per thread. */
export function nativeKernels(): NativeKernels | null {
  loaded ??= load();
  return loaded.kernels;
}

/** Why nativeKernels() is null; empty when they are available. */
export function nativeUnavailableReason(): string {
  loaded ??= load();
  return loaded.reason;
}
