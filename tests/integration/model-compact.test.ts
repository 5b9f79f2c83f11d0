// `retina compact` on a real model directory: float16 tfjs weights and a float16 ONNX export that halve the
// files, tfjs and ONNX Runtime (native and web) still agreeing on real DRIVE crops, predictions that barely
// move, idempotence, fine-tuning from the compact files, and failures that leave the directory untouched.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { buildUNet, REFERENCE_UNET } from '../../main/ml/model/model.js';
import { initTf, type LayersModel, type SymbolicTensor } from '../../main/ml/tf.js';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { roundToFloat16 } from '../../main/ml/io/float16.js';
import {
  FLOAT16_MIN_VALUES,
  compactModelDir,
  shouldHalve,
  type CompactResult,
} from '../../main/ml/model/model-compact.js';
import { artifactsToModel, readArtifacts } from '../../main/ml/train/model-files.js';
import { createTfjsPredictor, createTrainer } from '../../main/ml/train/trainer.js';
import { exportModelDir } from '../../main/ml/onnx/export-model-dir.js';
import { exportToOnnx, type OnnxExportOptions } from '../../main/ml/onnx/exporter.js';
import { createOnnxPredictorForModelDir } from '../../main/ml/onnx/predictor.js';
import { decodeModel } from '../../main/ml/onnx/onnx-proto.js';
import { DEFAULT_PREPROCESS } from '../../main/ml/image/preprocess.js';
import type { ModelManifest } from '../../main/ml/types.js';
import {
  datasetsRoot,
  driveCrops,
  drivePreprocessed,
  randomiseStatistics,
  repoRoot,
  testManifest,
  writeTestModelDir,
} from './onnx-fixtures.js';

const TOL = 1e-4;
const FLOAT16 = 10;
const cfg = { ...REFERENCE_UNET, depth: 3, baseFilters: 8 };
const [N, H, W] = [3, 48, 64];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function tfjsForward(model: LayersModel, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const { tf } = await initTf('cpu');
  return tf.tidy(
    () => (model.predict(tf.tensor(x, shape)) as ReturnType<typeof tf.tensor>).dataSync() as Float32Array,
  );
}

/** Every entry under `dir`, temporaries included: relative path -> bytes (directories: path + '/' -> empty). */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (entry.isDirectory()) out.set(`${rel}/`, Buffer.alloc(0));
    else out.set(rel, await readFile(path.join(dir, rel)));
  }
  return out;
}

describe('model compaction (float16 weights)', () => {
  let tmp = '';
  let dir = '';
  let original: LayersModel;
  let initial: Map<string, Buffer>;
  let result: CompactResult;
  let x: Float32Array;

  before(async () => {
    await initTf('cpu');
    tmp = await mkdtemp(path.join(tmpdir(), 'retina-compact-'));
    dir = path.join(tmp, 'model');
    original = buildUNet(cfg, 4);
    await randomiseStatistics(original, 9);
    await writeTestModelDir(dir, original, testManifest(cfg, 'compact-test'));
    await exportModelDir(dir);
    initial = await snapshot(dir);
    x = await driveCrops(N, H, W);
    result = await compactModelDir(dir);
  });
  after(async () => {
    original.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  test('halves the tfjs and ONNX files and records the compaction', async () => {
    assert.equal(result.changed, true);
    const f = (name: string) => initial.get(name)!.length;
    assert.equal(result.before.tfjsBytes, f('tfjs/model.json') + f('tfjs/weights.bin'));
    assert.equal(result.before.onnxBytes, f('model.onnx'));
    // Not quite half: in this small network the tensors kept float32 are ~9% of the weights (~1% in the
    // reference U-Net).
    assert.ok(result.after.tfjsBytes < 0.6 * result.before.tfjsBytes, JSON.stringify(result));
    assert.ok(result.after.onnxBytes < 0.6 * result.before.onnxBytes, JSON.stringify(result));
    const specs = (await readArtifacts(path.join(dir, 'tfjs'))).weightSpecs;
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const expectedBytes = specs.reduce((sum, s) => sum + size(s.shape) * (shouldHalve(s) ? 2 : 4), 0);
    assert.equal((await readFile(path.join(dir, 'tfjs/weights.bin'))).length, expectedBytes);

    const manifest = await readManifest(dir);
    assert.equal(manifest.weightsFloat16, true);
    assert.equal(manifest.onnx?.weightType, 'float16');
    const old = JSON.parse(initial.get('retina-model.json')!.toString('utf8')) as ModelManifest;
    const { weightsFloat16: _flag, onnx: _record, ...rest } = manifest;
    const { onnx: _oldRecord, ...oldRest } = old;
    assert.deepEqual(rest, oldRest); // nothing else changed
    assert.deepEqual([...(await snapshot(dir)).keys()].sort(), [
      'model.onnx',
      'retina-model.json',
      'tfjs/',
      'tfjs/model.json',
      'tfjs/weights.bin',
    ]); // no temporaries left

    // tfjs' own float16 format for large tensors; the rest stays float32.
    for (const s of specs) {
      if (size(s.shape) >= FLOAT16_MIN_VALUES)
        assert.deepEqual(s.quantization, { dtype: 'float16', original_dtype: 'float32' });
      else assert.equal(s.quantization, undefined, s.name);
    }
    assert.equal(result.float16Tensors, specs.filter(shouldHalve).length);
    assert.ok(result.float16Tensors >= 8, `${result.float16Tensors} float16 tensors`);
    const onnx = decodeModel(new Uint8Array(await readFile(path.join(dir, 'model.onnx'))));
    const halves = onnx.graph.initializers.filter((t) => t.dataType === FLOAT16);
    assert.equal(onnx.metadata.weight_type, 'float16');
    assert.ok(halves.length >= result.float16Tensors, `${halves.length} float16 initialisers`);
    // What stays float32 is small: biases, folded batch-norm factors, the kernels tfjs kept float32.
    for (const t of onnx.graph.initializers.filter((i) => i.dataType !== FLOAT16)) {
      assert.ok(size(t.dims) < FLOAT16_MIN_VALUES, `${t.name} [${t.dims}] is not float16`);
    }
  });

  test('tfjs and ONNX Runtime agree on DRIVE crops; predictions move little from float32', async (t) => {
    const tfjs = await createTfjsPredictor(path.join(dir, 'tfjs'));
    const onnx = await createOnnxPredictorForModelDir(dir, { threads: 1 });
    try {
      const viaTfjs = await tfjs.predict(x, N, H, W, 1);
      const viaOnnx = await onnx.predict(x, N, H, W, 1);
      const parity = maxAbsDiff(viaTfjs, viaOnnx);
      assert.ok(parity <= TOL, `tfjs vs ONNX after compaction: ${parity}`);
      const ref = await tfjsForward(original, x, [N, H, W, 1]);
      let mid = 0;
      for (const v of ref) if (v > 0.02 && v < 0.98) mid++;
      assert.ok(mid > ref.length * 0.05, 'outputs are informative');
      const change = maxAbsDiff(ref, viaTfjs);
      t.diagnostic(
        `max |p_float16 - p_float32| = ${change.toExponential(3)}, tfjs vs ONNX ${parity.toExponential(3)}`,
      );
      assert.ok(change > 0, 'the weights were rounded');
      assert.ok(change < 5e-3, `compaction moved a probability by ${change}`);
      assert.ok(
        result.probeMaxAbsDiff > 0 && result.probeMaxAbsDiff < 5e-3,
        `probe ${result.probeMaxAbsDiff}`,
      );
    } finally {
      await tfjs.dispose();
      await onnx.dispose();
    }
  });

  test('ONNX Runtime folds the float16 casts at load: the optimised graph holds float32 weights only', async () => {
    const stored = decodeModel(new Uint8Array(await readFile(path.join(dir, 'model.onnx')))).graph.nodes;
    assert.ok(
      stored.some((n) => n.opType === 'Cast') && stored.some((n) => n.opType === 'Mul'),
      'casts to fold',
    );
    const optimised = path.join(tmp, 'optimised.onnx');
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
      graphOptimizationLevel: 'basic',
      optimizedModelFilePath: optimised,
      intraOpNumThreads: 1,
    });
    await session.release();
    const graph = decodeModel(new Uint8Array(await readFile(optimised))).graph;
    assert.deepEqual(
      graph.nodes.filter((n) => n.opType === 'Cast' || n.opType === 'Mul').map((n) => n.name),
      [],
    );
    assert.ok(
      graph.initializers.every((i) => i.dataType !== FLOAT16),
      'float16 initialisers left',
    );
  });

  test('the compact file runs in onnxruntime-web (wasm) with the same results', async () => {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('onnxruntime-web')) + path.sep;
    const ortWeb = await import('onnxruntime-web');
    ortWeb.env.wasm.numThreads = 1;
    ortWeb.env.wasm.wasmPaths = pathToFileURL(dist).href;
    const bytes = new Uint8Array(await readFile(path.join(dir, 'model.onnx')));
    const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const crop = x.subarray(0, H * W);
    const out = (await session.run({ input: new ortWeb.Tensor('float32', crop, [1, H, W, 1]) })).output;
    await session.release();
    const compact = await artifactsToModel(await readArtifacts(path.join(dir, 'tfjs')));
    const ref = await tfjsForward(compact, crop, [1, H, W, 1]);
    compact.dispose();
    const diff = maxAbsDiff(ref, out.data as Float32Array);
    assert.ok(diff <= TOL, `onnxruntime-web vs tfjs ${diff}`);
  });

  test('compacting twice is a no-op, through the CLI too; forcing it rewrites identical bytes', async () => {
    const compacted = await snapshot(dir);
    const again = await compactModelDir(dir);
    assert.equal(again.changed, false);
    assert.deepEqual(again.after, result.after);
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'main/cli/main.ts'), 'compact', '--model', dir, '--json'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as CompactResult).changed, false);
    const forced = await compactModelDir(dir, { force: true });
    assert.equal(forced.changed, true);
    assert.equal(forced.probeMaxAbsDiff, 0);
    assert.deepEqual(await snapshot(dir), compacted);
    // `retina export` of a compact model keeps it compact (and reads the float16 tfjs files).
    const record = await exportModelDir(dir);
    assert.equal(record.weightType, 'float16');
    assert.deepEqual(await snapshot(dir), compacted);
  });

  test('the compact tfjs files load into the trainer for fine-tuning', async () => {
    const compactWeights = await readArtifacts(path.join(dir, 'tfjs'));
    assert.ok(
      compactWeights.weightData.byteLength < initial.get('tfjs/weights.bin')!.length * 0.6,
      'compact',
    );
    const trainer = await createTrainer({
      architecture: cfg,
      loss: 'dice',
      learningRate: 1e-3,
      seed: 1,
      workers: 1,
    });
    try {
      await trainer.loadModel(path.join(dir, 'tfjs'));
      // The trainer holds exactly the rounded kernels and the untouched float32 vectors.
      const loaded = await trainer.getWeights();
      const originalByName = new Map(original.weights.map((v) => [v.originalName, v]));
      let off = 0;
      for (const spec of loaded.specs) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        const got = loaded.data.subarray(off, off + size);
        off += size;
        const src = originalByName.get(spec.name);
        assert.ok(src, spec.name);
        const values = src.read().dataSync() as Float32Array;
        const want = shouldHalve({ dtype: 'float32', shape: spec.shape }) ? roundToFloat16(values) : values;
        assert.deepEqual(got, want, spec.name);
      }
      // One real fine-tuning step on a DRIVE crop and its manual annotation.
      const img = await drivePreprocessed('01');
      const mask = await readBinaryMap(
        path.join(datasetsRoot, 'DRIVE', 'test', '1st_manual', '01_manual1.gif'),
      );
      const s = 64;
      const [x0, y0] = [200, 250];
      const xb = new Float32Array(s * s);
      const yb = new Float32Array(s * s);
      for (let yy = 0; yy < s; yy++)
        for (let xx = 0; xx < s; xx++) {
          xb[yy * s + xx] = img.data[(y0 + yy) * img.width + x0 + xx];
          yb[yy * s + xx] = mask.data[(y0 + yy) * mask.width + x0 + xx];
        }
      assert.ok(
        yb.some((v) => v === 1),
        'the crop holds vessels',
      );
      const { loss } = await trainer.trainStep(xb, yb, null, 1, s, s);
      assert.ok(Number.isFinite(loss) && loss > 0 && loss < 1, `loss ${loss}`);
      const after = await trainer.getWeights();
      assert.ok(maxAbsDiff(after.data, loaded.data) > 0, 'the step changed the weights');
    } finally {
      await trainer.dispose();
    }
  });

  test('a weight float16 cannot hold fails with one line and leaves the directory as it was', async () => {
    const badDir = path.join(tmp, 'bad');
    const model = buildUNet(cfg, 5);
    const { tf } = await initTf('cpu');
    const kernel = model.getLayer('bottleneck_conv1').getWeights()[0];
    const big = kernel.dataSync().slice();
    big[7] = 1e6;
    model
      .getLayer('bottleneck_conv1')
      .setWeights([
        tf.tensor(big, kernel.shape),
        ...model.getLayer('bottleneck_conv1').getWeights().slice(1),
      ]);
    await writeTestModelDir(badDir, model, testManifest(cfg, 'bad'));
    await exportModelDir(badDir);
    model.dispose();
    const snap = await snapshot(badDir);
    await assert.rejects(compactModelDir(badDir), (err: Error) => {
      assert.equal(err.name, 'ModelCompactError');
      assert.match(
        err.message,
        /^weight bottleneck_conv1\/kernel: value 1000000 cannot be stored as float16/,
      );
      assert.equal(err.message.includes('\n'), false);
      return true;
    });
    assert.deepEqual(await snapshot(badDir), snap); // unchanged, no temporaries
  });
});

describe('float16 ONNX export of every kernel converter', () => {
  test('rounded weights: tfjs and ONNX Runtime agree with folding, DepthToSpace and concat splitting on or off', async () => {
    const { tfl } = await initTf('cpu');
    const L = tfl.layers;
    const inp = tfl.input({ shape: [null, null, 1] });
    const ap = (
      layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown },
      t: SymbolicTensor | SymbolicTensor[],
    ) => layer.apply(t) as SymbolicTensor;
    const a = ap(
      L.batchNormalization(),
      ap(L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same' }), inp),
    );
    const b = ap(
      L.batchNormalization(),
      ap(L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }), a),
    );
    const c = ap(
      L.batchNormalization(),
      ap(L.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' }), b),
    );
    const d = ap(
      L.batchNormalization(),
      ap(L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), c),
    );
    const e = ap(
      L.batchNormalization(),
      ap(L.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2 }), ap(L.maxPooling2d({}), d)),
    );
    const cat = ap(L.concatenate(), [e, b]);
    const out = ap(
      L.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }),
      ap(L.batchNormalization(), ap(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), cat)),
    );
    const model = tfl.model({ inputs: inp, outputs: out });
    await randomiseStatistics(model, 3);
    const meta = { preprocess: DEFAULT_PREPROCESS, threshold: 0.5, provenance: null };
    // The export never rounds: kernels that are not exact halves stay float32.
    const unrounded = decodeModel(exportToOnnx(model, meta, { weightType: 'float16' })).graph.initializers;
    assert.deepEqual(
      unrounded.filter((t) => t.dataType === FLOAT16).map((t) => t.name),
      [],
    );
    // Every kernel rounded (these are all below the size compaction would halve).
    const { tf } = await initTf('cpu');
    for (const layer of model.layers) {
      const ws = layer.getWeights();
      layer.setWeights(ws.map((w) => (w.rank >= 2 ? tf.tensor(roundToFloat16(w.dataSync()), w.shape) : w)));
    }
    const rounded = model;
    const xs = await driveCrops(2, 32, 40);
    const ref = await tfjsForward(rounded, xs, [2, 32, 40, 1]);
    const mid = ref.filter((p) => p > 0.02 && p < 0.98).length;
    assert.ok(mid > ref.length * 0.05, `only ${mid}/${ref.length} outputs away from 0 and 1`);
    const variants: OnnxExportOptions[] = [
      {},
      { foldBatchNorm: false },
      { transposeAsDepthToSpace: false, splitConcat: false },
    ];
    for (const v of variants) {
      const bytes = exportToOnnx(rounded, meta, { ...v, weightType: 'float16' });
      const kernels = decodeModel(bytes).graph.initializers.filter(
        (t) => t.dims.filter((d) => d > 1).length > 1,
      );
      assert.ok(kernels.length >= 6, `${kernels.length} kernels`);
      for (const k of kernels) assert.equal(k.dataType, FLOAT16, `${JSON.stringify(v)}: ${k.name}`);
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      const got = (await session.run({ input: new ort.Tensor('float32', xs, [2, 32, 40, 1]) })).output;
      await session.release();
      const diff = maxAbsDiff(ref, got.data as Float32Array);
      assert.ok(diff <= TOL, `${JSON.stringify(v)}: ${diff}`);
    }
    rounded.dispose();
  });
});
