// The History's earlier versions by keyboard alone in chromium: opening one takes focus to the notice that shows it
// (its Restore follows at once, not somewhere before the panel), "Back to the current mask" gives focus back to the
// entry that opened it, and Restore leaves focus in the History (not on the page's body) with the outcome read out.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, saveMaskVersion } from '../../main/store/index.js';
import { holdsFocus, waitFor, W, H } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

describe(
  'restoring a version from the History by keyboard (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      // 01_test.tif: version 1 the prediction, version 2 a draft over it (every pixel a vessel).
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        try {
          await seedSecondObserverPredictions(store, ['01'], ['01']);
          await saveMaskVersion(store, {
            imageId: 1,
            kind: 'draft',
            author: 'ann',
            mask: { width: W, height: H, data: new Uint8Array(W * H).fill(1) },
          });
        } finally {
          store.close();
        }
      },
    });
    /** Whether focus is on the History's "Open version 1". */
    const onOpen1 = async () =>
      (await focused()) === 'history-open' &&
      (await app.page.evaluate<string>('document.activeElement.dataset.version')) === '1';
    // Focus handed on after the notice goes (dropped to the body, it stays there: the assertions after say where).
    const focusSettled = () =>
      waitFor('focus handed on', async () => (await focused()) !== 'BODY', 5000).catch(() => {});
    const focused = () =>
      app.page.evaluate<string>(
        '(() => { const el = document.activeElement; return el?.dataset?.testid ?? el?.tagName ?? ""; })()',
      );

    test('Open version, Back, Restore: focus follows the notice and comes back to the History', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.getByTestId('image-row').first().waitFor();
      await page.getByTestId('worklist').focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
      await page.locator('[data-testid="history"] summary').focus();
      await page.keyboard.press('Enter');
      const open1 = page.locator('[data-testid="history-open"][data-version="1"]');
      await open1.waitFor();
      for (let i = 0; i < 6 && !(await onOpen1()); i++) await page.keyboard.press('Tab');
      assert.equal(await onOpen1(), true, 'Tab never reached it');

      await page.keyboard.press('Enter');
      await page.getByTestId('version-preview').waitFor();
      assert.equal(await holdsFocus(page, 'version-preview'), true, 'focus stayed behind in the History');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'restore-version', 'Restore is not the next stop');

      // Back to the current mask: focus goes back to the entry that opened the version.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      await focusSettled();
      assert.equal(await onOpen1(), true, 'not back on Open');

      await page.keyboard.press('Enter');
      await page.getByTestId('version-preview').waitFor();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: 'Version 1 restored as version 3.' }).waitFor();
      await page.locator('[data-testid="history-entries"]', { hasText: 'restored version 1' }).waitFor();
      await focusSettled();
      assert.equal(await holdsFocus(page, 'history'), true, `focus went to ${await focused()}`);
      // Back on version 1's entry, not on another entry in its place.
      assert.equal(await onOpen1(), true, 'not on Open version 1');
    });
  },
);
