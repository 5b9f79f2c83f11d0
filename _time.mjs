import * as ort from 'onnxruntime-node';
const [file, threads, level, H, W] = [process.argv[2], +process.argv[3], process.argv[4] ?? 'all', +(process.argv[5] ?? 592), +(process.argv[6] ?? 576)];
const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: level, intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
const x = new Float32Array(H * W).map(() => Math.random());
const t = new ort.Tensor('float32', x, [1, H, W, 1]);
const times = [];
for (let i = 0; i < 6; i++) { const t0 = performance.now(); const r = await s.run({ input: t }); times.push(performance.now() - t0); }
times.sort((a, b) => a - b);
console.log(file.split('/').pop(), 'threads', threads, level, 'median', times[3].toFixed(1), 'min', times[0].toFixed(1), 'rss', (process.resourceUsage().maxRSS / 1024).toFixed(0) + 'MB');
