// The workstation's verdict on a photograph's gradability, through the real predict job with the bundled model:
// random noise (not a fundus photograph) and the CC0 sample. The Measurements panel measures from stored masks,
// without the photograph's pixels, and showed noise a full set of made-up values (fractal dimension, calibre,
// tortuosity) with no verdict. Now the evidence is read when predicting and stored with the prediction: noise has
// every measure withheld with `retina measure`'s reason, in the panel, the report and the export's gradable,quality
// columns, and keeps its verdict after a person's approved correction; the worklist says it is ungradable; the
// sample is gradable and measured.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { runPredictJob } from '../../main/jobs/predict.js';
import { defaultModelDir } from '../../main/ml/model/model-dir.js';
import {
  importImageFiles,
  latestMaskVersion,
  registerModel,
  saveMaskVersion,
  type Store,
} from '../../main/store/index.js';
import { ungradableReason, type Gradability } from '../../shared/measure/gradability.js';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import type { ImageMeasures } from '../../shared/measure/measures.js';
import { repoRoot } from '../e2e/model-fixture.js';
import { handlerCaller } from '../support/handler-call.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

/** 800x600 random noise as a JPEG: a fixed pseudo-random sequence, the same picture every run. */
async function writeNoiseJpeg(file: string): Promise<void> {
  const noise = Buffer.alloc(800 * 600 * 3);
  let s = 1;
  for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  await sharp(noise, { raw: { width: 800, height: 600, channels: 3 } })
    .jpeg()
    .toFile(file);
}

/** Every measure withheld, each with exactly the reason `retina measure` gives. */
function assertWithheld(m: ImageMeasures, what: string): Gradability {
  const q = m.quality;
  assert.ok(q, `${what}: no verdict`);
  assert.equal(q.gradable, false, `${what}: ${JSON.stringify(q)}`);
  assert.match(q.reasons.join('; '), /no vessel tree/, what);
  for (const { key } of MEASURE_ROWS) {
    assert.equal(m[key].value, null, `${what}: ${key} = ${m[key].value}`);
    assert.equal(m[key].reason, ungradableReason(q), `${what}: ${key}`);
  }
  return q;
}

describe('the workstation judges a photograph gradable where it predicts it', () => {
  let dir: string;
  let ws: Workstation;
  let store: Store;
  let noiseId: string;
  let sampleId: string;
  const call = handlerCaller(() => ws);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-gradability-app-'));
    const noise = path.join(dir, 'noise.jpg');
    await writeNoiseJpeg(noise);
    ws = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      user: 'ann',
      anatomyModels: dir,
    });
    store = ws.store;
    const imported = await importImageFiles(store, [{ imagePath: noise }, { imagePath: SAMPLE }], {
      actor: 'ann',
    });
    [noiseId, sampleId] = imported.imported.map((i) => String(i.imageId));
    const modelDir = defaultModelDir();
    const modelId = registerModel(store, { name: 'bundled', dirPath: modelDir, architecture: {} }, 'ann').id;
    await runPredictJob(
      store,
      {
        imageIds: [Number(noiseId), Number(sampleId)],
        modelId,
        modelDir,
        threads: 2,
        author: 'ann',
        anatomy: null,
      },
      { isCancelled: () => false, progress: () => {} },
    );
  });
  after(async () => {
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('noise: the panel withholds every measure with the reason; the sample is gradable with values', async () => {
    const noise = await call('getMeasurements', { imageId: noiseId });
    assert.equal(noise?.kind, 'prediction');
    assertWithheld(noise.measures, 'noise');
    const sample = await call('getMeasurements', { imageId: sampleId });
    assert.ok(sample?.measures.quality, 'the sample has no verdict');
    assert.equal(sample.measures.quality.gradable, true, JSON.stringify(sample.measures.quality));
    assert.notEqual(sample.measures.fractalDimension.value, null);
    assert.notEqual(sample.measures.vesselDensity.value, null);
  });

  test('the worklist marks noise ungradable, and only noise', async () => {
    const { items } = await call('listImages', { offset: 0, limit: 10 });
    const byId = new Map(items.map((i) => [i.id, i]));
    assert.match(byId.get(noiseId)?.ungradable ?? '', /no vessel tree/);
    assert.equal(byId.get(sampleId)?.ungradable, undefined);
  });

  test("the report and the export's gradable,quality columns carry the verdict", async () => {
    const { html } = await call('getReport', { imageId: noiseId });
    assert.match(html, /Photograph: ungradable photograph: no vessel tree/);
    const folder = path.join(dir, 'export');
    const desktop = handlerCaller(() => ws, { shell: 'electron', sender: 'test' });
    await desktop('exportImages', {
      imageIds: [noiseId, sampleId],
      parts: ['measures'],
      source: 'best',
      target: { kind: 'folder', folder },
    });
    const csv = (await readFile(path.join(folder, 'measures.csv'), 'utf8')).trim().split('\n');
    assert.match(csv[0], /,gradable,quality$/);
    const row = (id: string) => csv.find((l) => l.startsWith(`${id},`)) ?? '';
    assert.match(row(noiseId), /,false,"?ungradable photograph: no vessel tree/);
    assert.match(row(sampleId), /,true,gradable$/);
  });

  test("a person's approved correction does not change the photograph's verdict", async () => {
    const prediction = latestMaskVersion(store, Number(noiseId), 'prediction')!;
    // A clean vessel-like band: a corrected mask that, measured alone, would give values.
    const mask = new Uint8Array(prediction.width * prediction.height);
    for (let y = 280; y < 290; y++) mask.fill(1, y * prediction.width + 100, y * prediction.width + 700);
    await saveMaskVersion(store, {
      imageId: Number(noiseId),
      kind: 'approved',
      author: 'ann',
      parentId: prediction.id,
      mask: { width: prediction.width, height: prediction.height, data: mask },
    });
    const m = await call('getMeasurements', { imageId: noiseId });
    assert.equal(m?.kind, 'approved');
    assertWithheld(m.measures, 'noise, approved correction');
  });
});
