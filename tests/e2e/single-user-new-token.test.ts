// `retina serve` started again with --new-token (or on another study) under an open window (chromium): the window
// can no longer get in. It says so (refused, not "cannot reach": the server is up), and what to do: open the
// address printed now; the edit it could not save is kept in the browser and, opened at the new address, saved
// onto the version it was made on.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { brushRadius, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { secondObserverSeed } from './seed-store.js';

describe(
  'the single-user server restarted with a new access token under an open window (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const seeded = secondObserverSeed(['01', '02'], ['01']);
    const app = useWorkstation({ seed: seeded.seed });

    test('the window says its token is refused, not that the server is out of reach', async () => {
      const { page } = app;
      const opened = app.serve.url;
      await page.goto(opened);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      await app.restart({ samePort: true, args: ['--new-token'] });
      assert.notEqual(app.serve.url, opened);
      await page.keyboard.press('b');
      await recordPointer(page);
      const radius = await brushRadius(page);
      const drawn = seeded.masks()[0].slice();
      replay(drawn, await drag(page, { x: 100, y: 250 }, { x: 400, y: 300 }), radius, 1);
      await waitFor(
        'the save failed',
        async () => (await page.getByTestId('save-state').textContent()) === 'Save failed',
      );
      const notice = await waitFor('the refusal said', async () => {
        const text = (await page.getByTestId('connection-lost').textContent()) ?? '';
        return /access token/.test(text) && text;
      });
      assert.doesNotMatch(notice, /Cannot reach/);
      assert.match(notice, /new access token or on another study/);
      assert.match(notice, /open the address it printed/i);
      assert.match(notice, /kept in this browser/);

      // Opened at the address printed now (leaving the page, which asks first: an edit is unsaved): the page is
      // loaded again, the edit offered and saved.
      page.once('dialog', (d) => void d.accept());
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('undelivered-edit').waitFor();
      await page.getByTestId('restore-undelivered').click();
      await waitFor('the kept edit saved as the draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, drawn),
      );
      await waitFor('the offer gone', async () => (await page.getByTestId('undelivered-edit').count()) === 0);
      // Saved: not offered again.
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      assert.equal(await page.getByTestId('undelivered-edit').count(), 0);
    });
  },
);
