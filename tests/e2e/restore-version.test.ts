// Restoring an earlier mask version from the History in a real browser (browser mode): the prediction opened before
// any edit differs from the current mask nowhere and offers no restore (it is the current one); a brush stroke makes
// a draft, "Open version 1" in the History shows the prediction over it (read-only, the stroke's pixels counted), "Back to
// the current mask" keeps the draft, and "Restore as the current mask" makes the prediction's pixels the newest
// draft on top of the stroke, checked against the SQLite file; the History then says "restored version 1".
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { listMaskVersions, openStore } from '../../main/store/index.js';
import { brushRadius, countDiff, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const kinds = (dbPath: string): string[] => {
  const store = openStore(dbPath, { readonly: true });
  try {
    return listMaskVersions(store, 1).map((v) => v.kind);
  } finally {
    store.close();
  }
};

describe(
  'restoring an earlier version from the History (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let seeded: Uint8Array[];
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        seeded = await seedSecondObserverPredictions(store, ['01'], ['01']);
        store.close();
      },
    });

    test('open the prediction from the History, go back, then restore it over a stroke', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.locator('[data-testid="review-state"][data-status="predicted"]').waitFor();
      // Nothing saved yet: the prediction is the current mask, and opening it says it differs nowhere.
      await page.locator('[data-testid="history"] summary').click();
      const open1 = page.locator('[data-testid="history-open"][data-version="1"]');
      await open1.click();
      await page.getByTestId('version-preview').waitFor();
      assert.match(
        (await page.getByTestId('version-preview').textContent()) ?? '',
        /differs from the current mask at 0 pixels/,
      );
      // It is the current mask: nothing to restore (the server would refuse it).
      await page.getByTestId('version-is-current').waitFor();
      assert.equal(await page.getByTestId('restore-version').count(), 0);
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      await recordPointer(page);
      const radius = await brushRadius(page);
      const stroked = seeded[0].slice();
      replay(stroked, await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 }), radius, 1);
      const changed = countDiff(stroked, seeded[0]);
      assert.ok(changed > 500, 'the stroke changed too little to test');
      await waitFor('the draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, stroked),
      );

      await open1.click();
      const notice = page.getByTestId('version-preview');
      await notice.waitFor();
      const text = (await notice.textContent()) ?? '';
      assert.match(text, /^Version 1, predicted by model:/);
      assert.match(
        text,
        new RegExp(`differs from the current mask at ${changed.toLocaleString('en-US')} pixels`),
      );
      // Shown, not editing: the brush is off while the earlier version is on screen.
      assert.equal(await page.getByTestId('tool-brush').isDisabled(), true);
      // Not predicted over while another version is shown: P says so, the button is off.
      assert.equal(await page.getByTestId('predict').isDisabled(), true);
      await page.keyboard.press('p');
      await page.locator('.toast', { hasText: 'go back to the current mask to predict' }).waitFor();
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      assert.deepEqual(kinds(app.serve.dbPath), ['prediction', 'draft']);

      await open1.click();
      await page.getByTestId('restore-version').click();
      await page.locator('.toast', { hasText: 'Version 1 restored as version 3.' }).waitFor();
      assert.deepEqual(kinds(app.serve.dbPath), ['prediction', 'draft', 'draft']);
      assert.ok(same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, seeded[0]));
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      assert.equal(await page.getByTestId('tool-brush').isDisabled(), false);
      await waitFor('the History says so', async () =>
        (await page.getByTestId('history-entries').locator('.what').allTextContents()).at(-1) ===
        'restored version 1'
          ? true
          : null,
      );

      // Approved: an earlier version is offered for restoring only after a reopen, not refused after a click.
      await page.getByTestId('approve').click();
      await page.locator('[data-testid="review-state"][data-status="approved"]').waitFor();
      await page.locator('[data-testid="history-open"][data-version="2"]').click();
      await page.getByTestId('version-needs-reopen').waitFor();
      assert.equal(await page.getByTestId('restore-version').count(), 0);
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.getByTestId('reopen').waitFor();
    });
  },
);
