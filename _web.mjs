import * as ortw from 'onnxruntime-web';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
ortw.env.wasm.numThreads = 1;
ortw.env.wasm.wasmPaths = pathToFileURL(process.cwd() + '/node_modules/onnxruntime-web/dist/').href;
const s = await ortw.InferenceSession.create(readFileSync('/tmp/onnxw/ref-d2s.onnx'), { executionProviders: ['wasm'] });
const x = new Float32Array(64*64).fill(0.3);
const r = await s.run({ input: new ortw.Tensor('float32', x, [1, 64, 64, 1]) });
console.log(r.output.dims, r.output.data.slice(0, 4));
