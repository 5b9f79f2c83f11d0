import { readFileSync } from 'node:fs';
import { decodeModel } from './main/ml/onnx/onnx-proto.js';
const m = decodeModel(new Uint8Array(readFileSync('/tmp/onnxw/opt.onnx')));
for (const n of m.graph.nodes) console.log(n.opType.padEnd(16), n.inputs.map(s=>s.slice(0,28)).join(' , ').padEnd(110), '->', n.outputs.join(','), n.attributes.filter(a=>a.name==='activation').map(a=>JSON.stringify(a.value)).join(''));
