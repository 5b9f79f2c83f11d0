// A prediction started (P) just before an earlier version is opened from the History, in a real browser (browser
// mode, chromium): the predict request is held until the version is on screen, so the job finishes under the
// preview. Its arrival is held, said in a toast, and the preview stays; going back shows the new prediction.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Route } from 'playwright-core';
import { listMaskVersions, openStore } from '../../main/store/index.js';
import { drag, recordPointer, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const predictions = (dbPath: string): number => {
  const store = openStore(dbPath, { readonly: true });
  try {
    return listMaskVersions(store, 1).filter((v) => v.kind === 'prediction').length;
  } finally {
    store.close();
  }
};

describe(
  'a prediction arriving while an earlier version is shown (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        await seedSecondObserverPredictions(store, ['01'], ['01']);
        store.close();
      },
    });

    test('the arrival is held with a notice and the preview stays', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.locator('[data-testid="review-state"][data-status="predicted"]').waitFor();
      await recordPointer(page);
      await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 });
      await page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
      // P pressed, its request held until version 1 is on screen.
      let release: () => void = () => {};
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/rpc/predict', async (route: Route) => {
        await held;
        await route.continue();
      });
      await page.keyboard.press('p');
      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="1"]').click();
      await page.getByTestId('version-preview').waitFor();
      release();
      await waitFor('the new prediction', async () => (predictions(app.serve.dbPath) === 2 ? true : null));
      await page
        .locator('.toast', { hasText: 'The new prediction is ready: go back to the current mask' })
        .waitFor();
      assert.match(
        (await page.getByTestId('version-preview').textContent()) ?? '',
        /^Version 1, predicted by/,
      );
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      assert.equal(await page.getByTestId('tool-brush').isDisabled(), false);
    });
  },
);
