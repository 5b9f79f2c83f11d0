// Small helpers for kernels that run on the wasm backend: calling the backend's own kernels directly (no engine,
// no tape, no Tensor wrappers) and reading/writing tensor memory on the wasm heap.
import { tf, type BackendWasm, type TensorInfo } from '../tf-packages.js';

export type Attrs = Record<string, unknown>;

/** A kernel config for the wasm backend: `run` gets the backend typed and the attributes (never undefined). */
export function wasmKernel(
  kernelName: string,
  run: (backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: Attrs) => TensorInfo | TensorInfo[],
) {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({
      inputs,
      backend,
      attrs,
    }: {
      inputs: Record<string, TensorInfo>;
      backend: unknown;
      attrs?: Attrs;
    }) => run(backend as BackendWasm, inputs, attrs ?? {}),
  };
}
type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Runs the kernel registered for wasm under `name` (the stock one unless the project replaced it). */
export function runWasmKernel(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Attrs = {},
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const args: KernelArgs = { inputs, attrs: attrs as tf.NamedAttrMap, backend };
  const out = kernel.kernelFunc(args);
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

export function disposeInfos(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A float32 view of a tensor's memory. Any allocation on the heap may grow (and detach) it, so take views only
 * after the last `makeOutput` of a kernel.
 */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** The wasm memory as it is now: any allocation may grow it and replace the buffer, so read it per call. */
export function heapBuffer(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}

export function reshapeInfo(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel(backend, 'Reshape', { x }, { shape });
}

export function transposeInfo(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

export type Shape4 = [number, number, number, number];

export function shape4(info: TensorInfo, what: string): Shape4 {
  if (info.shape.length !== 4) throw new Error(`${what} must be rank 4, got shape [${info.shape.join(',')}]`);
  return info.shape as Shape4;
}
