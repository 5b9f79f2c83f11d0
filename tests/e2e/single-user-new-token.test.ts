// `retina serve` started again with --new-token (or on another study) under an open window (chromium): the window
// can no longer get in. It says so (refused, not "cannot reach": the server is up), and what to do: open the
// address printed now; the edit it could not save is kept in the browser and, opened at the new address, saved
// onto the version it was made on. An approval it could not deliver is kept the same way, offered back as an edit
// to save (never approved by itself); and when the browser cannot keep an edit, the window says so.
import { test, describe } from 'node:test';
import type { Dialog, Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { brushRadius, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { secondObserverSeed } from './seed-store.js';

/** A place on the page, as the flow's drag takes it. */
type Spot = Parameters<typeof drag>[1];

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

    /** Opens image 1 at the address printed now (leaving the page, which may ask first: an edit is unsaved). */
    const openAgain = async (page: Page) => {
      const leave = (d: Dialog) => void d.accept();
      page.on('dialog', leave);
      try {
        await page.goto(app.serve.url);
      } finally {
        page.off('dialog', leave);
      }
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
    };

    /** The server started again with a new token under the page, then a brush stroke from `from` to `to`. */
    const strokeUnderNewToken = async (page: Page, from: Spot, to: Spot) => {
      await app.restart({ samePort: true, args: ['--new-token'] });
      await page.keyboard.press('b');
      await recordPointer(page);
      const radius = await brushRadius(page);
      return { radius, points: await drag(page, from, to) };
    };

    test('an approval the server refused is kept too, and offered back as an edit to save, not approved', async () => {
      const { page } = app;
      await openAgain(page);
      const drawn = (await storedMask(app.serve.dbPath, 1, 'draft'))!.data.slice();
      const { points, radius } = await strokeUnderNewToken(page, { x: 150, y: 400 }, { x: 420, y: 420 });
      replay(drawn, points, radius, 1);
      await page.keyboard.press('a');
      await page.getByTestId('connection-lost').filter({ hasText: 'access token' }).waitFor();

      await openAgain(page);
      const offer = page.getByTestId('undelivered-edit');
      await offer.waitFor();
      assert.match((await offer.textContent()) ?? '', /approval of this image .* not approved/);
      await page.getByTestId('restore-undelivered').click();
      await waitFor('the approved mask saved as a draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, drawn),
      );
      assert.equal(await storedMask(app.serve.dbPath, 1, 'approved'), null, 'approved without the user');
    });

    test('an edit the browser cannot keep (its storage refuses it) is said to be only in the window', async () => {
      const { page } = app;
      // The browser's storage full (or refused, as in some private windows): every write to it fails.
      await page.addInitScript({
        content: `IDBObjectStore.prototype.put = () => {
          throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
        };`,
      });
      await openAgain(page);
      await strokeUnderNewToken(page, { x: 120, y: 150 }, { x: 300, y: 160 });
      // Said where the edit is, and stays said (not only a passing toast).
      const only = /could not keep it \(the quota has been exceeded\): it is only in\s+this window/;
      await page.getByTestId('edit-not-kept').filter({ hasText: only }).waitFor();
    });
  },
);
