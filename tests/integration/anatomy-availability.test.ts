// The viewer's "anatomy models available" flag agrees with what a prediction does, on both store backends: a
// workstation with no installed anatomy models says false and predicts without labels; once the store has an active
// artery/vein and an active optic-disc model (registered by a retrain, not installed anywhere) it says true and the
// prediction carries labels and a disc; an active model whose directory is gone makes it false again, and the
// prediction has no labels either. The prediction job runs here as any shell's job would run it (a team database's
// jobs wait for a worker), given the anatomy models this workstation has installed: none. listModels lists one task's
// models or every task's, each with its task and (an anatomy model) the validation its directory records, and names
// the installed anatomy models predictions use while the registry holds none of their task.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { runPredictJob } from '../../main/jobs/predict.js';
import { bundledAnatomyDir } from '../../main/ml/anatomy/anatomy-models.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import {
  importImageFiles,
  promoteModel,
  registerModel,
  type ModelTask,
  type Store,
} from '../../main/store/index.js';
import { driveTestImage, tinyAnatomyModelsDir, tinyFramedModelDir } from '../e2e/model-fixture.js';
import { handlerCaller } from '../support/handler-call.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

for (const kind of STORE_BACKENDS)
  describe(`anatomy models available: the flag follows the store's active models (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let ws: Workstation;
    let store: Store;
    let imageId: string;
    let fixtures: string;
    let vessel: { id: number; dir: string };
    const call = handlerCaller(() => ws);

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-flag-'));
      fixtures = await tinyAnatomyModelsDir();
      // An empty models folder: nothing installed, so only the store can provide anatomy models.
      ws = await createWorkstation({
        dbPath: backend.location('anatomy_flag'),
        shell: 'browser',
        user: 'ann',
        anatomyModels: dir,
      });
      store = ws.store;
      vessel = { id: 0, dir: await tinyFramedModelDir() };
      vessel.id = registerModel(store, { name: 'vessel', dirPath: vessel.dir, architecture: {} }, 'ann').id;
      promoteModel(store, vessel.id, 'ann');
      const report = await importImageFiles(store, [{ imagePath: driveTestImage('01') }], { actor: 'ann' });
      imageId = String(report.imported[0].imageId);
    });

    after(async () => {
      await ws?.close();
      await rm(dir, { recursive: true, force: true });
    });

    const activate = (task: ModelTask, dirPath: string): void => {
      const m = registerModel(store, { name: `${task}-${dirPath}`, dirPath, architecture: {}, task }, 'ann');
      promoteModel(store, m.id, 'ann');
    };

    /** The flag, and whether a fresh prediction of the image came with artery/vein labels and a disc. */
    async function flagAndPrediction(): Promise<{ flag: boolean | undefined; labelled: boolean }> {
      const input = { imageIds: [Number(imageId)], modelId: vessel.id, modelDir: vessel.dir, threads: 1 };
      await runPredictJob(
        store,
        { ...input, author: 'model', anatomy: null },
        { isCancelled: () => false, progress: () => undefined },
      );
      const m = await call('getMasks', { imageId });
      assert.ok(m.prediction, 'predicted');
      return { flag: m.anatomyModels, labelled: m.prediction.av != null && m.prediction.anatomy != null };
    }

    test('nothing installed, nothing registered: no flag, no labels', async () => {
      assert.deepEqual(await flagAndPrediction(), { flag: false, labelled: false });
    });

    test('an active artery/vein model alone is not enough: predictions need both tasks', async () => {
      activate('artery-vein', path.join(fixtures, 'artery-vein'));
      assert.deepEqual(await flagAndPrediction(), { flag: false, labelled: false });
    });

    test('an active model of each task in the store: the flag is true and the prediction is labelled', async () => {
      activate('optic-disc', path.join(fixtures, 'optic-disc'));
      assert.deepEqual(await flagAndPrediction(), { flag: true, labelled: true });
    });

    test('an active model whose directory is gone: false again, and the prediction has no labels', async () => {
      activate('optic-disc', path.join(dir, 'removed-optic-disc'));
      assert.deepEqual(await flagAndPrediction(), { flag: false, labelled: false });
    });

    test("listModels: one task's models or all, each with its task and the validation its directory records", async () => {
      const bundled = registerModel(
        store,
        {
          name: 'bundled-av',
          dirPath: bundledAnatomyDir('artery-vein'),
          architecture: {},
          task: 'artery-vein',
        },
        'ann',
      );
      const names = async (task?: 'artery-vein' | 'all') =>
        (await call('listModels', task ? { task } : {})).models.map((m) => `${m.task} ${m.status}`);
      // The bundled vessel model the workstation registered when it opened, and the one promoted here.
      assert.deepEqual(await names(), ['vessel candidate', 'vessel active'], 'the vessel models by default');
      assert.deepEqual(await names('artery-vein'), ['artery-vein active', 'artery-vein candidate']);
      assert.deepEqual(await names('all'), [
        'vessel candidate',
        'vessel active',
        'artery-vein active',
        'optic-disc retired',
        'optic-disc active',
        'artery-vein candidate',
      ]);
      const listed = (await call('listModels', { task: 'all' })).models.find(
        (m) => m.id === String(bundled.id),
      );
      const manifest = await readManifest(bundledAnatomyDir('artery-vein'));
      assert.deepEqual(listed?.anatomyValidation, {
        measure: 'av-accuracy',
        value: manifest.anatomy?.validation?.accuracy,
        images: manifest.provenance.validationIds.length,
        dataset: manifest.provenance.dataset,
      });
      assert.equal(listed?.anatomyHeldOut, null, 'no retrain made it');
    });
  });

for (const kind of STORE_BACKENDS)
  describe(`listModels names the installed anatomy models predictions use until a retrain registers them (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let ws: Workstation;
    let fixtures: string;
    const call = handlerCaller(() => ws);

    before(async () => {
      // The models installed with RetinaStudio (they record their validation).
      fixtures = path.dirname(bundledAnatomyDir('artery-vein'));
      ws = await createWorkstation({
        dbPath: backend.location('anatomy_installed'),
        shell: 'browser',
        user: 'ann',
        anatomyModels: fixtures,
      });
    });

    after(async () => {
      await ws?.close();
    });

    test('each task without a registered model shows its installed one, with its validation', async () => {
      const installed = async (task?: 'artery-vein' | 'all') =>
        (await call('listModels', task ? { task } : {})).installed ?? [];
      assert.deepEqual(await installed(), [], 'the vessel list has no anatomy models');
      const all = await installed('all');
      assert.deepEqual(
        all.map((m) => m.task),
        ['artery-vein', 'optic-disc'],
      );
      for (const m of all) {
        const manifest = await readManifest(path.join(fixtures, m.task));
        assert.equal(m.name, manifest.name);
        assert.match(m.architecture, /^U-Net depth \d+, \d+ filters/);
        assert.equal(m.anatomyValidation?.images, manifest.provenance.validationIds.length);
        assert.equal(m.anatomyValidation?.dataset, manifest.provenance.dataset);
      }
      assert.deepEqual(
        (await installed('artery-vein')).map((m) => m.task),
        ['artery-vein'],
      );
      // Once a task has an active model in the registry, that one is listed (and used) instead.
      const av = registerModel(
        ws.store,
        { name: 'av', dirPath: path.join(fixtures, 'artery-vein'), architecture: {}, task: 'artery-vein' },
        'ann',
      );
      promoteModel(ws.store, av.id, 'ann');
      assert.deepEqual(
        (await installed('all')).map((m) => m.task),
        ['optic-disc'],
      );
    });
  });
