// The viewer's measurements through the handler table both shells use, on a real database and a real DRIVE
// photograph whose prediction carries RITE's reference arteries and veins, DRIVE-OD's disc, a probability map and
// an artery probability: the measures equal the engine's on the stored data, a repeated request is answered from
// the cache, a saved correction (a venule erased across zone B) changes CRVE, a field angle gives micrometres, a
// draft without a disc has no CRAE (with the reason), an all-black field of view leaves only its field measures
// absent, and the export writes the same measures.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { fitFovCircle } from '../../main/ml/frame/fov-circle.js';
import {
  importImageFiles,
  latestMaskVersion,
  loadFov,
  loadMask,
  maskVersionNumber,
  registerModel,
  saveMaskVersion,
  type Store,
} from '../../main/store/index.js';
import { runPredictJob } from '../../main/jobs/predict.js';
import { writePng } from '../../main/ml/io/image-io.js';
import { MeasureThread } from '../../main/ml/measure/measure-thread.js';
import type { MeasureSources } from '../../main/ml/measure/measure-sources.js';
import { measureImage, type ImageMeasures } from '../../shared/measure/measures.js';
import { driveTestImagePath, referenceAnatomy, wedge, type ReferenceAnatomy } from './measure-fixture.js';
import { tinyAnatomyModelsDir, tinyFramedModelDir } from '../e2e/model-fixture.js';
import { handlerCaller } from '../support/handler-call.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };

const pick = (m: ImageMeasures) => ({ crae: m.crae, crve: m.crve, avr: m.avr, scale: m.scale });

describe('measurements of the mask in the viewer', () => {
  let dir: string;
  let ws: Workstation;
  let store: Store;
  let imageId: string;
  let ref: ReferenceAnatomy;
  let probability: Float32Array;
  let arteryProbability: Float32Array;

  const call = handlerCaller(() => ws, ctx);
  const measurements = async () => {
    const m = await call('getMeasurements', { imageId });
    assert.ok(m, 'the image has a mask: it must have measurements');
    return m;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-measurements-'));
    ws = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      user: 'ann',
      anatomyModels: dir,
    });
    store = ws.store;
    const report = await importImageFiles(store, [{ imagePath: driveTestImagePath('02') }], { actor: 'ann' });
    imageId = String(report.imported[0].imageId);
    ref = await referenceAnatomy('02');
    // A model sure of its vessels and labels, a little less so at their edges: the intervals get every share.
    probability = Float32Array.from(ref.mask, (v) => (v ? 0.85 : 0.1));
    arteryProbability = Float32Array.from(ref.av, (v) => (v === 1 ? 0.9 : v === 2 ? 0.15 : 0.5));
    const modelId = registerModel(
      store,
      { name: 'observer', dirPath: '/none', architecture: { kind: 'x' } },
      'ann',
    ).id;
    await saveMaskVersion(store, {
      imageId: Number(imageId),
      kind: 'prediction',
      author: 'model:observer',
      modelId,
      mask: { width: ref.width, height: ref.height, data: ref.mask },
      probability,
      threshold: 0.5,
      av: ref.av,
      arteryProbability,
      anatomy: { disc: ref.disc, fovea: null, laterality: null },
    });
  });

  after(async () => {
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the prediction is measured as the engine measures its stored data; asking again hits the cache', async () => {
    const first = await measurements();
    assert.equal(first.kind, 'prediction');
    assert.equal(first.cached, false);
    assert.equal(first.scaleSource, null);
    const fov = await loadFov(store, Number(imageId));
    // The probability map as the store keeps it: 8 bits.
    const q = (p: Float32Array) => Float32Array.from(p, (v) => Math.round(v * 255) / 255);
    const expected = measureImage({
      width: ref.width,
      height: ref.height,
      mask: ref.mask,
      fov: fov.data,
      probability: q(probability),
      threshold: 0.5,
      av: ref.av,
      arteryProbability: q(arteryProbability),
      disc: ref.disc,
      pixelSizeUm: null,
    });
    assert.deepEqual(pick(first.measures), pick(expected));
    assert.equal(first.measures.scale.unit, 'DD');
    assert.ok(first.measures.crve.value !== null, 'DRIVE 02 with RITE labels has six venules in zone B');
    assert.deepEqual(first.measures.zoneVessels, expected.zoneVessels);

    const computed = ws.measurements.computed;
    const again = await measurements();
    assert.equal(again.cached, true);
    assert.equal(ws.measurements.computed, computed, 'nothing changed: nothing recomputed');
    assert.deepEqual(again.measures, first.measures);
    // Unrelated saves of other data (the clinical camera name) do not invalidate it either.
    await call('setClinicalInfo', { imageIds: [imageId], info: { patientId: 'P-02', camera: 'Canon CR5' } });
    assert.equal((await measurements()).cached, true);
  });

  test('a saved correction that erases the widest venule across zone B changes CRVE', async () => {
    const before = await measurements();
    const v1 = before.measures.zoneVessels.B.veins[0];
    assert.equal(v1.name, 'V1');
    const { diameter } = ref.disc;
    const cut = wedge(ref, v1, 0.12, 0.8 * diameter, 2.7 * diameter);
    const mask = Uint8Array.from(ref.mask, (v, i) => (v && !cut(i) ? 1 : 0));
    const av = Uint8Array.from(ref.av, (v, i) => (mask[i] ? v : 0));
    assert.ok(
      mask.some((v, i) => v !== ref.mask[i]),
      'the wedge erased some vessel',
    );
    const prediction = latestMaskVersion(store, Number(imageId), 'prediction')!;
    const computed = ws.measurements.computed;
    const saved = await call('saveDraft', {
      imageId,
      width: ref.width,
      height: ref.height,
      mask,
      parentVersionId: String(prediction.id),
      av,
      anatomy: { disc: ref.disc, fovea: null, laterality: null },
    });
    const t0 = performance.now();
    const after = await measurements();
    console.log(`measures after the save: ${Math.round(performance.now() - t0)} ms`);
    assert.equal(after.versionId, saved.versionId);
    assert.equal(after.kind, 'draft');
    assert.equal(after.cached, false);
    assert.equal(ws.measurements.computed, computed + 1);
    const crve = after.measures.crve;
    assert.ok(
      crve.value === null ? /venules/.test(crve.reason ?? '') : crve.value !== before.measures.crve.value,
      `CRVE did not follow the correction: ${JSON.stringify(crve)}`,
    );
    assert.ok(
      !after.measures.zoneVessels.B.veins.some((v) => Math.hypot(v.x - v1.x, v.y - v1.y) < 3),
      'the erased venule is no longer among the named ones',
    );
    // Measured on the stored draft, as the engine measures it.
    const draft = latestMaskVersion(store, Number(imageId), 'draft')!;
    assert.deepEqual((await loadMask(store, draft)).data, mask);
  });

  test("the image's field angle gives micrometres over the fitted aperture", async () => {
    await call('setClinicalInfo', { imageIds: [imageId], info: { fieldAngleDeg: 45 } });
    // Measured in the worker thread: main answers other requests meanwhile.
    let settled = false;
    const measuring = measurements().finally(() => (settled = true));
    const info = await call('getImageInfo', { imageId });
    assert.equal(info.fieldAngleDeg, 45);
    assert.equal(settled, false, 'the other request waited for the measurement');
    const m = await measuring;
    assert.equal(m.cached, false);
    assert.equal(m.scaleSource, 'field angle');
    assert.equal(m.measures.scale.unit, 'µm');
    const circle = fitFovCircle(await loadFov(store, Number(imageId)));
    assert.ok(circle, 'DRIVE shows its aperture edge');
    assert.ok(Math.abs(m.measures.scale.perPixel - (45 * 291) / (2 * circle.r)) < 1e-9);
    // About 540 pixels across DRIVE's aperture: roughly 24 µm per pixel.
    assert.ok(m.measures.scale.perPixel > 20 && m.measures.scale.perPixel < 30);
    if (m.measures.crae.value !== null) {
      assert.equal(m.measures.crae.unit, 'µm');
      // Retinal arterioles near the disc are 100-200 µm wide; CRAE is of that order.
      assert.ok(m.measures.crae.value > 80 && m.measures.crae.value < 300, String(m.measures.crae.value));
    }
  });

  test('a draft whose disc was removed by hand has no CRAE, CRVE or AVR, each saying so', async () => {
    const current = await measurements();
    const draft = latestMaskVersion(store, Number(imageId), 'draft')!;
    const mask = (await loadMask(store, draft)).data;
    await call('saveDraft', {
      imageId,
      width: ref.width,
      height: ref.height,
      mask,
      parentVersionId: current.versionId,
      av: Uint8Array.from(ref.av, (v, i) => (mask[i] ? v : 0)),
      anatomy: { disc: null, fovea: null, laterality: null },
    });
    const m = await measurements();
    for (const key of ['crae', 'crve', 'avr', 'craeZoneC'] as const) {
      assert.equal(m.measures[key].value, null, key);
      // Not "no optic disc found": a reader must tell the model's miss from a person's decision.
      assert.equal(m.measures[key].reason, 'optic disc removed by hand (ann)', key);
    }
    // What needs no disc is still measured.
    assert.ok(m.measures.fractalDimension.value !== null);
    assert.equal(m.measures.zoneVessels.B.arteries.length, 0);
  });

  test('an imported reference mask never predicted says the disc was not looked for, not that none was found', async () => {
    const manual = path.join(
      path.dirname(path.dirname(driveTestImagePath('05'))),
      '1st_manual',
      '05_manual1.gif',
    );
    const imported = await importImageFiles(
      store,
      [{ imagePath: driveTestImagePath('05'), maskPath: manual }],
      {
        actor: 'ann',
      },
    );
    const m = await call('getMeasurements', { imageId: String(imported.imported[0].imageId) });
    assert.equal(m?.measures.crae.reason, 'not predicted yet: predict the image to find the optic disc');
  });

  test('an image imported with an all-black field-of-view mask is measured, its field measures absent', async () => {
    // It failed the whole request with "measuring failed: Invalid array length" (a field 0 pixels across).
    const manual = path.join(
      path.dirname(path.dirname(driveTestImagePath('06'))),
      '1st_manual',
      '06_manual1.gif',
    );
    const fovPath = path.join(dir, 'empty-fov.png');
    // DRIVE's photographs are 565x584.
    await writePng(fovPath, {
      width: 565,
      height: 584,
      channels: 1,
      bitDepth: 8,
      data: new Uint8Array(565 * 584),
    });
    const imported = await importImageFiles(
      store,
      [{ imagePath: driveTestImagePath('06'), maskPath: manual, fovPath }],
      { actor: 'ann' },
    );
    const m = await call('getMeasurements', { imageId: String(imported.imported[0].imageId) });
    assert.ok(m);
    for (const key of ['vesselDensity', 'fractalDimension', 'fractalDimensionArteries'] as const) {
      assert.equal(m.measures[key].value, null, key);
      assert.match(m.measures[key].reason ?? '', /field of view is empty/, key);
    }
    assert.ok(m.measures.calibre.value! > 0, 'the vessels themselves are still measured');
    assert.ok(m.measures.calibre.ci95![0] <= m.measures.calibre.value!);
  });

  test('a prediction with the anatomy models keeps the artery probability the measures draw labels from', async () => {
    const [modelDir, anatomyDir] = await Promise.all([tinyFramedModelDir(), tinyAnatomyModelsDir()]);
    const other = await importImageFiles(store, [{ imagePath: driveTestImagePath('03') }], { actor: 'ann' });
    const id = other.imported[0].imageId;
    const modelId = registerModel(store, { name: 'tiny', dirPath: modelDir, architecture: {} }, 'ann').id;
    await runPredictJob(
      store,
      {
        imageIds: [id],
        modelId,
        modelDir,
        threads: 1,
        author: 'ann',
        anatomy: {
          arteryVein: path.join(anatomyDir, 'artery-vein'),
          opticDisc: path.join(anatomyDir, 'optic-disc'),
        },
      },
      { isCancelled: () => false, progress: () => {} },
    );
    const prediction = latestMaskVersion(store, id, 'prediction')!;
    assert.ok(prediction.avHash, 'the prediction has labels');
    assert.ok(prediction.arteryProbHash, 'the prediction kept no artery probability');
    const m = await call('getMeasurements', { imageId: String(id) });
    assert.equal(m?.kind, 'prediction');
    assert.equal(m?.versionId, String(prediction.id));
  });

  test('the export writes measures.csv and measures/<stem>.json of the exported mask', async () => {
    const shown = await measurements();
    const folder = path.join(dir, 'export');
    const request = {
      imageIds: [imageId],
      parts: ['measures' as const],
      source: 'best' as const,
      target: { kind: 'folder' as const, folder },
    };
    // A folder is the desktop app's target; a browser (a path on the server) downloads a zip instead.
    await assert.rejects(call('exportImages', request), /in a browser the export is downloaded as a zip/);
    const desktop = handlerCaller(() => ws, { shell: 'electron', sender: 'test' });
    const result = await desktop('exportImages', request);
    assert.ok(result.files.includes('measures.csv'), result.files.join(', '));
    assert.ok(result.files.includes('measures/02_test.json'), result.files.join(', '));
    const json = JSON.parse(await readFile(path.join(folder, 'measures', '02_test.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    // The image's id, and its version numbered as the app numbers it (not the database row id).
    assert.equal(json.imageId, Number(imageId));
    assert.equal(
      json.maskVersion,
      maskVersionNumber(store, { id: Number(shown.versionId), imageId: Number(imageId) }),
    );
    assert.deepEqual(json.crae, shown.measures.crae);
    assert.deepEqual(json.fractalDimension, JSON.parse(JSON.stringify(shown.measures.fractalDimension)));
    const csv = (await readFile(path.join(folder, 'measures.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv.length, 2);
    assert.match(csv[0], /^image_id,image,width,/);
    assert.match(csv[1], new RegExp(`^${imageId},02_test\\.tif,565,584,µm,`));
    assert.match(csv[1], /optic disc removed by hand \(ann\)/);
  });
});

describe('the measures worker thread', () => {
  test('a missing map fails that request with a one-line reason; the next request is measured', async () => {
    const ref = await referenceAnatomy('01');
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-measure-thread-'));
    const thread = new MeasureThread();
    try {
      const mask = path.join(dir, 'mask.png');
      await writePng(mask, {
        width: ref.width,
        height: ref.height,
        channels: 1,
        bitDepth: 8,
        data: ref.mask.map((v) => v * 255),
      });
      const sources: MeasureSources = {
        width: ref.width,
        height: ref.height,
        mask,
        fov: null,
        probability: null,
        threshold: null,
        av: null,
        labelsOnMask: false,
        arteryProbability: null,
        disc: ref.disc,
        dicomPixelUm: null,
        fieldAngleDeg: null,
      };
      await assert.rejects(thread.measure({ ...sources, mask: path.join(dir, 'gone.png') }), (err: Error) =>
        /^measuring failed: the mask .*gone\.png is missing or unreadable \(ENOENT\)$/.test(err.message),
      );
      const m = await thread.measure(sources);
      assert.equal(m.crae.reason, 'no artery/vein labels');
      assert.ok(m.vesselDensity.value !== null && m.vesselDensity.value > 0);
    } finally {
      await thread.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
