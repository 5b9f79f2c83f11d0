// Unusable models and files must give one-line errors naming the cause, never crash the process.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildUNet, REFERENCE_UNET } from '../../main/ml/model/model.js';
import { initTf, type SymbolicTensor } from '../../main/ml/tf.js';
import { DEFAULT_PREPROCESS } from '../../main/ml/image/preprocess.js';
import { Rng } from '../../main/ml/rng.js';
import { readManifest, writeManifest } from '../../main/ml/model/model-dir.js';
import { exportToOnnx } from '../../main/ml/onnx/exporter.js';
import { exportModelDir } from '../../main/ml/onnx/export-model-dir.js';
import { createOnnxPredictor, createOnnxPredictorForModelDir } from '../../main/ml/onnx/predictor.js';
import { OnnxExportError, OnnxInferenceError, OnnxLoadError } from '../../main/ml/onnx/errors.js';
import { buildMetadata, MetaKey } from '../../main/ml/onnx/metadata.js';
import { decodeModel, encodeModel, TensorDataType } from '../../main/ml/onnx/onnx-proto.js';
import { testManifest, writeTestModelDir } from './onnx-fixtures.js';

const META = { preprocess: DEFAULT_PREPROCESS, threshold: 0.5, provenance: null };

/** Rejects with OnnxLoadError whose single-line message names the file and matches `reason`. */
async function assertLoadError(promise: Promise<unknown>, file: string, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof OnnxLoadError, `expected OnnxLoadError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `multi-line message: ${err.message}`);
    assert.ok(err.message.includes(file), `message does not name ${file}: ${err.message}`);
    assert.match(err.message, reason);
    return true;
  });
}

describe('ONNX error handling', () => {
  let dir = '';
  let good: Uint8Array;
  before(async () => {
    await initTf('cpu');
    dir = await mkdtemp(path.join(tmpdir(), 'retina-onnx-err-'));
    const model = buildUNet({ ...REFERENCE_UNET, depth: 2, baseFilters: 4 }, 1);
    good = exportToOnnx(model, META);
    model.dispose();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a valid export loads (control)', async () => {
    const file = path.join(dir, 'good.onnx');
    await writeFile(file, good);
    const p = await createOnnxPredictor(file, { threads: 1 });
    const out = await p.predict(new Float32Array(16 * 16), 1, 16, 16, 1);
    assert.equal(out.length, 256);
    await p.dispose();
  });

  test('truncated file', async () => {
    for (const keep of [0.5, 0.999]) {
      const file = path.join(dir, `truncated-${keep}.onnx`);
      await writeFile(file, good.subarray(0, Math.floor(good.length * keep)));
      await assertLoadError(
        createOnnxPredictor(file, { threads: 1 }),
        file,
        /not a valid ONNX model.*truncated/,
      );
    }
  });

  test('garbage bytes, empty file, missing file', async () => {
    const rng = new Rng(3);
    const file = path.join(dir, 'garbage.onnx');
    await writeFile(
      file,
      Uint8Array.from({ length: 4096 }, () => rng.int(256)),
    );
    await assertLoadError(createOnnxPredictor(file), file, /not a valid ONNX model/);
    const empty = path.join(dir, 'empty.onnx');
    await writeFile(empty, new Uint8Array(0));
    await assertLoadError(createOnnxPredictor(empty), empty, /empty file/);
    const text = path.join(dir, 'text.onnx');
    await writeFile(text, 'this is not a model\n');
    await assertLoadError(createOnnxPredictor(text), text, /not a valid ONNX model/);
    const missing = path.join(dir, 'missing.onnx');
    await assertLoadError(createOnnxPredictor(missing), missing, /file not found/);
  });

  test('a model whose input is not rank 4', async () => {
    const file = path.join(dir, 'rank3.onnx');
    const m = decodeModel(good);
    m.graph = {
      name: 'rank3',
      nodes: [
        { opType: 'Unsqueeze', name: 'u', inputs: ['input', 'axes'], outputs: ['output'], attributes: [] },
      ],
      initializers: [
        {
          name: 'axes',
          dims: [1],
          dataType: TensorDataType.INT64,
          raw: new Uint8Array(BigInt64Array.of(3n).buffer),
        },
      ],
      inputs: [{ name: 'input', elemType: TensorDataType.FLOAT, dims: ['N', 'H', 'W'] }],
      outputs: [{ name: 'output', elemType: TensorDataType.FLOAT, dims: ['N', 'H', 'W', 1] }],
    };
    await writeFile(file, encodeModel(m));
    await assertLoadError(createOnnxPredictor(file), file, /rank 3.*expected rank 4/);
  });

  test('metadata from an unknown exporter version, or no RetinaStudio metadata', async () => {
    const m = decodeModel(good);
    m.metadata[MetaKey.exporterVersion] = '2.0.0';
    const future = path.join(dir, 'future.onnx');
    await writeFile(future, encodeModel(m));
    await assertLoadError(createOnnxPredictor(future), future, /unknown exporter version "2\.0\.0"/);

    m.metadata = {};
    const foreign = path.join(dir, 'foreign.onnx');
    await writeFile(foreign, encodeModel(m));
    await assertLoadError(createOnnxPredictor(foreign), foreign, /not exported by RetinaStudio/);
  });

  test('a structurally valid file that ONNX Runtime rejects', async () => {
    const m = decodeModel(good);
    m.graph.nodes[1] = { ...m.graph.nodes[1], opType: 'NoSuchOperator' };
    const file = path.join(dir, 'badop.onnx');
    await writeFile(file, encodeModel(m));
    await assertLoadError(
      createOnnxPredictor(file),
      file,
      /ONNX Runtime cannot load the model.*NoSuchOperator/,
    );
  });

  test('a manifest recording an unknown exporter version, or no export', async () => {
    const modelDir = path.join(dir, 'model');
    const cfg = { ...REFERENCE_UNET, depth: 1, baseFilters: 4 };
    const model = buildUNet(cfg, 1);
    await writeTestModelDir(modelDir, model, testManifest(cfg));
    model.dispose();
    await assertLoadError(createOnnxPredictorForModelDir(modelDir), modelDir, /no ONNX export/);
    await exportModelDir(modelDir);
    const manifest = await readManifest(modelDir);
    await writeManifest(modelDir, { ...manifest, onnx: { ...manifest.onnx!, exporterVersion: '7.3.1' } });
    await assertLoadError(
      createOnnxPredictorForModelDir(modelDir),
      modelDir,
      /unknown exporter version "7\.3\.1"/,
    );
  });

  test('wrong input at predict time', async () => {
    const file = path.join(dir, 'good.onnx');
    const p = await createOnnxPredictor(file, { threads: 1 });
    await assert.rejects(p.predict(new Float32Array(16 * 16 * 3), 1, 16, 16, 3), (e: unknown) => {
      assert.ok(e instanceof OnnxInferenceError);
      assert.match(e.message, /takes 1 input channels, got 3/);
      return true;
    });
    await assert.rejects(p.predict(new Float32Array(10), 1, 16, 16, 1), /expected 1x16x16x1 = 256/);
    // 18 is not a multiple of the network's stride (4): ONNX Runtime's failure becomes one line.
    await assert.rejects(p.predict(new Float32Array(18 * 18), 1, 18, 18, 1), (e: unknown) => {
      assert.ok(e instanceof OnnxInferenceError, String(e));
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    await p.dispose();
  });

  test('unsupported layers are refused, naming the layer and its class', async () => {
    const { tfl } = await initTf('cpu');
    const inp = tfl.input({ shape: [8, 8, 1] });
    const flat = tfl.layers.flatten({ name: 'flatten_here' }).apply(inp) as SymbolicTensor;
    const dense = tfl.layers.dense({ units: 3, name: 'my_dense' }).apply(flat) as SymbolicTensor;
    const m1 = tfl.model({ inputs: inp, outputs: dense });
    assert.throws(
      () => exportToOnnx(m1, META),
      (e: unknown) => {
        assert.ok(e instanceof OnnxExportError);
        assert.match(e.message, /layer "flatten_here" \(Flatten\)/);
        return true;
      },
    );

    const inp2 = tfl.input({ shape: [8, 8, 2] });
    const prelu = tfl.layers.prelu({ name: 'my_prelu' }).apply(inp2) as SymbolicTensor;
    assert.throws(
      () => exportToOnnx(tfl.model({ inputs: inp2, outputs: prelu }), META),
      /layer "my_prelu" \(PReLU\) is not supported/,
    );

    const inp3 = tfl.input({ shape: [null, null, 2] });
    const gelu = tfl.layers
      .conv2d({ filters: 2, kernelSize: 1, activation: 'gelu', name: 'gelu_conv' })
      .apply(inp3) as SymbolicTensor;
    assert.throws(
      () => exportToOnnx(tfl.model({ inputs: inp3, outputs: gelu }), META),
      /layer "gelu_conv" \(Conv2D\): activation "gelu"/,
    );

    const inp4 = tfl.input({ shape: [8, 8, 2] });
    const bn = tfl.layers.batchNormalization({ axis: 1, name: 'bn_axis1' }).apply(inp4) as SymbolicTensor;
    assert.throws(
      () => exportToOnnx(tfl.model({ inputs: inp4, outputs: bn }), META),
      /"bn_axis1" \(BatchNormalization\): axis 1/,
    );
  });

  test('metadata records preprocessing, threshold and provenance as JSON', () => {
    const md = buildMetadata({ ...META, threshold: 0.37, provenance: { seed: 4 }, name: 'n' });
    assert.equal(md[MetaKey.threshold], '0.37');
    assert.deepEqual(JSON.parse(md[MetaKey.preprocessing]), DEFAULT_PREPROCESS);
    assert.deepEqual(JSON.parse(md[MetaKey.provenance]), { seed: 4 });
    const decoded = decodeModel(good);
    assert.equal(decoded.metadata[MetaKey.threshold], '0.5');
  });

  test('the process survives every failure above', async () => {
    // Reaching this line after the native runtime saw corrupt input is the check.
    assert.ok((await readFile(path.join(dir, 'good.onnx'))).length > 0);
  });
});
