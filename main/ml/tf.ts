// The engine's entry to TensorFlow.js: everything in the engine but the kernels gets `tf` (core ops) and `tfl`
// (layers) from here, so the backend choice and the project's wasm kernels are set up in one place. The packages
// themselves are imported in tf-packages.ts, which the kernels use, so loading them here never circles back.
import { createRequire } from 'node:module';
import path from 'node:path';
import { setWasmPaths, tf, tfl } from './tf-packages.js';
import { nativeKernels } from './kernels/native-addon.js';

export { tf, tfl };
export type {
  BackendWasm,
  LayersModel,
  Scalar,
  SymbolicTensor,
  Tensor,
  Tensor4D,
  TensorInfo,
} from './tf-packages.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface TfHandle {
  tf: typeof tf;
  tfl: typeof tfl;
  backend: BackendName;
}

let initialised: Promise<TfHandle> | null = null;
let initialisedFor: BackendName | undefined;

function backendFromEnv(): BackendName | undefined {
  const v = process.env.RETINA_BACKEND?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'tensorflow' || v === 'wasm' || v === 'cpu') return v;
  throw new Error(`RETINA_BACKEND=${v} is not one of tensorflow, wasm, cpu`);
}

/** Native TensorFlow, when the optional @tensorflow/tfjs-node is installed (it is not on the build machine). */
async function tryTensorflow(): Promise<boolean> {
  try {
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const require = createRequire(import.meta.url);
    const simd = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
    setWasmPaths(path.dirname(simd) + path.sep);
    const { registerProjectKernels } = await import('./kernels/index.js');
    registerProjectKernels();
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function choose(prefer: BackendName | undefined): Promise<BackendName> {
  const forced = backendFromEnv() ?? prefer;
  const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && (await tryTensorflow())) return name;
    if (name === 'wasm' && (await tryWasm())) return name;
    if (name === 'cpu' && (await tf.setBackend('cpu'))) return name;
  }
  throw new Error(`TensorFlow.js backend ${forced} could not be initialised`);
}

/**
 * Picks the fastest available backend: native TensorFlow, else wasm with the project kernels, else the pure-JS
 * cpu backend (fine for inference, far too slow for training). RETINA_BACKEND overrides `prefer`.
 */
export function initTf(prefer?: BackendName): Promise<TfHandle> {
  if (initialised && initialisedFor === prefer) return initialised;
  initialisedFor = prefer;
  initialised = (async () => {
    tf.env().set('PROD', true);
    const backend = await choose(prefer);
    return { tf: tf, tfl: tfl, backend };
  })();
  initialised.catch(() => {
    initialised = null;
  });
  return initialised;
}

/**
 * A backend name for reports: 'wasm+native(avx512)' when the wasm backend's hot kernels run in the project's
 * native addon (the name itself stays 'wasm' everywhere else, since callers branch on it).
 */
export function backendLabel(backend: string): string {
  const addon = backend === 'wasm' ? nativeKernels() : null;
  return addon ? `wasm+native(${addon.isa()})` : backend;
}

/** Switches the active backend (tests compare wasm against cpu in one process). */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm') {
    if (!(await tryWasm())) throw new Error('the wasm backend could not be initialised');
  } else if (!(await tf.setBackend(name))) {
    throw new Error(`the ${name} backend could not be initialised`);
  }
}
