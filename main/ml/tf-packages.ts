// The one module that imports the TensorFlow.js packages (core, layers and the cpu and wasm backends, which
// register themselves on import). The project's wasm kernels (kernels/) build on it directly; the rest of the
// engine goes through tf.ts, which chooses the backend and registers those kernels, so no import circles back.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';

export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
export type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
export { tf, tfl };
export type Tensor = tf.Tensor;
export type Tensor4D = tf.Tensor4D;
export type Scalar = tf.Scalar;
export type TensorInfo = tf.TensorInfo;
export type LayersModel = tfl.LayersModel;
export type SymbolicTensor = tfl.SymbolicTensor;
