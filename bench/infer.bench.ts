// Inference benchmark: whole-image segmentation (preprocessing, FOV, network, tiling/blending, threshold) with
// ONNX Runtime at 1 and 2 threads and with tfjs, on a 565x584 DRIVE image and a 3504x2336 (HRF-size) image, for the
// reference U-Net and the bundled default model. Each configuration runs in its own process so peak RSS is its own.
// Usage: npm run bench:infer [-- --runs N --no-tfjs-large --only reference|default]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(import.meta.url);

interface Measurement {
  model: string;
  image: string;
  engine: string;
  threads: number;
  runs: number;
  medianMs: number;
  networkMs: number;
  peakRssMb: number;
}

async function child(
  modelDir: string,
  label: string,
  imagePath: string,
  engine: 'onnx' | 'tfjs',
  threads: number,
  runs: number,
) {
  const { openModel } = await import('../main/ml/model-loader.js');
  const { readImage } = await import('../main/ml/image-io.js');
  const { segmentImage } = await import('../main/ml/infer.js');
  const { deriveFov } = await import('../main/ml/fov.js');
  const { preprocessImage } = await import('../main/ml/preprocess.js');
  const image = await readImage(imagePath);
  const model = await openModel(modelDir, { engine, threads });
  const whole: number[] = [];
  const network: number[] = [];
  // The network alone on the padded image (small images run as one pass).
  const m = 2 ** model.manifest.architecture.depth;
  const [W, H] = [Math.ceil(image.width / m) * m, Math.ceil(image.height / m) * m];
  const single = W * H <= 1_200_000;
  const padded = new Float32Array(W * H);
  if (single) {
    const x = preprocessImage(image, deriveFov(image), model.manifest.preprocess);
    for (let y = 0; y < image.height; y++)
      padded.set(x.subarray(y * image.width, (y + 1) * image.width), y * W);
  }
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    await segmentImage(image, model.manifest, model.predictor);
    if (i > 0) whole.push(performance.now() - t0); // the first run warms up
    if (single) {
      const t1 = performance.now();
      await model.predictor.predict(padded, 1, H, W, 1);
      if (i > 0) network.push(performance.now() - t1);
    }
  }
  await model.predictor.dispose();
  const median = (a: number[]) => (a.length ? [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] : NaN);
  const r: Measurement = {
    model: label,
    image: `${image.width}x${image.height}`,
    engine,
    threads: engine === 'onnx' ? threads : 1,
    runs,
    medianMs: median(whole),
    networkMs: median(network),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(r) + '\n');
}

async function referenceModelDir(dir: string): Promise<string> {
  const { initTf } = await import('../main/ml/tf.js');
  const { buildUNet, REFERENCE_UNET } = await import('../main/ml/model.js');
  const { exportModelDir } = await import('../main/ml/onnx/export-model-dir.js');
  const { randomiseStatistics, testManifest, writeTestModelDir } =
    await import('../tests/integration/onnx-fixtures.js');
  await initTf('cpu');
  const model = buildUNet(REFERENCE_UNET, 1);
  await randomiseStatistics(model, 1);
  const out = path.join(dir, 'reference');
  await writeTestModelDir(out, model, {
    ...testManifest(REFERENCE_UNET, 'reference-unet'),
    parameters: model.countParams(),
  });
  await exportModelDir(out);
  model.dispose();
  return out;
}

async function largeImage(dir: string): Promise<string> {
  const sharp = (await import('sharp')).default;
  const { datasetsRoot } = await import('../main/ml/package-root.js');
  const out = path.join(dir, 'hrf-size.png');
  await sharp(path.join(datasetsRoot(), 'DRIVE', 'test', 'images', '01_test.tif'))
    .resize(3504, 2336, { fit: 'fill' })
    .png({ compressionLevel: 1 })
    .toFile(out);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '7' },
      'no-tfjs-large': { type: 'boolean' },
      only: { type: 'string' },
      child: { type: 'string' },
      label: { type: 'string' },
      image: { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  if (values.child) {
    return child(
      values.child,
      values.label!,
      values.image!,
      values.engine as 'onnx' | 'tfjs',
      Number(values.threads),
      runs,
    );
  }
  const { datasetsRoot, packageRoot } = await import('../main/ml/package-root.js');
  const tmp = await mkdtemp(path.join(tmpdir(), 'retina-bench-infer-'));
  try {
    const models: [string, string][] =
      values.only === 'default' ? [] : [['reference U-Net', await referenceModelDir(tmp)]];
    const bundled = path.join(packageRoot(), 'resources', 'models', 'default');
    if (values.only === 'reference') process.stdout.write('(--only reference: default model rows skipped)\n');
    else if (existsSync(path.join(bundled, 'model.onnx'))) models.push(['default model', bundled]);
    else process.stdout.write('(no bundled default model with an ONNX export: its rows are skipped)\n');
    const images: [string, string, number][] = [
      ['drive', path.join(datasetsRoot(), 'DRIVE', 'test', 'images', '01_test.tif'), runs],
      ['large', await largeImage(tmp), Math.max(1, Math.ceil(runs / 3))],
    ];
    const rows: Measurement[] = [];
    for (const [label, dir] of models) {
      for (const [kind, image, n] of images) {
        for (const [engine, threads] of [
          ['onnx', 1],
          ['onnx', 2],
          ['tfjs', 1],
        ] as const) {
          if (engine === 'tfjs' && kind === 'large' && values['no-tfjs-large']) continue;
          const r = spawnSync(
            process.execPath,
            [
              ...process.execArgv,
              HERE,
              '--child',
              dir,
              '--label',
              label,
              '--image',
              image,
              '--engine',
              engine,
              '--threads',
              String(threads),
              '--runs',
              String(engine === 'tfjs' && kind === 'large' ? 1 : n),
            ],
            {
              encoding: 'utf8',
              env: {
                ...process.env,
                RETINA_BACKEND: engine === 'tfjs' ? (process.env.RETINA_BACKEND ?? '') : '',
              },
            },
          );
          const line = r.stdout.trim().split('\n').pop() ?? '';
          if (r.status !== 0 || !line.startsWith('{'))
            throw new Error(`bench child failed: ${r.stderr.trim().split('\n').pop()}`);
          const m = JSON.parse(line) as Measurement;
          rows.push(m);
          process.stderr.write(
            `  ${m.model} ${m.image} ${m.engine}/${m.threads}: ${m.medianMs.toFixed(0)} ms\n`,
          );
        }
      }
    }
    process.stdout.write(
      '\nWhole-image segmentation (preprocessing + FOV + network + blending + threshold), median of the timed runs\n',
    );
    process.stdout.write('network = the network alone on the padded image (single-pass sizes only)\n\n');
    process.stdout.write(
      'model            image      engine   thr  runs  median ms  network ms  peak RSS MB  time vs onnx/2\n',
    );
    for (const r of rows) {
      const base = rows.find(
        (b) => b.model === r.model && b.image === r.image && b.engine === 'onnx' && b.threads === 2,
      );
      const ratio = base ? r.medianMs / base.medianMs : NaN;
      process.stdout.write(
        `${r.model.padEnd(17)}${r.image.padEnd(11)}${r.engine.padEnd(9)}${String(r.threads).padStart(3)}${String(r.runs).padStart(6)}` +
          `${r.medianMs.toFixed(1).padStart(11)}${(r.networkMs == null || Number.isNaN(r.networkMs) ? '-' : r.networkMs.toFixed(1)).padStart(12)}` +
          `${r.peakRssMb.toFixed(0).padStart(13)}${ratio.toFixed(2).padStart(15)}x\n`,
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
