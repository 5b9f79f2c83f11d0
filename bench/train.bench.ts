// Training throughput of the reference U-Net: batch 16 of 64x64x1 patches (random data), data-parallel over the
// default worker count, then on one worker for comparison. Prints patches/s (best and median) and ms/step.
// Usage: npm run bench:train [-- --steps N (default 12)]
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createTrainer } from '../main/ml/train/trainer.js';
import { countParameters, REFERENCE_UNET } from '../main/ml/model/model.js';
import { backendLabel } from '../main/ml/tf.js';
import { benchArgs, positiveInt } from './bench-args.js';

const BATCH = 16;
const SIZE = 64;

const USAGE = 'Usage: npm run bench:train [-- --steps N (default 12)]';

/** Deterministic pseudo-random batch: noise images, sparse "vessel" labels, a round field of view. */
function makeBatch(): { x: Float32Array; y: Float32Array; w: Float32Array } {
  const px = BATCH * SIZE * SIZE;
  const x = new Float32Array(px);
  const y = new Float32Array(px);
  const w = new Float32Array(px);
  let s = 12345;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < px; i++) {
    x[i] = rnd() * 2 - 1;
    y[i] = rnd() > 0.88 ? 1 : 0;
    const r = i % SIZE;
    const c = Math.floor(i / SIZE) % SIZE;
    w[i] = (r - 32) ** 2 + (c - 32) ** 2 < 30 ** 2 ? 1 : 0;
  }
  return { x, y, w };
}

async function measure(
  workers: number,
  warmup: number,
  steps: number,
): Promise<{ backend: string; workers: number; ms: number[]; cpuMs: number }> {
  const trainer = await createTrainer({
    architecture: REFERENCE_UNET,
    loss: 'dice+bce',
    learningRate: 1e-3,
    seed: 1,
    workers,
  });
  try {
    const { x, y, w } = makeBatch();
    for (let i = 0; i < warmup; i++) await trainer.trainStep(x, y, w, BATCH, SIZE, SIZE);
    const ms: number[] = [];
    // CPU time of the whole process (all worker threads): a figure the other load on the machine barely moves.
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await trainer.trainStep(x, y, w, BATCH, SIZE, SIZE);
      ms.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      backend: trainer.backend,
      workers: trainer.workers,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000 / steps,
    };
  } finally {
    await trainer.dispose();
  }
}

function report(label: string, r: { workers: number; ms: number[]; cpuMs: number }): number {
  const sorted = [...r.ms].sort((a, b) => a - b);
  const best = sorted[0];
  const median = sorted[Math.floor(sorted.length / 2)];
  const pps = (ms: number): string => ((BATCH * 1000) / ms).toFixed(1);
  console.log(
    `${label.padEnd(22)} workers=${r.workers}  best ${pps(best)} patches/s (${best.toFixed(0)} ms/step)  ` +
      `median ${pps(median)} patches/s (${median.toFixed(0)} ms/step)  steps=${r.ms.length}`,
  );
  // With every worker on a core of its own, a step would take at least its CPU time spread over the workers.
  const idle = (BATCH * 1000 * r.workers) / r.cpuMs;
  console.log(
    `${''.padEnd(22)} cpu ${r.cpuMs.toFixed(0)} ms/step in all threads: ~${idle.toFixed(1)} patches/s on ${r.workers} idle core(s)`,
  );
  return (BATCH * 1000) / median;
}

async function main(): Promise<void> {
  const steps = positiveInt(
    'train',
    USAGE,
    '--steps',
    benchArgs('train', USAGE, { steps: { type: 'string' } }).steps,
    12,
  );
  console.log(
    `reference U-Net: ${countParameters(REFERENCE_UNET).toLocaleString('en')} parameters, batch ${BATCH} x ${SIZE}x${SIZE}x1`,
  );
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const parallel = await measure(Math.min(2, cpus().length), 2, steps);
  console.log(`backend: ${backendLabel(parallel.backend)}`);
  const p = report('data-parallel', parallel);
  const single = await measure(1, 1, Math.max(3, Math.ceil(steps / 2)));
  const s = report('single worker', single);
  console.log(
    `speed-up from ${parallel.workers} workers: ${(p / s).toFixed(2)}x (median); load now ${loadavg()[0].toFixed(2)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
