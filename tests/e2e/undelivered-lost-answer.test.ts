// A save or an approval that reached the server and was made, but whose answer the network dropped, and then the page
// is loaded again (browser mode, chromium): the edit the browser kept is not offered as unsaved, the user is told it
// had reached the server (the approval: that the image was approved). Where the server cannot be asked, it is offered
// back, and "Save it now" is answered with what the lost save made, not refused as stale against the user's own
// version and kept as a draft of its own. A restore or an adoption whose answer was lost is told the same way after
// the page is loaded again. Checked against the SQLite file.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialog, Page, Route } from 'playwright-core';
import { listKeptDrafts, listMaskVersions, openStore, saveMaskVersion } from '../../main/store/index.js';
import { brushRadius, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { secondObserverSeed } from './seed-store.js';

const SAVES = ['**/rpc/saveDraft', '**/rpc/approveMask'];

describe(
  'an edit kept in the browser whose save was made, its answer lost, the page loaded again (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const names = ['01', '02', '03', '04', '05', '06', '07'];
    const seeded = secondObserverSeed(names, names);
    const app = useWorkstation({
      seed: async (dbPath) => {
        await seeded.seed(dbPath);
        // Image 5: a colleague's draft on the prediction, then another's edit of the prediction refused and kept.
        const store = openStore(dbPath);
        try {
          const prediction = listMaskVersions(store, 5)[0];
          const { width, height } = prediction;
          const edited = (n: number) => ({
            width,
            height,
            data: seeded.masks()[4].map((v, i) => (i < n ? 1 : v)),
          });
          await saveMaskVersion(store, {
            imageId: 5,
            kind: 'draft',
            author: 'colleague',
            mask: edited(2000),
            parentId: prediction.id,
          });
          await saveMaskVersion(store, {
            imageId: 5,
            kind: 'draft',
            author: 'another',
            mask: edited(9000),
            parentId: prediction.id,
            editor: { clientId: null, nowMs: Date.now() },
          }).catch(() => {}); // refused as stale: kept
          assert.equal(listKeptDrafts(store, 5).length, 1);
        } finally {
          store.close();
        }
      },
    });

    /** Every save and approval reaches the server (and is made); its answer is dropped on the way back. */
    const dropAnswers = async (page: Page, channels = SAVES) => {
      const drop = async (route: Route) => {
        // The page may be leaving meanwhile (its last save sent as it goes): then there is nothing to drop.
        await route.fetch().catch(() => {});
        await route.abort('connectionreset').catch(() => {});
      };
      for (const s of channels) await page.route(s, drop);
    };

    /** The edit (or, from `acts`, the restore or adoption) of `imageId` this browser keeps (IndexedDB), or null. */
    const keptHere = async (page: Page, imageId: number, kept: 'edits' | 'acts' = 'edits') =>
      (await page.evaluate(`new Promise((resolve, reject) => {
        const req = indexedDB.open('retina-undelivered-edits');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result.transaction('${kept}').objectStore('${kept}').getAll();
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
    const reload = async (page: Page, channels = SAVES) => {
      const accept = (d: Dialog) => void d.accept();
      page.once('dialog', accept);
      await page.goto(app.serve.url);
      // Not asked (nothing unsaved: a restore under way is not a save): not left to answer a later page's question.
      page.off('dialog', accept);
      await page.getByTestId('worklist').waitFor();
      for (const s of channels) await page.unroute(s);
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
      await openImage(page, imageId);
      await page.getByTestId('undelivered-edit').waitFor();
      await page.getByTestId('restore-undelivered').click();
      await waitFor('the offer gone', async () => (await page.getByTestId('undelivered-edit').count()) === 0);
      return versionsOf(imageId);
    };
    const versionsOf = (imageId: number) => {
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        assert.deepEqual(
          listKeptDrafts(store, imageId)
            .filter((k) => k.author !== 'another')
            .map((k) => k.reason),
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

    /** A stroke on `imageId` saved as a draft whose answer is lost: made on the server, kept in the browser. */
    const draftAnswerLost = async (page: Page, imageId: number) => {
      await page.goto(app.serve.url);
      await openImage(page, imageId);
      await dropAnswers(page);
      const drawn = await stroke(page, imageId, { x: 100.5, y: 250.5 });
      await page.getByTestId('save-state').filter({ hasText: 'Save failed' }).waitFor();
      await waitFor('the draft made on the server', async () =>
        same((await storedMask(app.serve.dbPath, imageId, 'draft'))?.data, drawn),
      );
      await waitFor('the edit kept in the browser', () => keptHere(page, imageId));
    };

    /** A stroke on `imageId`, opened on a fresh page, saved (answered): what it drew. */
    const strokeSaved = async (page: Page, imageId: number, from: { x: number; y: number }) => {
      await page.goto(app.serve.url);
      await openImage(page, imageId);
      const drawn = await stroke(page, imageId, from);
      await page
        .getByTestId('save-state')
        .filter({ hasText: /^Saved$/ })
        .waitFor();
      return drawn;
    };

    /** The image opened on the page loaded again: the notice that what was kept had reached the server, no offer. */
    const toldReached = async (page: Page, imageId: number, words: RegExp) => {
      await openImage(page, imageId);
      await page.locator('.toast', { hasText: words }).waitFor();
      assert.equal(await page.getByTestId('undelivered-edit').count(), 0, 'offered as not saved');
    };

    test('a draft saved, its answer lost: the page loaded again says it reached the server, offers nothing', async () => {
      const { page } = app;
      await draftAnswerLost(page, 1);
      await reload(page);
      await toldReached(page, 1, /Your edit of this image at .* had reached the server \(version 2\)/);
      assert.equal(await keptHere(page, 1), null);
      assert.equal(count(versionsOf(1), 'draft'), 1, 'the draft made twice');
    });

    test('a draft saved, its answer lost, the server not asked: Save it now is answered with that draft', async () => {
      const { page } = app;
      await draftAnswerLost(page, 3);
      // The question on load lost as well: the edit is offered, as a browser that cannot ask does.
      await page.route('**/rpc/savesMade', (route) => route.abort('connectionreset'));
      await reload(page);
      const after = await saveItNowAfterReload(page, 3);
      await page.unroute('**/rpc/savesMade');
      assert.equal(count(after, 'draft'), 1, 'the draft made twice');
      assert.equal(await keptHere(page, 3), null);
    });

    test('an approval made, its answer lost: the page loaded again says it is approved, approves nothing more', async () => {
      const { page } = app;
      const drawn = await strokeSaved(page, 2, { x: 120.5, y: 400.5 });
      await dropAnswers(page);
      await page.keyboard.press('a');
      await waitFor('the approval made on the server', async () =>
        same((await storedMask(app.serve.dbPath, 2, 'approved'))?.data, drawn),
      );
      await waitFor('the approved mask kept in the browser', async () => (await keptHere(page, 2))?.approval);

      await reload(page);
      await toldReached(
        page,
        2,
        /Your approval of this image at .* had reached the server: the image was approved/,
      );
      const after = versionsOf(2);
      assert.equal(count(after, 'approved'), 1, 'approved twice');
      assert.equal(
        count(after, 'draft'),
        1, // the stroke's
        'a draft over the approval',
      );
      assert.equal(await keptHere(page, 2), null);
    });

    test('a restore made, its answer lost: the page loaded again says so, nothing restored twice', async () => {
      const { page } = app;
      await strokeSaved(page, 4, { x: 100.5, y: 250.5 });
      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="1"]').click();
      const acts = ['**/rpc/restoreMaskVersion'];
      await dropAnswers(page, acts);
      await page.getByTestId('restore-version').click();
      await waitFor('the restore made on the server', async () =>
        same((await storedMask(app.serve.dbPath, 4, 'draft'))?.data, seeded.masks()[3]),
      );
      await reload(page, acts);
      await toldReached(page, 4, /Your restore of version 1 at .* had reached the server: it is version 3\./);
      assert.deepEqual(
        versionsOf(4).map((v) => v.kind),
        ['prediction', 'draft', 'draft'],
      );
      // Told it was made, the user restores version 1 again (not trusting the notice): no second copy of it.
      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="1"]').click();
      await page.getByTestId('restore-version').click();
      await page
        .locator('.toast', { hasText: /\(version 3\) already is version 1's: nothing was restored/ })
        .waitFor();
      assert.deepEqual(
        versionsOf(4).map((v) => v.kind),
        ['prediction', 'draft', 'draft'],
        'version 1 restored twice',
      );
      // Refused, it was not made: nothing is kept in the browser to resume after a reload.
      await waitFor(
        'the refused restore dropped from the browser',
        async () => !(await keptHere(page, 4, 'acts')),
      );
    });

    test('an edit kept in the browser, then refused and kept by the server, set aside: not offered after a reload', async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await openImage(page, 6);
      // The save never reaches the server: the edit is kept in the browser.
      await page.route('**/rpc/saveDraft', (route) => route.abort('connectionreset'));
      await stroke(page, 6, { x: 100.5, y: 250.5 });
      await page.getByTestId('save-state').filter({ hasText: 'Save failed' }).waitFor();
      await waitFor('the edit kept in the browser', () => keptHere(page, 6));
      await page.unroute('**/rpc/saveDraft');
      // A colleague's draft meanwhile: the next save is stale, refused, and kept by the server as a draft.
      const store = openStore(app.serve.dbPath);
      try {
        const prediction = listMaskVersions(store, 6)[0];
        await saveMaskVersion(store, {
          imageId: 6,
          kind: 'draft',
          author: 'colleague',
          mask: { width: prediction.width, height: prediction.height, data: seeded.masks()[5].map(() => 0) },
          parentId: prediction.id,
        });
      } finally {
        store.close();
      }
      await stroke(page, 6, { x: 100.5, y: 350.5 });
      await page.getByTestId('save-refused').waitFor();
      await page.getByRole('button', { name: 'Load the latest mask' }).click();
      await waitFor(
        'the refused edit dropped from the browser (the server keeps it)',
        async () => !(await keptHere(page, 6)),
      );
      // Nothing is unsaved now: the page is left without being asked.
      await page.goto(app.serve.url);
      await openImage(page, 6);
      await page.getByTestId('review-state').waitFor();
      assert.equal(await page.getByTestId('undelivered-edit').count(), 0, 'the set-aside edit offered again');
    });

    test("a mask save refused by the proxy's body limit (413): offered after a reload with that refusal, not as maybe saved", async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await openImage(page, 7);
      // nginx's answer to a body over client_max_body_size: its own HTML page, not the server's frame.
      await page.route('**/rpc/saveDraft', (route) =>
        route.fulfill({
          status: 413,
          contentType: 'text/html',
          body: '<html><head><title>413 Request Entity Too Large</title></head></html>',
        }),
      );
      await stroke(page, 7, { x: 100.5, y: 250.5 });
      await page.locator('.toast', { hasText: /too large for the server's proxy/ }).waitFor();
      await waitFor('the edit kept in the browser', () => keptHere(page, 7));
      await reload(page, ['**/rpc/saveDraft']);
      await openImage(page, 7);
      const offer = page.getByTestId('undelivered-edit');
      await offer.waitFor();
      const words = (await offer.textContent()) ?? '';
      assert.match(
        words,
        /too large for the server's proxy, so nothing of it was saved.*raise the threshold/,
      );
      assert.doesNotMatch(words, /could not be reached/);
    });

    test('an adoption made, its answer lost: the page loaded again says so', async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await openImage(page, 5);
      await page.getByRole('button', { name: 'Open kept draft #1' }).click();
      const acts = ['**/rpc/adoptKeptDraft'];
      await dropAnswers(page, acts);
      await page.getByTestId('adopt-kept').click();
      await waitFor('the adoption made on the server', async () => {
        const store = openStore(app.serve.dbPath, { readonly: true });
        try {
          return listKeptDrafts(store, 5)[0].adoptedId !== null;
        } finally {
          store.close();
        }
      });
      await reload(page, acts);
      await toldReached(
        page,
        5,
        /Your adoption of kept draft #1 at .* had reached the server: it is version 3\./,
      );
      assert.equal(count(versionsOf(5), 'draft'), 2, 'adopted twice');
    });
  },
);
