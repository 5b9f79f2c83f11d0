// Approving while an autosave is still on its way (browser mode, chromium): Approve waits for that save, and a
// Ctrl+Z pressed meanwhile is refused, so the approval is the mask on screen when A was pressed (not the undone one,
// and no autosave follows against the approved image); an approval that fails unlocks the editor again. Checked
// pixel for pixel against the SQLite file. An autosave that was saved but whose answer the network dropped does not
// get the window's next save refused as stale against the window's own version.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Route } from 'playwright-core';
import { listKeptDrafts, listMaskVersions, openStore } from '../../main/store/index.js';
import { encodeFrame, FRAME_CONTENT_TYPE } from '../../shared/transport.js';
import { brushRadius, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

describe(
  'approving while an autosave is on its way (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let seeded: Uint8Array[];
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        seeded = await seedSecondObserverPredictions(store, ['01', '02', '03'], ['01', '02', '03']);
        store.close();
      },
    });

    /** Opens `imageId` in the viewer, its mask shown as saved. */
    const openImage = async (page: Page, imageId: number) => {
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      await page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
    };

    /** Opens `imageId`, brushes one stroke and holds its autosave on the way; returns the mask with the stroke. */
    const strokeWithSaveHeld = async (page: Page, imageId: number) => {
      await openImage(page, imageId);
      let held: Route | null = null;
      await page.route('**/rpc/saveDraft', (route) => {
        if (held) return route.continue();
        held = route;
      });
      await page.keyboard.press('b');
      await recordPointer(page);
      const drawn = seeded[imageId - 1].slice();
      replay(
        drawn,
        await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 }),
        await brushRadius(page),
        1,
      );
      const save = await waitFor('the autosave on its way', async () => held);
      return { drawn, save };
    };

    test('Ctrl+Z pressed while Approve waits for an autosave is refused; the stroke is approved', async () => {
      const page = app.page;
      const { drawn, save } = await strokeWithSaveHeld(page, 1);
      let approval: Route | null = null;
      await page.route('**/rpc/approveMask', (route) => {
        approval = route;
      });
      // A waits for the save on its way; the Ctrl+Z right after it must not change what is approved.
      await page.keyboard.press('a');
      await page.keyboard.press('Control+z');
      await save.continue();
      // Nor one pressed while the approval itself is on its way (the save's answer said "draft": still locked).
      const approving = await waitFor('the approval on its way', async () => approval);
      await page.keyboard.press('Control+z');
      assert.equal(
        await page.getByTestId('redo').isEnabled(),
        false,
        'Ctrl+Z undid the stroke during the approval',
      );
      await approving.continue();
      const approved = await waitFor('the approval', () => storedMask(app.serve.dbPath, 1, 'approved'));
      assert.ok(same(approved.data, drawn), 'the approved mask is not the one on screen when A was pressed');
      await page.unroute('**/rpc/approveMask');
      await page.unroute('**/rpc/saveDraft');
    });

    test('an approval that fails unlocks the editor: Ctrl+Z undoes again', async () => {
      const page = app.page;
      const { save } = await strokeWithSaveHeld(page, 2);
      // Main answers the approval with a failure (as when its disk is full).
      const full = { ok: false, error: { code: 'storage', message: 'the disk is full' } };
      await page.route('**/rpc/approveMask', (route) =>
        route.fulfill({ status: 200, contentType: FRAME_CONTENT_TYPE, body: Buffer.from(encodeFrame(full)) }),
      );
      await page.keyboard.press('a');
      await page.keyboard.press('Control+z');
      await save.continue();
      await page.locator('.toast', { hasText: 'the disk is full' }).waitFor();
      assert.equal(
        await page.getByTestId('undo').isEnabled(),
        true,
        'the stroke was undone during the approval',
      );
      await page.keyboard.press('Control+z');
      await waitFor('the stroke undone', async () => !(await page.getByTestId('undo').isEnabled()));
      await page.unroute('**/rpc/approveMask');
      await page.unroute('**/rpc/saveDraft');
    });

    test("a save whose answer was lost: the next one is not refused as stale against the window's own version", async () => {
      const page = app.page;
      await openImage(page, 3);
      // The first save reaches the server; its answer is dropped on the way back.
      let dropped = false;
      await page.route('**/rpc/saveDraft', async (route: Route) => {
        if (dropped) return route.continue();
        await route.fetch();
        dropped = true;
        await route.abort('connectionreset');
      });
      await page.keyboard.press('b');
      await recordPointer(page);
      const radius = await brushRadius(page);
      const drawn = seeded[2].slice();
      replay(drawn, await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 }), radius, 1);
      await waitFor('the first save dropped', async () => dropped);
      const first = await waitFor('the first save stored', () => storedMask(app.serve.dbPath, 3, 'draft'));
      assert.ok(same(first.data, drawn));

      // The next stroke's save, from the version the window last heard of.
      replay(drawn, await drag(page, { x: 120.5, y: 400.5 }, { x: 420.5, y: 420.5 }), radius, 1);
      await page
        .getByTestId('save-state')
        .filter({ hasText: /^Saved$/ })
        .waitFor({ timeout: 30_000 });
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        assert.deepEqual(
          listKeptDrafts(store, 3).map((k) => k.reason),
          [],
          "the window's own saved version was taken for someone else's",
        );
        const drafts = listMaskVersions(store, 3).filter((v) => v.kind === 'draft');
        assert.equal(drafts.length, 2);
        assert.equal(drafts[1].parentId, drafts[0].id);
      } finally {
        store.close();
      }
      const last = await storedMask(app.serve.dbPath, 3, 'draft');
      assert.ok(last && same(last.data, drawn), 'the stored draft lacks a stroke');
      await page.unroute('**/rpc/saveDraft');
    });
  },
);
