import * as ort from 'onnxruntime-node';
const files = process.argv.slice(3); const threads = +process.argv[2];
const H = 592, W = 576;
const x = new Float32Array(H * W).map(() => Math.random());
const t = new ort.Tensor('float32', x, [1, H, W, 1]);
const sessions = [];
for (const f of files) sessions.push(await ort.InferenceSession.create(f, { graphOptimizationLevel: 'all', intraOpNumThreads: threads }));
const times = files.map(() => []);
for (const s of sessions) await s.run({ input: t });
for (let r = 0; r < 8; r++) for (let i = 0; i < files.length; i++) { const t0 = performance.now(); await sessions[i].run({ input: t }); times[i].push(performance.now() - t0); }
files.forEach((f, i) => { const a = times[i].sort((p, q) => p - q); console.log(f.split('/').pop().padEnd(20), 'min', a[0].toFixed(1), 'med', a[4].toFixed(1)); });
