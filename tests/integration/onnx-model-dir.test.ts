// exportModelDir on a real model directory, then inference through the ONNX predictor against tfjs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildUNet, REFERENCE_UNET } from '../../main/ml/model/model.js';
import { initTf } from '../../main/ml/tf.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { exportModelDir } from '../../main/ml/onnx/export-model-dir.js';
import { createOnnxPredictorForModelDir } from '../../main/ml/onnx/predictor.js';
import { readOnnxInfo } from '../../main/ml/onnx/onnx-info.js';
import { EXPORTER_NAME, EXPORTER_VERSION, ONNX_IR_VERSION, ONNX_OPSET } from '../../main/ml/onnx/metadata.js';
import { driveCrops, randomiseStatistics, testManifest, writeTestModelDir } from './onnx-fixtures.js';

const cfg = { ...REFERENCE_UNET, depth: 3, baseFilters: 8 };

describe('model directory export', () => {
  let dir = '';
  before(async () => {
    await initTf('cpu');
    dir = await mkdtemp(path.join(tmpdir(), 'retina-onnx-dir-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes model.onnx, records it in the manifest, and predicts like tfjs', async () => {
    const { tf } = await initTf('cpu');
    const model = buildUNet(cfg, 4);
    await randomiseStatistics(model, 9);
    const manifest = testManifest(cfg);
    await writeTestModelDir(dir, model, manifest);

    const record = await exportModelDir(dir);
    assert.deepEqual(record, {
      file: 'model.onnx',
      opset: ONNX_OPSET,
      irVersion: ONNX_IR_VERSION,
      exporterVersion: EXPORTER_VERSION,
    });
    const saved = await readManifest(dir);
    assert.deepEqual(saved.onnx, record);
    assert.deepEqual({ ...saved, onnx: undefined }, { ...manifest, onnx: undefined }); // nothing else changed
    assert.deepEqual((await readdir(dir)).sort(), ['model.onnx', 'retina-model.json', 'tfjs']); // no temp files

    const info = await readOnnxInfo(path.join(dir, 'model.onnx'));
    assert.equal(info.exporterName, EXPORTER_NAME);
    assert.deepEqual(JSON.parse(info.metadata.preprocessing), manifest.preprocess);
    assert.equal(JSON.parse(info.metadata.threshold), manifest.threshold);
    assert.deepEqual(JSON.parse(info.metadata.provenance), manifest.provenance);
    assert.deepEqual(JSON.parse(info.metadata.architecture), cfg);
    assert.deepEqual(info.inputDims, ['N', 'H', 'W', 1]);
    assert.equal(info.parameterCount > 0, true);
    assert.equal((await readFile(path.join(dir, 'model.onnx'))).length > info.parameterCount * 4, true);

    const predictor = await createOnnxPredictorForModelDir(dir, { threads: 1 });
    assert.equal(predictor.engine, 'onnx');
    const x = await driveCrops(3, 40, 56);
    const got = await predictor.predict(x, 3, 40, 56, 1);
    assert.equal(got.length, 3 * 40 * 56);
    const input = tf.tensor4d(x, [3, 40, 56, 1]);
    const out = model.predict(input) as ReturnType<typeof tf.tensor4d>;
    const ref = out.dataSync();
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i] - got[i]));
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
    tf.dispose([input, out]);
    await predictor.dispose();
    await predictor.dispose(); // idempotent
    await assert.rejects(predictor.predict(x, 3, 40, 56, 1), /disposed/);
    model.dispose();
  });

  test('re-exporting replaces the file and keeps the manifest valid', async () => {
    const before = await readFile(path.join(dir, 'model.onnx'));
    await exportModelDir(dir);
    const again = await readFile(path.join(dir, 'model.onnx'));
    assert.deepEqual(again, before); // deterministic export
  });
});
