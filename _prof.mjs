import * as ort from 'onnxruntime-node';
import { readFileSync, readdirSync } from 'node:fs';
const [file, threads] = [process.argv[2], +process.argv[3]];
const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', intraOpNumThreads: threads, enableProfiling: true, profileFilePrefix: '/tmp/onnxw/prof', optimizedModelFilePath: '/tmp/onnxw/opt.onnx' });
const H = 592, W = 576;
const x = new Float32Array(H * W).map(() => Math.random());
const t = new ort.Tensor('float32', x, [1, H, W, 1]);
for (let i = 0; i < 4; i++) await s.run({ input: t });
s.endProfiling();
