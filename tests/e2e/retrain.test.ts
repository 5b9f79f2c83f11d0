// Retraining in a real browser (browser mode): corrected masks approved in the viewer, Retrain pressed on the
// Models screen, progress (loss curve, ETA) watched, the comparison and the gate's verdict shown (a margin no
// candidate can clear, so "Promote anyway" needs a reason and says so), the candidate promoted; after a server
// restart the new model is still the active one, and rollback (after a confirmation) restores the old one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
import {
  buildRenderer,
  chromiumAvailable,
  launchChromium,
  screenshotPath,
  startServe,
  type ServeProcess,
  stopServeCleanly,
} from './harness.js';
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
    let dbPath: string;
    let rendererDir: string;
    let serve: ServeProcess | null = null;
    let browser: Browser;
    let page: Page;

    const open = async (): Promise<void> => {
      serve = await startServe({ rendererDir, dbPath });
      await page.goto(serve.url);
      await page.getByTestId('worklist').waitFor();
    };
    const stop = async (): Promise<void> => {
      await stopServeCleanly(serve);
      serve = null;
    };

    before(async () => {
      const [modelDir, built] = await Promise.all([tinyModelDir(), buildRenderer()]);
      rendererDir = built;
      dbPath = path.join(await mkdtemp(path.join(tmpdir(), 'retina-e2e-retrain-')), 'retina.db');
      // A database whose active model is the tiny one, with five images whose corrected masks are drafts.
      const store = openStore(dbPath);
      promoteModel(
        store,
        registerModel(store, { name: 'e2e-tiny', dirPath: modelDir, architecture: {} }, 'test').id,
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
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (err) => console.error('page error:', err.message));
    });

    after(async () => {
      await browser?.close();
      if (serve) await stop();
    });

    test('approve, retrain, watch, compare, promote; restart keeps it; rollback restores the old model', async () => {
      await open();
      assert.match((await page.getByTestId('active-model').textContent()) ?? '', /e2e-tiny/);

      // Approve the five corrected masks in the viewer: A approves what is on screen and opens the next one.
      await waitFor('five rows', async () => (await page.getByTestId('image-row').count()) === IMAGES.length);
      await page.getByTestId('image-row').first().dblclick();
      for (let i = 0; i < IMAGES.length; i++) {
        await page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
        const shown = await page.getByTestId('viewer').getAttribute('data-image-id');
        await page.keyboard.press('a');
        if (i < IMAGES.length - 1) {
          await waitFor('the next image', async () =>
            (await page.getByTestId('viewer').getAttribute('data-image-id')) !== shown ? true : null,
          );
        }
      }
      await page.locator('.toast', { hasText: 'Every image in this list is approved' }).waitFor();
      await page.keyboard.press('Escape');
      await waitFor('all approved', async () => {
        const s = await page.getByTestId('image-status').allTextContents();
        return s.length === IMAGES.length && s.every((x) => x === 'approved');
      });

      // Models screen: five new approvals; press Retrain and watch the progress.
      await page.getByTestId('nav-models').click();
      await page.getByTestId('models-screen').waitFor();
      await waitFor('5 new approvals', async () =>
        /^5 approved masks/.test((await page.getByTestId('new-approvals').textContent()) ?? ''),
      );
      await page.getByTestId('retrain').click();
      const progress = page.getByTestId('retrain-progress');
      await waitFor(
        'training steps on the loss curve',
        async () => Number((await page.getByTestId('loss-curve').getAttribute('data-points')) ?? 0) >= 3,
        180_000, // a hang guard: usually 17 s
      );
      assert.match((await page.getByTestId('retrain-eta').textContent()) ?? '', /ETA \d/);
      await page.screenshot({ path: await screenshotPath('10-retrain-progress') });
      await waitFor(
        'the run to finish',
        async () => (await progress.getAttribute('data-state')) === 'succeeded',
        120_000,
      );

      // The comparison: both models on the held-out image(s), per image, with overlays.
      const comparison = page.getByTestId('comparison');
      await comparison.waitFor();
      assert.match(
        (await page.getByTestId('comparison-table').textContent()) ?? '',
        /e2e-tiny.*e2e-tiny\+r\d+/s,
      );
      assert.ok((await page.locator('[data-testid="per-image"] tbody tr').count()) >= 1);
      await page.locator('[data-testid="overlay"] img').first().waitFor();
      await page.screenshot({ path: await screenshotPath('11-retrain-comparison'), fullPage: true });
      const header = (await page.locator('[data-testid="comparison-table"] th').nth(2).textContent()) ?? '';
      const candidateName = header.replace(/^Candidate: /, '');
      assert.match(candidateName, /^e2e-tiny\+r\d+$/);

      // The verdict in words: judged on the 3 held-out images the annotators made, with its interval.
      const decision = page.getByTestId('decision');
      assert.equal(await decision.getAttribute('data-judged'), 'true');
      assert.equal(await comparison.getAttribute('data-better'), 'false');
      assert.match(
        (await page.getByTestId('verdict-usable').textContent()) ?? '',
        /^Judged on 3 of 3 held-out images/,
      );
      assert.match(
        (await page.getByTestId('verdict-interval').textContent()) ?? '',
        /95% interval [+-]\d\.\d{3} to [+-]\d\.\d{3}; promoted only when the lower end is above \+0\.500/,
      );
      assert.match((await page.getByTestId('verdict-reason').textContent()) ?? '', /on 3 corrected images: /);
      assert.ok(await page.getByTestId('verdict-advice').isVisible());
      // "Promote anyway" with no reason says one is required, and promotes nothing.
      await page.getByTestId('promote').click();
      await page.getByTestId('reason-required').waitFor();
      assert.equal(await page.getByTestId('promote-reason').getAttribute('aria-invalid'), 'true');
      assert.equal(activeName(dbPath), 'e2e-tiny');
      await page.getByTestId('promote-reason').fill('the annotators checked it');
      assert.equal(await page.getByTestId('reason-required').count(), 0);
      await page.getByTestId('promote').click();
      await waitFor('the candidate active', async () =>
        /is active/.test((await page.getByTestId('candidate-status').textContent()) ?? ''),
      );
      await waitFor('the top bar shows the new model', async () =>
        ((await page.getByTestId('active-model').textContent()) ?? '').includes(candidateName),
      );
      assert.equal(activeName(dbPath), candidateName);
      // Approved masks are untouched by the re-prediction that follows a promotion.
      const store = openStore(dbPath, { readonly: true });
      for (let id = 1; id <= IMAGES.length; id++) assert.equal(latestMasks(store, id).prediction, null);
      store.close();

      // Restart the server: the promoted model is still the active one.
      await stop();
      await open();
      assert.match(
        (await page.getByTestId('active-model').textContent()) ?? '',
        new RegExp(candidateName.replace('+', '\\+')),
      );

      // Roll back to the old model, after confirming; the comparison shown stops saying the candidate is active.
      await page.getByTestId('nav-models').click();
      await page.locator(`[data-testid="model-row"][data-status="active"] [data-testid="show-run"]`).click();
      await waitFor('the candidate shown active', async () =>
        /is active/.test((await page.getByTestId('candidate-status').textContent()) ?? ''),
      );
      const rollback = page.locator(
        '[data-testid="model-row"][data-status="retired"] [data-testid="rollback"]',
      );
      await rollback.first().click();
      await page.getByTestId('rollback-dialog').waitFor();
      await page.getByTestId('rollback-cancel').click();
      assert.equal(await page.getByTestId('rollback-dialog').count(), 0);
      assert.equal(activeName(dbPath), candidateName, 'cancel rolled back');
      await rollback.first().click();
      await page.getByTestId('rollback-confirm').click();
      await waitFor('the old model active again', async () =>
        /Model: e2e-tiny · /.test((await page.getByTestId('active-model').textContent()) ?? ''),
      );
      assert.equal(activeName(dbPath), 'e2e-tiny');
      await waitFor('the comparison updated', async () =>
        /is retired/.test((await page.getByTestId('candidate-status').textContent()) ?? ''),
      );
      await page.screenshot({ path: await screenshotPath('12-models-after-rollback'), fullPage: true });
    });
  },
);
