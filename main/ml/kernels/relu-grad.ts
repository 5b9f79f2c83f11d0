// ReLU gradient as one pass (dx = x > 0 ? dy : 0) instead of step + multiply over full-size tensors. The
// gradient override is global in tfjs, so it keeps the stock formula on every backend but wasm.
import { tf, type BackendWasm, type Tensor, type TensorInfo } from '../tf.js';
import { heapF32, type Attrs } from './wasm-backend.js';

export const RELU_GRAD = 'RetinaReluGrad';

function reluGrad({ inputs, backend }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Attrs }): TensorInfo {
  const b = backend as BackendWasm;
  const { dy, x } = inputs;
  const out = b.makeOutput(x.shape, 'float32');
  const d = heapF32(b, out);
  const g = heapF32(b, dy);
  const xs = heapF32(b, x);
  for (let i = 0; i < d.length; i++) d[i] = xs[i] > 0 ? g[i] : 0;
  return out;
}

export const reluGradKernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad };

export const reluGradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved;
    const g = dy as Tensor;
    return {
      x: () =>
        tf.getBackend() === 'wasm' && x.dtype === 'float32'
          ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as Tensor)
          : tf.mul(g, tf.step(tf.cast(x, 'float32'))),
    };
  },
};
