// A retrain never judges its candidate on images the active model learnt outside the store: the bundled default
// was trained on DRIVE's training images (its manifest names them), so those images, imported and approved, may
// be trained on but are never held out; with nothing else to judge on, the retrain says so. The same holds for the
// bundled artery/vein and optic-disc models' retrains (their manifests name RITE, LES-AV, DRIONS-DB... samples).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  getImage,
  importDataset,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  type ModelRecord,
  type Store,
} from '../../main/store/index.js';
import { planAnatomySnapshot } from '../../main/retrain/anatomy-snapshot.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { approveAnatomyPrediction } from '../support/anatomy-corrections.js';
import { driveTestImagePath } from './measure-fixture.js';
import { planSnapshot } from '../../main/retrain/snapshot.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import { RetrainError } from '../../main/retrain/errors.js';
import { isKnownSample, manifestSamples, samplePhotographs } from '../../main/ml/model/known-samples.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { repoRoot } from '../e2e/model-fixture.js';
import type { ModelManifest } from '../../main/ml/types.js';

const DEFAULT_MODEL = path.join(repoRoot, 'resources', 'models', 'default');

describe('images the active model learnt are never held out', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-known-samples-'));
    store = openStore(path.join(dir, 'retina.db'));
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("the bundled model's manifest names its samples; a store image is matched by dataset and id", async () => {
    const manifest = JSON.parse(
      await readFile(path.join(DEFAULT_MODEL, 'retina-model.json'), 'utf8'),
    ) as ModelManifest;
    const known = manifestSamples(manifest);
    // DRIVE's training folder imported on its own is named "training"; its ids say which dataset they are.
    assert.ok(isKnownSample({ dataset: 'training', datasetSampleId: '21_training' }, known));
    assert.ok(
      isKnownSample({ dataset: 'DRIVE', datasetSampleId: '26_training' }, known),
      'validation images too',
    );
    assert.ok(isKnownSample({ dataset: 'LES-AV', datasetSampleId: '111' }, known));
    // A bare number is LES-AV's only under LES-AV's name; a test image is no training image.
    assert.ok(!isKnownSample({ dataset: 'clinic-2026', datasetSampleId: '111' }, known));
    assert.ok(!isKnownSample({ dataset: 'DRIVE', datasetSampleId: '01_test' }, known));
    assert.ok(!isKnownSample({ dataset: null, datasetSampleId: null }, known));
  });

  test("every dataset the bundled manifests name is found among the datasets folder's photographs", async () => {
    // A manifest without fingerprints recognises a renamed copy only through these photographs: the optic-disc
    // model names its DRIONS-DB samples 'drions/image_001', the folder is DRIONS-DB.
    assert.equal(samplePhotographs([{ folder: 'drions', id: 'image_001' }], datasetsRoot()).length, 1);
    for (const model of ['default', 'artery-vein', 'optic-disc']) {
      const manifest = await readManifest(path.join(repoRoot, 'resources', 'models', model));
      const samples = manifestSamples(manifest);
      const found = new Set(samplePhotographs(samples, datasetsRoot()).map((p) => p.sample.folder));
      const named = [...new Set(samples.map((s) => s.folder))];
      assert.deepEqual(
        named.filter((f) => !found.has(f)),
        [],
        `${model}: every dataset it names has its photographs found`,
      );
    }
  });

  test('DRIVE training approved under the bundled default: refused, saying those images cannot judge it', async () => {
    const base = registerModel(store, { name: 'default', dirPath: DEFAULT_MODEL, architecture: {} }, 't');
    promoteModel(store, base.id, 't');
    const report = await importDataset(store, path.join(datasetsRoot(), 'DRIVE', 'training'), { actor: 't' });
    assert.equal(report.imported.length, 20);
    await assert.rejects(
      planSnapshot(store, base, DEFAULT_RETRAIN_SETTINGS),
      (err: Error) =>
        err instanceof RetrainError &&
        /none is available \(20 of the new approvals are images default was trained on, which cannot judge it\)/.test(
          err.message,
        ),
    );
  });
});

describe('images the bundled artery/vein and optic-disc models learnt never judge their retrains', () => {
  let dir: string;
  let store: Store;
  let vesselId: number;
  const test01to03: number[] = [];
  const training: number[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-known-anatomy-'));
    store = openStore(path.join(dir, 'retina.db'));
    vesselId = registerModel(store, { name: 'vessel', dirPath: DEFAULT_MODEL, architecture: {} }, 't').id;
    // DRIVE 21-24: RITE training images both bundled models learnt (their manifests name them `drive/2x_training`).
    const report = await importDataset(store, path.join(datasetsRoot(), 'DRIVE', 'training'), { actor: 't' });
    const bySample = new Map(
      report.imported.map((im) => [getImage(store, im.imageId).datasetSampleId, im.imageId]),
    );
    for (const n of ['21', '22', '23', '24']) training.push(bySample.get(`${n}_training`)!);
    const tests = await importImageFiles(
      store,
      ['01', '02', '03'].map((n) => ({ imagePath: driveTestImagePath(n) })),
      { actor: 't' },
    );
    test01to03.push(...tests.imported.map((im) => im.imageId));
    // The labels drawn are another test image's (planning looks at which images were corrected, not at pixels).
    for (const [i, imageId] of training.entries())
      await approveAnatomyPrediction(store, {
        imageId,
        driveId: `0${i + 5}`,
        vesselModelId: vesselId,
        correct: true,
      });
    for (const [i, imageId] of test01to03.slice(0, 2).entries())
      await approveAnatomyPrediction(store, {
        imageId,
        driveId: `0${i + 1}`,
        vesselModelId: vesselId,
        correct: true,
      });
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("the anatomy manifests' samples are matched like the vessel model's", async () => {
    const av = manifestSamples(await readManifest(path.join(repoRoot, 'resources', 'models', 'artery-vein')));
    assert.ok(isKnownSample({ dataset: 'training', datasetSampleId: '21_training' }, av));
    assert.ok(isKnownSample({ dataset: 'LES-AV', datasetSampleId: '12' }, av), 'a validation image, bare id');
    assert.ok(!isKnownSample({ dataset: 'clinic', datasetSampleId: '12' }, av));
    const disc = manifestSamples(
      await readManifest(path.join(repoRoot, 'resources', 'models', 'optic-disc')),
    );
    assert.ok(isKnownSample({ dataset: 'DRIONS-DB', datasetSampleId: 'image_005' }, disc));
    assert.ok(!isKnownSample({ dataset: 'DRIVE', datasetSampleId: '01_test' }, disc));
  });

  const TASKS = ['artery-vein', 'optic-disc'] as const;
  const settings = { ...DEFAULT_RETRAIN_SETTINGS, replayImages: 0 };
  const bases = new Map<string, ModelRecord>();
  const plan = async (task: (typeof TASKS)[number]) => {
    const dirPath = path.join(repoRoot, 'resources', 'models', task);
    const base =
      bases.get(task) ?? registerModel(store, { name: task, dirPath, architecture: {}, task }, 't');
    bases.set(task, base);
    return planAnatomySnapshot(store, task, base, await readManifest(dirPath), settings);
  };

  test('two unseen photographs cannot judge, whatever the learnt ones would add', async () => {
    for (const task of TASKS) {
      const step = await plan(task);
      assert.ok('skipped' in step, `${task}: a learnt image was held out to judge`);
      assert.match(step.skipped, /only 2 corrected images can be held out \(the others trained/);
    }
  });

  test('with a third: the DRIVE training corrections are trained on, only the unseen photographs judge', async () => {
    await approveAnatomyPrediction(store, {
      imageId: test01to03[2]!,
      driveId: '03',
      vesselModelId: vesselId,
      correct: true,
    });
    for (const task of TASKS) {
      const step = await plan(task);
      assert.ok('snapshot' in step, 'skipped' in step ? step.skipped : '');
      assert.deepEqual(
        step.snapshot.heldOut.map((e) => e.imageId),
        test01to03,
        task,
      );
      assert.deepEqual(
        step.snapshot.train.map((e) => e.imageId),
        training,
        task,
      );
    }
  });

  test('a replayed training photograph that is a corrected store image is left out of the replay (by name or content)', async () => {
    // DRIVE 25 again as a PNG under a clinic's name: found as a learnt photograph by its content only.
    const copy = path.join(dir, 'scan-0025.png');
    await sharp(path.join(datasetsRoot(), 'DRIVE', 'training', 'images', '25_training.tif'))
      .png()
      .toFile(copy);
    const imported = await importImageFiles(store, [{ imagePath: copy }], { actor: 't' });
    await approveAnatomyPrediction(store, {
      imageId: imported.imported[0]!.imageId,
      driveId: '04',
      vesselModelId: vesselId,
      correct: true,
    });
    const stored = ['21', '22', '23', '24', '25'].map((n) => `drive/${n}_training`);
    for (const task of TASKS) {
      const dirPath = path.join(repoRoot, 'resources', 'models', task);
      const step = await planAnatomySnapshot(
        store,
        task,
        bases.get(task)!,
        await readManifest(dirPath),
        // Every training image of the model replayed, but those the store holds.
        { ...settings, replayImages: 1000 },
      );
      assert.ok('snapshot' in step, 'skipped' in step ? step.skipped : '');
      assert.ok(step.snapshot.train.some((e) => e.imageId === imported.imported[0]!.imageId));
      assert.deepEqual(
        step.snapshot.replay.filter((id) => stored.includes(id)),
        [],
        `${task}: a corrected store photograph is replayed with its dataset label too`,
      );
      assert.ok(step.snapshot.replay.includes('drive/27_training'), `${task}: the rest is replayed`);
    }
  });
});
