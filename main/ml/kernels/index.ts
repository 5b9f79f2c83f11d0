// Registers the project's wasm kernels, replacing the stock ones that are missing, wrong or slow for training.
import { tf } from '../tf-packages.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { resizeNearestGradConfig } from './resize-nearest-grad.js';
import { tileConfig } from './tile.js';
import { batchNormKernelConfigs, patchBatchNormalizationLayer } from './batch-norm.js';
import { registerNativeConvKernels } from './native-conv.js';

export const PROJECT_KERNELS = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  maxPoolGradConfig,
  resizeNearestGradConfig,
  tileConfig,
  identityConfig,
  ...batchNormKernelConfigs,
];

let registered = false;

export function registerProjectKernels(): void {
  if (registered) return;
  for (const config of PROJECT_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config as unknown as tf.KernelConfig);
  }
  patchBatchNormalizationLayer();
  // After the project kernels: the native convolutions fall back to them (and to the stock ones) where needed.
  registerNativeConvKernels();
  registered = true;
}
