// The artery/vein and optic-disc models on the Models screen, in a real browser (browser mode) against a real
// `retina serve`: a retrain from a person's anatomy corrections (run as the Retrain button runs it: nothing promoted
// by itself) left a candidate of each task beside the task's active model. Each task's models are listed with the one
// in use and their held-out scores in the task's measure; the retrain's comparison says in words what became of each
// task (the vessel part had nothing to do) with the gate's reason; the artery/vein candidate is promoted with the
// same confirmation a vessel candidate needs (a reason unless the gate found it better), the image nobody worked on
// is predicted again by the vessel model in use, and the task is rolled back, after a confirmation, on its own.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  activeModel,
  getModel,
  importImageFiles,
  latestMaskVersion,
  listAudit,
  openStore,
  promoteModel,
  registerModel,
  type ModelTask,
} from '../../main/store/index.js';
import type { AnatomyRetrainOutcome } from '../../main/retrain/anatomy-run.js';
import { runRetrainAll } from '../../main/retrain/retrain-all.js';
import { approveAnatomyPrediction } from '../support/anatomy-corrections.js';
import { waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, tinyAnatomyModelsDir, tinyFramedModelDir } from './model-fixture.js';

const CORRECTED = ['01', '02', '03', '04', '05'];
/** Imported and never predicted: the re-prediction after a promotion predicts it. */
const UNTOUCHED = '06';

function readDb<T>(dbPath: string, read: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(dbPath, { readonly: true });
  try {
    return read(store);
  } finally {
    store.close();
  }
}

const activeId = (dbPath: string, task: ModelTask): number | undefined =>
  readDb(dbPath, (s) => activeModel(s, task)?.id);

describe(
  'anatomy models on the Models screen (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let vesselId: number;
    let untouchedId: number;
    let av: AnatomyRetrainOutcome;
    let disc: AnatomyRetrainOutcome;
    const app = useWorkstation({
      viewport: { width: 1280, height: 900 },
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        try {
          vesselId = registerModel(
            store,
            { name: 'e2e-tiny-framed', dirPath: await tinyFramedModelDir(), architecture: {} },
            'test',
          ).id;
          promoteModel(store, vesselId, 'test');
          const ids = [...CORRECTED, UNTOUCHED];
          const report = await importImageFiles(
            store,
            ids.map((id) => ({ imagePath: driveTestImage(id) })),
            { actor: 'ann' },
          );
          const imageIds = report.imported.map((im) => im.imageId);
          untouchedId = imageIds[ids.indexOf(UNTOUCHED)];
          for (const [i, driveId] of CORRECTED.entries()) {
            await approveAnatomyPrediction(store, {
              imageId: imageIds[i],
              driveId,
              vesselModelId: vesselId,
              correct: true,
            });
          }
          const fixtures = await tinyAnatomyModelsDir();
          const result = await runRetrainAll(store, {
            actor: 'ann',
            trigger: 'button',
            promote: 'never',
            anatomyPromote: 'never',
            settings: {
              epochs: 1,
              stepsPerEpoch: 2,
              batchSize: 2,
              learningRate: 3e-3,
              minHeldOut: 3,
              heldOutFraction: 0.2,
              seed: 7,
            },
            anatomyDirs: {
              arteryVein: path.join(fixtures, 'artery-vein'),
              opticDisc: path.join(fixtures, 'optic-disc'),
            },
            threads: 1,
            workers: 1,
          });
          [av, disc] = result.anatomy.map((a) => {
            assert.ok('outcome' in a, `${a.task} ran: ${JSON.stringify(a)}`);
            return a.outcome;
          });
          assert.equal(result.vessel, null, 'no vessel mask changed');
        } finally {
          store.close();
        }
      },
    });

    test('each task lists its models and scores; the comparison says what became of each; promote and roll back one task', async () => {
      const base = readDb(app.serve.dbPath, (s) => getModel(s, av.baseModelId));
      await app.page.goto(app.serve!.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.getByTestId('nav-models').click();
      await app.page.getByTestId('models-screen').waitFor();

      // Every task's models, the one in use, and the held-out scores in the task's measure.
      const section = (task: ModelTask) =>
        app.page.locator(`[data-testid="model-task"][data-task="${task}"]`);
      const row = (task: ModelTask, id: number) =>
        section(task).locator(`[data-testid="model-row"][data-model-id="${id}"]`);
      await row('artery-vein', av.candidateModelId).waitFor();
      assert.equal(await section('vessel').getByTestId('model-row').count(), 1);
      for (const o of [av, disc]) {
        assert.equal(await section(o.task).getByTestId('model-row').count(), 2, o.task);
        assert.equal(await row(o.task, o.baseModelId).getAttribute('data-in-use'), 'true');
        assert.equal(await row(o.task, o.baseModelId).getByTestId('model-status').textContent(), 'in use');
        assert.equal(await row(o.task, o.candidateModelId).getAttribute('data-status'), 'candidate');
      }
      assert.match(
        (await row('artery-vein', av.candidateModelId).getByTestId('model-held-out').textContent()) ?? '',
        /^A\/V accuracy [01]\.\d{4} \([01]\.\d{4}, 3 images\)$/,
      );
      assert.match(
        (await row('optic-disc', disc.candidateModelId).getByTestId('model-held-out').textContent()) ?? '',
        /^centre error [01]\.\d{3} DD \([01]\.\d{3} DD, 3 images\)$/,
      );

      // The retrain's comparison (known by its first run, the artery/vein one): each task's verdict in words.
      await row('artery-vein', av.candidateModelId).getByTestId('show-run').click();
      const comparison = app.page.getByTestId('comparison');
      await comparison.getByTestId('anatomy-parts').waitFor();
      assert.match(
        (await comparison.getByTestId('comparison-reason').textContent()) ?? '',
        /^Vessel model not retrained: Not enough corrected images/,
      );
      const part = (task: ModelTask) =>
        comparison.locator(`[data-testid="anatomy-part"][data-task="${task}"]`);
      for (const o of [av, disc]) {
        const label = o.task === 'artery-vein' ? 'Artery/vein' : 'Optic disc';
        const parentName = readDb(app.serve.dbPath, (s) => getModel(s, o.baseModelId).name);
        assert.equal(
          await part(o.task).getAttribute('data-state'),
          o.decision.better ? 'awaiting' : 'not-better',
        );
        assert.equal(
          await part(o.task).getByTestId('anatomy-part-headline').textContent(),
          o.decision.better
            ? `${label} model: better than ${parentName}, waiting for your decision`
            : `${label} model: not better, ${parentName} stays`,
        );
        assert.equal(await part(o.task).getByTestId('verdict-reason').textContent(), o.decision.reason);
        assert.match(
          (await part(o.task).getByTestId('anatomy-part-scores').textContent()) ?? '',
          o.task === 'artery-vein'
            ? /^A\/V accuracy on 3 held-out corrected images: active [01]\.\d{4}, candidate [01]\.\d{4}$/
            : /^Disc centre error on 3 held-out corrected images: active [01]\.\d{3} DD, candidate [01]\.\d{3} DD$/,
        );
      }
      await app.page.screenshot({ path: await screenshotPath('14-anatomy-comparison'), fullPage: true });

      // Promote the artery/vein candidate with a vessel candidate's confirmation: a reason unless it was better.
      const avPart = part('artery-vein');
      if (!av.decision.better) {
        await avPart.getByTestId('anatomy-promote').click();
        await avPart.getByTestId('anatomy-reason-required').waitFor();
        assert.equal(activeId(app.serve.dbPath, 'artery-vein'), av.baseModelId, 'promoted without a reason');
        await avPart.getByTestId('anatomy-promote-reason').fill('the labels look right');
      }
      await avPart.getByTestId('anatomy-promote').click();
      await waitFor(
        'the artery/vein candidate promoted',
        async () => (await avPart.getAttribute('data-state')) === 'promoted',
      );
      assert.equal(activeId(app.serve.dbPath, 'artery-vein'), av.candidateModelId);
      assert.equal(activeId(app.serve.dbPath, 'optic-disc'), disc.baseModelId, 'the disc task is untouched');
      assert.equal(activeId(app.serve.dbPath, 'vessel'), vesselId, 'the vessel model is untouched');
      const promotion = readDb(app.serve.dbPath, (s) =>
        listAudit(s, { entity: 'model', entityId: av.candidateModelId }).find(
          (a) => a.action === 'model.promote',
        ),
      );
      assert.equal((promotion?.details as { override?: boolean }).override, !av.decision.better);
      await waitFor(
        'the table follows',
        async () => (await row('artery-vein', av.candidateModelId).getAttribute('data-in-use')) === 'true',
      );
      assert.equal(await row('artery-vein', av.baseModelId).getAttribute('data-status'), 'retired');
      // The image nobody worked on is predicted again, by the vessel model in use, its labels from the new model.
      const repredicted = await waitFor(
        'the untouched image predicted again',
        async () => readDb(app.serve.dbPath, (s) => latestMaskVersion(s, untouchedId, 'prediction')),
        120_000,
      );
      assert.equal(repredicted.modelId, vesselId);

      // Roll the task back after a confirmation; cancelling changes nothing.
      const rollback = row('artery-vein', av.baseModelId).getByTestId('rollback');
      await rollback.click();
      const dialog = app.page.getByTestId('rollback-dialog');
      assert.match(
        (await dialog.getByTestId('rollback-effect').textContent()) ?? '',
        new RegExp(
          `^${base.name} becomes the artery/vein model in use instead of ${av.candidateName.replace('+', '\\+')}\\.`,
        ),
      );
      await app.page.getByTestId('rollback-cancel').click();
      assert.equal(await dialog.count(), 0);
      assert.equal(activeId(app.serve.dbPath, 'artery-vein'), av.candidateModelId, 'cancel rolled back');
      await rollback.click();
      await app.page.getByTestId('rollback-confirm').click();
      await waitFor(
        'the artery/vein task rolled back',
        async () => (await row('artery-vein', av.baseModelId).getAttribute('data-in-use')) === 'true',
      );
      assert.equal(activeId(app.serve.dbPath, 'artery-vein'), av.baseModelId);
      assert.equal(activeId(app.serve.dbPath, 'vessel'), vesselId);
      await waitFor(
        'the comparison follows',
        async () => (await avPart.getAttribute('data-state')) === 'rolled-back',
      );
      await app.page.screenshot({
        path: await screenshotPath('15-anatomy-models-after-rollback'),
        fullPage: true,
      });
    });
  },
);
