// Inference benchmark: median milliseconds per image and peak RSS, each configuration in its own process so
// the peaks do not mix. Usage: npm run bench:infer [-- --runs N --model DIR]
//   Without --model the reference U-Net (depth 4, base 16, ~1.95M parameters) is built with random weights and
//   exported; with --model DIR the directory's model.onnx is used (the bundled default model, for example).
// Input: one 565x584 DRIVE image, preprocessed and zero-padded to 576x592 (a multiple of 2^depth), NHWC.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(import.meta.url);

interface Measurement {
  engine: string;
  threads: number;
  medianMs: number;
  minMs: number;
  peakRssMb: number;
}

function pad(img: { data: Float32Array; width: number; height: number }, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < img.height; y++) out.set(img.data.subarray(y * img.width, (y + 1) * img.width), y * w);
  return out;
}

/** Child: loads the model with `threads`, times `runs` predictions after warm-up, prints one JSON line. */
async function child(onnxPath: string, threads: number, runs: number): Promise<void> {
  const { createOnnxPredictor } = await import('../main/ml/onnx/predictor.js');
  // Only what inference needs is imported here (no tfjs), so the peak RSS is the ONNX engine's.
  const { readBinaryMap, readImage } = await import('../main/ml/image-io.js');
  const { DEFAULT_PREPROCESS, preprocessImage } = await import('../main/ml/preprocess.js');
  const { datasetsRoot } = await import('../main/ml/package-root.js');
  const dir = path.join(datasetsRoot(), 'DRIVE', 'test');
  const image = await readImage(path.join(dir, 'images', '01_test.tif'));
  const fov = await readBinaryMap(path.join(dir, 'mask', '01_test_mask.gif'));
  const img = {
    data: preprocessImage(image, fov, DEFAULT_PREPROCESS),
    width: image.width,
    height: image.height,
  };
  const [W, H] = [Math.ceil(img.width / 16) * 16, Math.ceil(img.height / 16) * 16];
  const x = pad(img, W, H);
  const predictor = await createOnnxPredictor(onnxPath, { threads });
  for (let i = 0; i < 2; i++) await predictor.predict(x, 1, H, W, 1);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await predictor.predict(x, 1, H, W, 1);
    times.push(performance.now() - t0);
  }
  await predictor.dispose();
  times.sort((a, b) => a - b);
  const m: Measurement = {
    engine: 'onnx',
    threads,
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(m) + '\n');
}

async function referenceOnnx(dir: string): Promise<string> {
  const { initTf } = await import('../main/ml/tf.js');
  const { buildUNet, REFERENCE_UNET } = await import('../main/ml/model.js');
  const { exportToOnnx } = await import('../main/ml/onnx/exporter.js');
  const { DEFAULT_PREPROCESS } = await import('../main/ml/preprocess.js');
  const { randomiseStatistics } = await import('../tests/integration/onnx-fixtures.js');
  await initTf('cpu');
  const model = buildUNet(REFERENCE_UNET, 1);
  await randomiseStatistics(model, 1);
  const file = path.join(dir, 'reference-unet.onnx');
  await writeFile(
    file,
    exportToOnnx(model, {
      name: 'reference',
      preprocess: DEFAULT_PREPROCESS,
      threshold: 0.5,
      provenance: { bench: true },
    }),
  );
  process.stdout.write(`reference U-Net: ${model.countParams()} parameters\n`);
  model.dispose();
  return file;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '9' },
      model: { type: 'string' },
      child: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  if (values.child) return child(values.child, Number(values.threads), runs);

  const tmp = await mkdtemp(path.join(tmpdir(), 'retina-bench-infer-'));
  try {
    let onnxPath: string;
    if (values.model) {
      const { readManifest } = await import('../main/ml/model-dir.js');
      const manifest = await readManifest(values.model);
      if (!manifest.onnx) throw new Error(`${values.model} has no ONNX export (run retina export first)`);
      onnxPath = path.join(values.model, manifest.onnx.file);
    } else onnxPath = await referenceOnnx(tmp);

    const rows: Measurement[] = [];
    for (const threads of [1, 2]) {
      const r = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          HERE,
          '--child',
          onnxPath,
          '--threads',
          String(threads),
          '--runs',
          String(runs),
        ],
        { encoding: 'utf8' },
      );
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) throw new Error(`bench child failed: ${r.stderr.trim()}`);
      rows.push(JSON.parse(line) as Measurement);
    }
    process.stdout.write(`565x584 DRIVE image padded to 576x592, ${runs} timed runs each\n`);
    process.stdout.write('engine  threads  median ms  min ms  peak RSS MB  vs onnx/1\n');
    for (const r of rows) {
      process.stdout.write(
        `${r.engine.padEnd(8)}${String(r.threads).padStart(7)}${r.medianMs.toFixed(1).padStart(11)}${r.minMs
          .toFixed(1)
          .padStart(
            8,
          )}${r.peakRssMb.toFixed(0).padStart(13)}${(rows[0].medianMs / r.medianMs).toFixed(2).padStart(11)}x\n`,
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
