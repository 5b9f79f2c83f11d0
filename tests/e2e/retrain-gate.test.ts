// The promotion gate in a real browser: a study whose approvals are all the model's own unedited predictions
// (the first thing a new clinic does). The bundled model in use reads "in use", not "candidate"; the promotion
// margin is editable; Retrain explains at once why it cannot judge a new model and what would help, instead of
// training for minutes and judging on references that can only make the candidate lose.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import { defaultModelDir } from '../../main/ml/model/model-dir.js';
import {
  approveMaskVersion,
  importImageFiles,
  listTrainingRuns,
  openStore,
  registerModel,
  saveMaskVersion,
} from '../../main/store/index.js';
import { readSettings, settingsPath } from '../../main/retrain/settings.js';
import { waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { datasetsRoot } from './model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');
const IMAGES = ['21', '22', '23', '24'];

describe(
  'promotion gate in the browser (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: async (dbPath) => {
        // The bundled model, registered as the server would (a candidate: nothing was promoted yet), and four
        // images whose approved masks are its predictions, approved unchanged.
        const store = openStore(dbPath);
        const model = registerModel(
          store,
          { name: 'default', dirPath: defaultModelDir(), architecture: {} },
          'test',
        );
        const report = await importImageFiles(
          store,
          IMAGES.map((n) => ({
            imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
            fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
          })),
          { actor: 'annotator' },
        );
        for (const [i, im] of report.imported.entries()) {
          const mask = await readBinaryMap(path.join(DRIVE, '1st_manual', `${IMAGES[i]}_manual1.gif`));
          const p = await saveMaskVersion(store, {
            imageId: im.imageId,
            kind: 'prediction',
            author: 'model',
            modelId: model.id,
            mask,
            threshold: 0.5,
          });
          approveMaskVersion(store, p.id, 'annotator');
        }
        store.close();
        await writeFile(settingsPath(dbPath), JSON.stringify({ epochs: 1, stepsPerEpoch: 3, batchSize: 4 }));
      },
    });

    test('the model in use says so; Retrain explains why it cannot judge and what would help', async () => {
      await app.page.goto(app.serve!.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.getByTestId('nav-models').click();
      await app.page.getByTestId('models-screen').waitFor();

      const row = app.page.locator('[data-testid="model-row"][data-in-use="true"]');
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'candidate');
      assert.equal(await row.getByTestId('model-status').textContent(), 'in use');
      await waitFor('4 new approvals', async () =>
        /^4 approved masks new since the last retrain/.test(
          (await app.page.getByTestId('new-approvals').textContent()) ?? '',
        ),
      );

      // The gate's margin is a setting the screen edits.
      await app.page.getByLabel('Promotion margin (F1)').fill('0.01');
      await app.page.getByLabel('Promotion margin (F1)').blur();
      await waitFor(
        'the margin saved',
        async () => readSettings(settingsPath(app.serve.dbPath)).promotionMargin === 0.01,
      );

      await app.page.getByTestId('retrain').click();
      const progress = app.page.locator('[data-testid="retrain-progress"][data-state="refused"]');
      await progress.waitFor({ timeout: 60_000 });
      const message = (await app.page.getByTestId('retrain-message').textContent()) ?? '';
      assert.match(message, /Not enough corrected images to judge a new model/);
      assert.match(message, /model's own predictions unchanged/);
      assert.match(message, /Approve 3 more images that you corrected, then retrain\.$/);
      assert.match((await progress.textContent()) ?? '', /Retrain not started/);
      // Explained in place, not as an error toast, and nothing was trained or judged.
      assert.equal(await app.page.locator('.toast', { hasText: 'Not enough corrected' }).count(), 0);
      assert.equal(await app.page.getByTestId('comparison').count(), 0);
      await app.page.screenshot({ path: await screenshotPath('13-retrain-not-judged') });
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        assert.equal(listTrainingRuns(store, { limit: 10 }).length, 0);
      } finally {
        store.close();
      }
    });
  },
);
