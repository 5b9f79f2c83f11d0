// A save or an approval that reached the server and was made, but whose answer the network dropped, and then the page
// is loaded again (browser mode, chromium): the edit the browser kept is offered back, and "Save it now" is answered
// with what the lost save made (the approval: the user is told the image is approved), not refused as stale against
// the user's own version and kept as a draft of its own. Checked against the SQLite file.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Route } from 'playwright-core';
import { listKeptDrafts, listMaskVersions, openStore } from '../../main/store/index.js';
import { brushRadius, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { secondObserverSeed } from './seed-store.js';

const SAVES = ['**/rpc/saveDraft', '**/rpc/approveMask'];

describe(
  'an edit kept in the browser whose save was made, its answer lost, the page loaded again (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const seeded = secondObserverSeed(['01', '02'], ['01', '02']);
    const app = useWorkstation({ seed: seeded.seed });

    /** Every save and approval reaches the server (and is made); its answer is dropped on the way back. */
    const dropAnswers = async (page: Page) => {
      const drop = async (route: Route) => {
        // The page may be leaving meanwhile (its last save sent as it goes): then there is nothing to drop.
        await route.fetch().catch(() => {});
        await route.abort('connectionreset').catch(() => {});
      };
      for (const s of SAVES) await page.route(s, drop);
    };

    /** The edit of `imageId` this browser keeps (read from IndexedDB in the page), or null. */
    const keptHere = async (page: Page, imageId: number) =>
      (await page.evaluate(`new Promise((resolve, reject) => {
        const req = indexedDB.open('retina-undelivered-edits');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result.transaction('edits').objectStore('edits').getAll();
          all.onsuccess = () => {
            const e = all.result.find((x) => x.imageId === '${imageId}');
            req.result.close();
            resolve(e ? { approval: e.approval === true } : null);
          };
        };
      })`)) as { approval: boolean } | null;

    const openImage = async (page: Page, imageId: number) => {
      await page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await page.getByTestId('mask-canvas').waitFor();
    };

    /** The page loaded again (it asks first: an edit is unsaved) with answers still dropped, then the network back. */
    const reload = async (page: Page) => {
      page.once('dialog', (d) => void d.accept());
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      for (const s of SAVES) await page.unroute(s);
    };

    const stroke = async (page: Page, imageId: number, from: { x: number; y: number }) => {
      await page.keyboard.press('b');
      await recordPointer(page);
      const drawn = (
        (await storedMask(app.serve.dbPath, imageId, 'draft'))?.data ?? seeded.masks()[imageId - 1]
      ).slice();
      replay(drawn, await drag(page, from, { x: from.x + 300, y: from.y + 40 }), await brushRadius(page), 1);
      return drawn;
    };

    /**
     * The page loaded again, the network back, the kept edit of `imageId` offered and saved ("Save it now"): the
     * image's versions then, after checking the edit was not refused and kept aside as a draft of its own.
     */
    const saveItNowAfterReload = async (page: Page, imageId: number) => {
      await reload(page);
      await openImage(page, imageId);
      await page.getByTestId('undelivered-edit').waitFor();
      await page.getByTestId('restore-undelivered').click();
      await waitFor('the offer gone', async () => (await page.getByTestId('undelivered-edit').count()) === 0);
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        assert.deepEqual(
          listKeptDrafts(store, imageId).map((k) => k.reason),
          [],
          "the user's own lost save was taken for someone else's: the edit refused and kept aside",
        );
        return listMaskVersions(store, imageId);
      } finally {
        store.close();
      }
    };
    const count = (versions: { kind: string }[], kind: string) =>
      versions.filter((v) => v.kind === kind).length;

    test('a draft saved, its answer lost: Save it now is answered with that draft, nothing kept aside', async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await openImage(page, 1);
      await dropAnswers(page);
      const drawn = await stroke(page, 1, { x: 100.5, y: 250.5 });
      await page.getByTestId('save-state').filter({ hasText: 'Save failed' }).waitFor();
      await waitFor('the draft made on the server', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, drawn),
      );
      await waitFor('the edit kept in the browser', () => keptHere(page, 1));

      const after = await saveItNowAfterReload(page, 1);
      assert.equal(count(after, 'draft'), 1, 'the draft made twice');
      assert.equal(await keptHere(page, 1), null);
    });

    test('an approval made, its answer lost: Save it now says it is approved, approves nothing more', async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await openImage(page, 2);
      const drawn = await stroke(page, 2, { x: 120.5, y: 400.5 });
      await page
        .getByTestId('save-state')
        .filter({ hasText: /^Saved$/ })
        .waitFor();
      await dropAnswers(page);
      await page.keyboard.press('a');
      await waitFor('the approval made on the server', async () =>
        same((await storedMask(app.serve.dbPath, 2, 'approved'))?.data, drawn),
      );
      await waitFor('the approved mask kept in the browser', async () => (await keptHere(page, 2))?.approval);

      const after = await saveItNowAfterReload(page, 2);
      assert.equal(count(after, 'approved'), 1, 'approved twice');
      assert.equal(
        count(after, 'draft'),
        1, // the stroke's
        'a draft over the approval',
      );
      await page
        .locator('.toast', { hasText: /approval .* reached the server: the image is approved/ })
        .waitFor();
    });
  },
);
