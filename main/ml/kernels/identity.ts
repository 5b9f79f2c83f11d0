// Identity for wasm without the copy: the stock kernel duplicates the tensor's memory, and a training step makes
// hundreds of identities (custom gradients, the tape) of full-size activations. Sharing the data with a reference
// count is what the cpu backend (and wasm's own Reshape) do; no wasm kernel writes into its inputs.
import type { BackendWasm, TensorInfo } from '../tf-packages.js';

export const identityConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }: { inputs: Record<string, TensorInfo>; backend: unknown }): TensorInfo => {
    const { x } = inputs;
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
