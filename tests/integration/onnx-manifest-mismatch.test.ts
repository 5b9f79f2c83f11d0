// A model directory whose model.onnx comes from another model (real files: the bundled default model and the tiny
// test model, each with the other's export): refused when it is opened, naming what differs from
// retina-model.json, instead of predicting garbage or failing inside ONNX Runtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOnnxPredictorForModelDir } from '../../main/ml/onnx/predictor.js';
import { OnnxLoadError } from '../../main/ml/onnx/errors.js';
import { ONNX_FILE, defaultModelDir } from '../../main/ml/model/model-dir.js';
import { driveTestImage, repoRoot, tinyModelDir } from '../e2e/model-fixture.js';

let dir: string;
let defaultWithTiny: string;
let tinyWithDefault: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'retina-onnx-mismatch-'));
  const tiny = await tinyModelDir();
  defaultWithTiny = path.join(dir, 'default-with-tiny-onnx');
  tinyWithDefault = path.join(dir, 'tiny-with-default-onnx');
  await cp(defaultModelDir(), defaultWithTiny, { recursive: true });
  await copyFile(path.join(tiny, ONNX_FILE), path.join(defaultWithTiny, ONNX_FILE));
  await cp(tiny, tinyWithDefault, { recursive: true });
  await copyFile(path.join(defaultModelDir(), ONNX_FILE), path.join(tinyWithDefault, ONNX_FILE));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('an export from another model is refused, naming the mismatch, both ways round', async () => {
  for (const modelDir of [defaultWithTiny, tinyWithDefault]) {
    await assert.rejects(createOnnxPredictorForModelDir(modelDir, { threads: 1 }), (err: Error) => {
      assert.ok(err instanceof OnnxLoadError, String(err));
      assert.match(err.message, /does not belong to .*retina-model\.json: its architecture .* differs/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
  // The untouched directories still open.
  const ok = await createOnnxPredictorForModelDir(await tinyModelDir(), { threads: 1 });
  await ok.dispose();
});

test('retina segment --model DIR with a foreign model.onnx fails with that message, not ONNX Runtime text', () => {
  for (const modelDir of [defaultWithTiny, tinyWithDefault]) {
    const r = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'retina.mjs'),
        'segment',
        driveTestImage('01'),
        '--out',
        path.join(dir, 'out'),
        '--model',
        modelDir,
        '--threads',
        '1',
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RETINA_FROM_SOURCE: '1' } },
    );
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /architecture .* differs from the manifest's/, r.stderr);
    assert.doesNotMatch(r.stderr, /Non-zero status code|BroadcastIterator/);
  }
});
