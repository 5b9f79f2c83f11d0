// Any camera, any size, with the bundled default model and real ONNX Runtime sessions: the model records its
// canonical frame; DRIVE images enlarged 2x score as they do at native size; a 30-degree LES-AV photograph is
// segmented at its own size; a frame with no fundus in it is segmented whole with a warning, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { openModel } from '../../main/ml/model/model-loader.js';
import { openDataset } from '../../main/ml/data/datasets.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { evaluateModel } from '../../main/ml/eval/evaluate.js';
import { segmentImage } from '../../main/ml/infer.js';
import { readImage, writePng } from '../../main/ml/io/image-io.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const drive = path.join(datasetsRoot(), 'DRIVE');
const lesav = path.join(datasetsRoot(), 'LES-AV');

test('the default model records its canonical frame', async () => {
  const model = await openModel(undefined, { engine: 'onnx', threads: 2 });
  try {
    const f = model.manifest.frame;
    assert.ok(f, 'the default model has a canonical frame');
    assert.equal(f.reference, 'fov-diameter');
    assert.ok(f.diameter > 400 && f.diameter < 700);
    assert.ok(f.maskCalibre > 1 && f.labelCalibre > 1);
  } finally {
    await model.predictor.dispose();
  }
});

test(
  'DRIVE test images enlarged 2x score within 0.01 F1 of native',
  { skip: !existsSync(drive) && `no ${drive}` },
  async () => {
    const model = await openModel(undefined, { engine: 'onnx', threads: 2 });
    try {
      const ds = openDataset(drive, 'drive');
      const ids = ['03_test', '04_test'];
      const subset = {
        ...ds,
        splits: { ...ds.splits, test: ds.splits.test.filter((r) => ids.includes(r.id)) },
      };
      const native = await evaluateModel(model.manifest, model.predictor, subset, 'test');
      const twice = await evaluateModel(model.manifest, model.predictor, subset, 'test', { resizeFactor: 2 });
      const a = native.protocols.fov.pooled.f1;
      const b = twice.protocols.fov.pooled.f1;
      assert.ok(a > 0.78, `native F1 ${a}`);
      assert.ok(Math.abs(a - b) < 0.01, `native F1 ${a.toFixed(4)}, 2x ${b.toFixed(4)}`);
    } finally {
      await model.predictor.dispose();
    }
  },
);

test(
  'a 30-degree LES-AV photograph (1620x1444) is segmented at its own size',
  { skip: !existsSync(lesav) && `no ${lesav}` },
  async () => {
    const model = await openModel(undefined, { engine: 'onnx', threads: 2 });
    try {
      const ds = openDataset(lesav);
      const subset = { ...ds, splits: { ...ds.splits, test: ds.splits.all.filter((r) => r.id === '12') } };
      const report = await evaluateModel(model.manifest, model.predictor, subset, 'test');
      assert.equal(report.images, 1);
      // Before the canonical frame this camera scored F1 0.25 (vessels 3x wider than the network had seen).
      assert.ok(report.protocols.fov.pooled.f1 > 0.72, `F1 ${report.protocols.fov.pooled.f1}`);
    } finally {
      await model.predictor.dispose();
    }
  },
);

test('retina segment on a frame with no fundus: segmented whole, with a warning, exit 0', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-nofov-'));
  const blank = path.join(dir, 'blank.png');
  const data = new Uint8Array(320 * 240 * 3).fill(128);
  await writePng(blank, { width: 320, height: 240, channels: 3, bitDepth: 8, data });
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'bin', 'retina.mjs'), 'segment', blank, '--out', dir],
    {
      encoding: 'utf8',
      env: { ...process.env, RETINA_FROM_SOURCE: '1' },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: no field-of-view edge found/);
  const mask = await readImage(path.join(dir, 'blank_mask.png'));
  assert.deepEqual([mask.width, mask.height], [320, 240]);
});

test('a picture of noise is not taken for a thumbnail: the calibre ruler reads no vessel tree and keeps its guess', async () => {
  // Noise thresholds to specks a pixel or two across, which the ruler once read as very thin vessels: the frame
  // was enlarged 3.4x (a 640x480 picture cost 30-65 s) and a "low resolution" warning blamed the camera.
  const model = await openModel(undefined, { engine: 'onnx', threads: 2 });
  try {
    const w = 320;
    const h = 240;
    const data = new Uint8Array(w * h * 3);
    let seed = 7;
    for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const seg = await segmentImage(
      { width: w, height: h, channels: 3, bitDepth: 8, data },
      model.manifest,
      model.predictor,
    );
    assert.deepEqual([seg.width, seg.height], [w, h]);
    assert.ok(seg.frame && seg.frame.scale <= 1.5, `enlarged ${seg.frame?.scale.toFixed(2)}x`);
    assert.ok(!seg.warnings.some((s) => s.startsWith('low resolution')), seg.warnings.join('; '));
    assert.ok(
      seg.warnings.some((s) => /no vessels to scale by.*is it a fundus photograph/.test(s)),
      seg.warnings.join('; '),
    );
  } finally {
    await model.predictor.dispose();
  }
});

test(
  'a network whose output is not a number (damaged weights) fails the image, never writes an empty mask',
  { skip: !existsSync(drive) && `no ${drive}` },
  async () => {
    // The real default model's session, with a damaged layer's effect: every output NaN. `segment` wrote an empty
    // mask for it and exited 0.
    const model = await openModel(undefined, { engine: 'onnx', threads: 2 });
    const damaged = {
      engine: model.predictor.engine,
      predict: async (...args: Parameters<typeof model.predictor.predict>) =>
        (await model.predictor.predict(...args)).map(() => NaN),
      dispose: () => model.predictor.dispose(),
    };
    try {
      const image = await readImage(path.join(drive, 'test', 'images', '01_test.tif'));
      await assert.rejects(
        segmentImage(image, model.manifest, damaged),
        /its output is not a number at \d+ of \d+ pixels: its weights are damaged/,
      );
    } finally {
      await damaged.dispose();
    }
  },
);
