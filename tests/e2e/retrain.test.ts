// Retraining in a real browser (browser mode): corrected masks approved in the viewer, Retrain pressed on the
// Models screen, progress (loss curve, ETA) watched, the comparison and the gate's verdict shown (a margin no
// candidate can clear, so "Promote anyway" needs a reason and says so), the candidate promoted; after a server
// restart the new model is still the active one, and rollback (after a confirmation) restores the old one.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  activeModel,
  importImageFiles,
  latestMasks,
  openStore,
  promoteModel,
  registerModel,
} from '../../main/store/index.js';
import { settingsPath } from '../../main/retrain/settings.js';
import { waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { datasetsRoot, tinyModelDir } from './model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');
const IMAGES = ['21', '22', '23', '24', '25'];

function activeName(dbPath: string): string | null {
  const store = openStore(dbPath, { readonly: true });
  try {
    return activeModel(store)?.name ?? null;
  } finally {
    store.close();
  }
}

describe(
  'retrain end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      viewport: { width: 1280, height: 900 },
      seed: async (dbPath) => {
        // A database whose active model is the tiny one, with five images whose corrected masks are drafts.
        const store = openStore(dbPath);
        promoteModel(
          store,
          registerModel(store, { name: 'e2e-tiny', dirPath: await tinyModelDir(), architecture: {} }, 'test')
            .id,
          'test',
        );
        const files = IMAGES.map((n) => ({
          imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
          maskPath: path.join(DRIVE, '1st_manual', `${n}_manual1.gif`),
          fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
        }));
        await importImageFiles(store, files, { actor: 'annotator', maskKind: 'draft' });
        store.close();
        // A short fine-tune: the flow, not the model, is under test here. The widest margin: never "better".
        await writeFile(
          settingsPath(dbPath),
          JSON.stringify({
            epochs: 2,
            stepsPerEpoch: 10,
            batchSize: 4,
            replayImages: 0,
            learningRate: 3e-3,
            promotionMargin: 0.5,
          }),
        );
      },
    });

    const open = async (): Promise<void> => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
    };

    test('approve, retrain, watch, compare, promote; restart keeps it; rollback restores the old model', async () => {
      await open();
      assert.match((await app.page.getByTestId('active-model').textContent()) ?? '', /e2e-tiny/);

      // Approve the five corrected masks in the viewer: A approves what is on screen and opens the next one.
      await waitFor(
        'five rows',
        async () => (await app.page.getByTestId('image-row').count()) === IMAGES.length,
      );
      await app.page.getByTestId('image-row').first().dblclick();
      for (let i = 0; i < IMAGES.length; i++) {
        await app.page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
        const shown = await app.page.getByTestId('viewer').getAttribute('data-image-id');
        await app.page.keyboard.press('a');
        if (i < IMAGES.length - 1) {
          await waitFor('the next image', async () =>
            (await app.page.getByTestId('viewer').getAttribute('data-image-id')) !== shown ? true : null,
          );
        }
      }
      await app.page.locator('.toast', { hasText: 'Every image in this list is approved' }).waitFor();
      await app.page.keyboard.press('Escape');
      await waitFor('all approved', async () => {
        const s = await app.page.getByTestId('image-status').allTextContents();
        return s.length === IMAGES.length && s.every((x) => x === 'approved');
      });

      // Models screen: five new approvals; press Retrain and watch the progress.
      await app.page.getByTestId('nav-models').click();
      await app.page.getByTestId('models-screen').waitFor();
      await waitFor('5 new approvals', async () =>
        /^5 approved masks/.test((await app.page.getByTestId('new-approvals').textContent()) ?? ''),
      );
      await app.page.getByTestId('retrain').click();
      const progress = app.page.getByTestId('retrain-progress');
      await waitFor(
        'training steps on the loss curve',
        async () => Number((await app.page.getByTestId('loss-curve').getAttribute('data-points')) ?? 0) >= 3,
        180_000, // a hang guard: usually 17 s
      );
      assert.match((await app.page.getByTestId('retrain-eta').textContent()) ?? '', /ETA \d/);
      await app.page.screenshot({ path: await screenshotPath('10-retrain-progress') });
      await waitFor(
        'the run to finish',
        async () => (await progress.getAttribute('data-state')) === 'succeeded',
        120_000,
      );

      // The comparison: both models on the held-out image(s), per image, with overlays.
      const comparison = app.page.getByTestId('comparison');
      await comparison.waitFor();
      assert.match(
        (await app.page.getByTestId('comparison-table').textContent()) ?? '',
        /e2e-tiny.*e2e-tiny\+r\d+/s,
      );
      assert.ok((await app.page.locator('[data-testid="per-image"] tbody tr').count()) >= 1);
      await app.page.locator('[data-testid="overlay"] img').first().waitFor();
      await app.page.screenshot({ path: await screenshotPath('11-retrain-comparison'), fullPage: true });
      const header =
        (await app.page.locator('[data-testid="comparison-table"] th').nth(2).textContent()) ?? '';
      const candidateName = header.replace(/^Candidate: /, '');
      assert.match(candidateName, /^e2e-tiny\+r\d+$/);

      // The verdict in words: judged on the 3 held-out images the annotators made, with its interval.
      const decision = app.page.getByTestId('decision');
      assert.equal(await decision.getAttribute('data-judged'), 'true');
      assert.equal(await comparison.getAttribute('data-better'), 'false');
      assert.match(
        (await app.page.getByTestId('verdict-usable').textContent()) ?? '',
        /^Judged on 3 of 3 held-out images/,
      );
      assert.match(
        (await app.page.getByTestId('verdict-interval').textContent()) ?? '',
        /95% interval [+-]\d\.\d{3} to [+-]\d\.\d{3}; promoted only when the lower end is above \+0\.500/,
      );
      assert.match(
        (await app.page.getByTestId('verdict-reason').textContent()) ?? '',
        /on 3 corrected images: /,
      );
      assert.ok(await app.page.getByTestId('verdict-advice').isVisible());
      // "Promote anyway" with no reason says one is required, and promotes nothing.
      await app.page.getByTestId('promote').click();
      await app.page.getByTestId('reason-required').waitFor();
      assert.equal(await app.page.getByTestId('promote-reason').getAttribute('aria-invalid'), 'true');
      assert.equal(activeName(app.serve.dbPath), 'e2e-tiny');
      await app.page.getByTestId('promote-reason').fill('the annotators checked it');
      assert.equal(await app.page.getByTestId('reason-required').count(), 0);
      await app.page.getByTestId('promote').click();
      await waitFor('the candidate active', async () =>
        /is active/.test((await app.page.getByTestId('candidate-status').textContent()) ?? ''),
      );
      await waitFor('the top bar shows the new model', async () =>
        ((await app.page.getByTestId('active-model').textContent()) ?? '').includes(candidateName),
      );
      assert.equal(activeName(app.serve.dbPath), candidateName);
      // Approved masks are untouched by the re-prediction that follows a promotion.
      const store = openStore(app.serve.dbPath, { readonly: true });
      for (let id = 1; id <= IMAGES.length; id++) assert.equal(latestMasks(store, id).prediction, null);
      store.close();

      // Restart the server: the promoted model is still the active one.
      await app.restart();
      await open();
      assert.match(
        (await app.page.getByTestId('active-model').textContent()) ?? '',
        new RegExp(candidateName.replace('+', '\\+')),
      );

      // Roll back to the old model, after confirming; the comparison shown stops saying the candidate is active.
      await app.page.getByTestId('nav-models').click();
      await app.page
        .locator(`[data-testid="model-row"][data-status="active"] [data-testid="show-run"]`)
        .click();
      await waitFor('the candidate shown active', async () =>
        /is active/.test((await app.page.getByTestId('candidate-status').textContent()) ?? ''),
      );
      const rollback = app.page.locator(
        '[data-testid="model-row"][data-status="retired"] [data-testid="rollback"]',
      );
      await rollback.first().click();
      await app.page.getByTestId('rollback-dialog').waitFor();
      await app.page.getByTestId('rollback-cancel').click();
      assert.equal(await app.page.getByTestId('rollback-dialog').count(), 0);
      assert.equal(activeName(app.serve.dbPath), candidateName, 'cancel rolled back');
      await rollback.first().click();
      await app.page.getByTestId('rollback-confirm').click();
      await waitFor('the old model active again', async () =>
        /Model: e2e-tiny · /.test((await app.page.getByTestId('active-model').textContent()) ?? ''),
      );
      assert.equal(activeName(app.serve.dbPath), 'e2e-tiny');
      await waitFor('the comparison updated', async () =>
        /is retired/.test((await app.page.getByTestId('candidate-status').textContent()) ?? ''),
      );
      await app.page.screenshot({ path: await screenshotPath('12-models-after-rollback'), fullPage: true });
    });
  },
);
