// Inference benchmark: whole-image segmentation (preprocessing, FOV, network, tiling/blending, threshold) with
// ONNX Runtime at 1 and 2 threads and with tfjs, on a 565x584 DRIVE image and a 3504x2336 (HRF-size) image, for the
// reference U-Net and the bundled default model. Each configuration runs in its own process so peak RSS is its own.
// Then end to end as `retina segment` runs it (decode the file -> segmentImage -> both PNGs written, the CLI's
// engine, threads and the manifest's test-time flips) with the default model on DRIVE 565x584, the 1411x1411 sample
// JPEG and a synthetic 3504x2336 JPEG. Figures only, nothing is asserted.
// Usage: npm run bench:infer [-- --runs N --no-tfjs-large --only reference|default|e2e]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, oneOf, positiveInt } from './bench-args.js';

const HERE = fileURLToPath(import.meta.url);

interface Measurement {
  model: string;
  image: string;
  engine: string;
  threads: number;
  runs: number;
  medianMs: number;
  /** The same whole-image run with the uncertainty estimate (NaN: the model has no uncertainty head). */
  uncertaintyMs: number;
  networkMs: number;
  peakRssMb: number;
}

interface EndToEnd {
  image: string;
  input: string;
  engine: string;
  threads: number;
  flips: boolean;
  runs: number;
  openMs: number;
  firstMs: number;
  decodeMs: number;
  segmentMs: number;
  writeMs: number;
  medianMs: number;
  peakRssMb: number;
}

const median = (a: number[]): number =>
  a.length ? [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] : NaN;

async function child(
  modelDir: string,
  label: string,
  imagePath: string,
  engine: 'onnx' | 'tfjs',
  threads: number,
  runs: number,
) {
  const { openModel } = await import('../main/ml/model/model-loader.js');
  const { readImage } = await import('../main/ml/io/image-io.js');
  const { segmentImage } = await import('../main/ml/infer.js');
  const { deriveFov } = await import('../main/ml/image/fov.js');
  const { preprocessImage } = await import('../main/ml/image/preprocess.js');
  const image = await readImage(imagePath);
  const model = await openModel(modelDir, { engine, threads });
  const whole: number[] = [];
  const withUncertainty: number[] = [];
  const network: number[] = [];
  const hasHead = model.manifest.uncertainty !== undefined;
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
    if (hasHead) {
      // The same run with the uncertainty map and quality scores (issue 14's goal: at most +40%).
      const tu = performance.now();
      await segmentImage(image, model.manifest, model.predictor, { uncertainty: true });
      if (i > 0) withUncertainty.push(performance.now() - tu);
    }
    if (single) {
      const t1 = performance.now();
      await model.predictor.predict(padded, 1, H, W, 1);
      if (i > 0) network.push(performance.now() - t1);
    }
  }
  await model.predictor.dispose();
  const r: Measurement = {
    model: label,
    image: `${image.width}x${image.height}`,
    engine,
    threads: engine === 'onnx' ? threads : 1,
    runs,
    medianMs: median(whole),
    uncertaintyMs: median(withUncertainty),
    networkMs: median(network),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** One end-to-end configuration: the same calls, in the same order, as main/cli/segment-command.ts. */
async function e2eChild(
  modelDir: string,
  input: string,
  imagePath: string,
  outDir: string,
  threads: number,
  runs: number,
) {
  const { openModel } = await import('../main/ml/model/model-loader.js');
  const { readImage, writePng } = await import('../main/ml/io/image-io.js');
  const { segmentImage, probabilityImage, maskImage } = await import('../main/ml/infer.js');
  const t = performance.now();
  const model = await openModel(modelDir, { threads }); // the engine the CLI would pick
  const openMs = performance.now() - t;
  const stem = path.basename(imagePath, path.extname(imagePath));
  const stages = {
    decode: [] as number[],
    segment: [] as number[],
    write: [] as number[],
    total: [] as number[],
  };
  let firstMs = NaN;
  let size = '';
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const image = await readImage(imagePath);
    const t1 = performance.now();
    const seg = await segmentImage(image, model.manifest, model.predictor);
    const t2 = performance.now();
    await writePng(path.join(outDir, `${stem}_prob.png`), probabilityImage(seg));
    await writePng(path.join(outDir, `${stem}_mask.png`), maskImage(seg));
    const t3 = performance.now();
    size = `${image.width}x${image.height}`;
    // The first run is what a one-image `retina segment` pays (cold caches); it is shown apart, not in the median.
    if (i === 0) firstMs = t3 - t0;
    else {
      stages.decode.push(t1 - t0);
      stages.segment.push(t2 - t1);
      stages.write.push(t3 - t2);
      stages.total.push(t3 - t0);
    }
  }
  await model.predictor.dispose();
  const r: EndToEnd = {
    image: size,
    input,
    engine: model.predictor.engine,
    threads: model.predictor.engine === 'onnx' ? threads : 1,
    flips: model.manifest.testTimeFlips ?? false,
    runs,
    openMs,
    firstMs,
    decodeMs: median(stages.decode),
    segmentMs: median(stages.segment),
    writeMs: median(stages.write),
    medianMs: median(stages.total),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** Runs this file as a child process and returns the JSON line it prints last. */
function runChild(args: string[], backend: string): string {
  const r = spawnSync(process.execPath, [...process.execArgv, HERE, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RETINA_BACKEND: backend },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    throw new Error(`bench child failed: ${r.stderr.trim().split('\n').pop()}`);
  return line;
}

async function referenceModelDir(dir: string): Promise<string> {
  const { initTf } = await import('../main/ml/tf.js');
  const { buildUNet, REFERENCE_UNET } = await import('../main/ml/model/model.js');
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
  const { datasetsRoot } = await import('../main/node/package-root.js');
  const out = path.join(dir, 'hrf-size.png');
  await sharp(path.join(datasetsRoot(), 'DRIVE', 'test', 'images', '01_test.tif'))
    .resize(3504, 2336, { fit: 'fill' })
    .png({ compressionLevel: 1 })
    .toFile(out);
  return out;
}

/** A camera-size JPEG: the 1411x1411 sample upsampled and padded with black to a 3:2 frame, as a wide sensor
 * frames a round aperture (synthetic: no real 3504x2336 photograph ships with the project). */
async function syntheticCameraJpeg(dir: string, sample: string): Promise<string> {
  const sharp = (await import('sharp')).default;
  const out = path.join(dir, 'synthetic-3504x2336.jpg');
  await sharp(sample)
    .resize(3504, 2336, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 90 })
    .toFile(out);
  return out;
}

const ONLY = ['reference', 'default', 'e2e'] as const;
const USAGE =
  'Usage: npm run bench:infer [-- --runs N (default 7)] [--no-tfjs-large] [--only reference|default|e2e]';

async function main(): Promise<void> {
  // --child, --label, ... are how the bench runs each configuration in a process of its own.
  const values = benchArgs('infer', USAGE, {
    runs: { type: 'string', default: '7' },
    'no-tfjs-large': { type: 'boolean' },
    only: { type: 'string' },
    child: { type: 'string' },
    label: { type: 'string' },
    image: { type: 'string' },
    engine: { type: 'string' },
    threads: { type: 'string' },
    e2e: { type: 'boolean' },
    out: { type: 'string' },
  });
  const runs = positiveInt('infer', USAGE, '--runs', values.runs, 7);
  if (values.child && values.e2e) {
    return e2eChild(values.child, values.label!, values.image!, values.out!, Number(values.threads), runs);
  }
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
  const only = oneOf('infer', USAGE, 'only', values.only, ONLY);
  const { datasetsRoot, packageRoot, samplesDir } = await import('../main/node/package-root.js');
  const drive = path.join(datasetsRoot(), 'DRIVE', 'test', 'images', '01_test.tif');
  const haveDrive = existsSync(drive);
  if (!haveDrive) process.stdout.write(`(no DRIVE at ${drive}: the rows on DRIVE images are skipped)\n`);
  const tmp = await mkdtemp(path.join(tmpdir(), 'retina-bench-infer-'));
  try {
    // Whole-image rows (segmentImage alone) need DRIVE: both of their images come from it.
    const wholeImage = haveDrive && only !== 'e2e';
    const models: [string, string][] =
      wholeImage && only !== 'default' ? [['reference U-Net', await referenceModelDir(tmp)]] : [];
    const bundled = path.join(packageRoot(), 'resources', 'models', 'default');
    const haveBundled = existsSync(path.join(bundled, 'model.onnx'));
    if (only === 'reference') process.stdout.write('(--only reference: default model rows skipped)\n');
    else if (!haveBundled)
      process.stdout.write('(no bundled default model with an ONNX export: its rows are skipped)\n');
    else if (wholeImage) models.push(['default model', bundled]);
    const images: [string, string, number][] = wholeImage
      ? [
          ['drive', drive, runs],
          ['large', await largeImage(tmp), Math.max(1, Math.ceil(runs / 3))],
        ]
      : [];
    const rows: Measurement[] = [];
    for (const [label, dir] of models) {
      for (const [kind, image, n] of images) {
        for (const [engine, threads] of [
          ['onnx', 1],
          ['onnx', 2],
          ['tfjs', 1],
        ] as const) {
          if (engine === 'tfjs' && kind === 'large' && values['no-tfjs-large']) continue;
          const line = runChild(
            [
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
            engine === 'tfjs' ? (process.env.RETINA_BACKEND ?? '') : '',
          );
          const m = JSON.parse(line) as Measurement;
          rows.push(m);
          process.stderr.write(
            `  ${m.model} ${m.image} ${m.engine}/${m.threads}: ${m.medianMs.toFixed(0)} ms\n`,
          );
        }
      }
    }

    const e2eRows: EndToEnd[] = [];
    const e2eThreads = availableParallelism(); // the CLI's default --threads
    if (haveBundled && (only === undefined || only === 'e2e')) {
      const sample = path.join(samplesDir(), 'fundus-normal-left-eye-cc0.jpg');
      const outDir = path.join(tmp, 'e2e-out');
      await mkdir(outDir, { recursive: true });
      const few = Math.max(1, Math.ceil(runs / 3));
      const inputs: [string, string, number][] = [
        ...(haveDrive ? [['DRIVE 01_test.tif', drive, runs] as [string, string, number]] : []),
        ['sample JPEG', sample, few],
        ['synthetic JPEG *', await syntheticCameraJpeg(tmp, sample), few],
      ];
      for (const [input, image, n] of inputs) {
        const line = runChild(
          [
            '--child',
            bundled,
            '--e2e',
            '--label',
            input,
            '--image',
            image,
            '--out',
            outDir,
            '--threads',
            String(e2eThreads),
            '--runs',
            String(n),
          ],
          '',
        );
        const m = JSON.parse(line) as EndToEnd;
        e2eRows.push(m);
        process.stderr.write(`  end to end ${m.input} ${m.image}: ${m.medianMs.toFixed(0)} ms\n`);
      }
    } else if (only === 'e2e' && !haveBundled) {
      process.stdout.write(
        '(--only e2e needs the bundled default model with an ONNX export: nothing to run)\n',
      );
    }

    if (rows.length) printWholeImage(rows);
    if (e2eRows.length) printEndToEnd(e2eRows);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function uncertaintyCells(r: Measurement): string {
  if (r.uncertaintyMs == null || Number.isNaN(r.uncertaintyMs))
    return `${'-'.padStart(17)}${'-'.padStart(6)}`;
  const more = (r.uncertaintyMs / r.medianMs - 1) * 100;
  return `${r.uncertaintyMs.toFixed(1).padStart(17)}${`${more >= 0 ? '+' : ''}${more.toFixed(0)}%`.padStart(6)}`;
}

function printWholeImage(rows: Measurement[]): void {
  process.stdout.write(
    '\nWhole-image segmentation (preprocessing + FOV + network + blending + threshold), median of the timed runs\n',
  );
  process.stdout.write(
    'network = the network alone on the padded image (single-pass sizes only); +uncertainty = the same run with ' +
      'the uncertainty map, expected F1 and gap check (goal: at most +40%)\n\n',
  );
  process.stdout.write(
    'model            image      engine   thr  runs  median ms  +uncertainty ms  (+%)  network ms  peak RSS MB  time vs onnx/2\n',
  );
  for (const r of rows) {
    const base = rows.find(
      (b) => b.model === r.model && b.image === r.image && b.engine === 'onnx' && b.threads === 2,
    );
    const ratio = base ? r.medianMs / base.medianMs : NaN;
    process.stdout.write(
      `${r.model.padEnd(17)}${r.image.padEnd(11)}${r.engine.padEnd(9)}${String(r.threads).padStart(3)}${String(r.runs).padStart(6)}` +
        `${r.medianMs.toFixed(1).padStart(11)}${uncertaintyCells(r)}${(r.networkMs == null || Number.isNaN(r.networkMs) ? '-' : r.networkMs.toFixed(1)).padStart(12)}` +
        `${r.peakRssMb.toFixed(0).padStart(13)}${ratio.toFixed(2).padStart(15)}x\n`,
    );
  }
  // Issue 14's goal row by row: both times and their ratio, said plainly.
  for (const r of rows) {
    if (r.uncertaintyMs == null || Number.isNaN(r.uncertaintyMs)) continue;
    const ratio = r.uncertaintyMs / r.medianMs;
    process.stdout.write(
      `uncertainty, ${r.model} ${r.image} ${r.engine}/${r.threads}: ${r.medianMs.toFixed(0)} ms -> ` +
        `${r.uncertaintyMs.toFixed(0)} ms = ${ratio.toFixed(2)}x (goal <= 1.40x: ${ratio <= 1.4 ? 'met' : 'not met'})\n`,
    );
  }
}

function printEndToEnd(rows: EndToEnd[]): void {
  process.stdout.write(
    '\nEnd to end, default model, as `retina segment` runs it: decode the file -> segmentImage -> probability and ' +
      'mask PNGs written\n',
  );
  process.stdout.write(
    'stage columns and total = median of the timed runs; first = the cold first run (one-image CLI call), ' +
      'open = model load, both outside the median\n\n',
  );
  process.stdout.write(
    'input              image      engine   thr  flips  runs  decode ms  segment ms  write ms  total ms  first ms  open ms  peak RSS MB\n',
  );
  const ms = (x: number, w: number): string => x.toFixed(0).padStart(w);
  for (const r of rows) {
    process.stdout.write(
      `${r.input.padEnd(19)}${r.image.padEnd(11)}${r.engine.padEnd(9)}${String(r.threads).padStart(3)}` +
        `${(r.flips ? 'yes' : 'no').padStart(7)}${String(r.runs).padStart(6)}${ms(r.decodeMs, 11)}${ms(r.segmentMs, 12)}` +
        `${ms(r.writeMs, 10)}${ms(r.medianMs, 10)}${ms(r.firstMs, 10)}${ms(r.openMs, 9)}${ms(r.peakRssMb, 13)}\n`,
    );
  }
  if (rows.some((r) => r.input.endsWith('*')))
    process.stdout.write(
      '* synthetic: the 1411x1411 sample upsampled to 2336x2336 and padded with black to 3504x2336 (JPEG q90); ' +
        'no real photograph of that size ships with the project\n',
    );
}

await main();
