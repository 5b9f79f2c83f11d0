// A refused save and an earlier version from the History, in a real browser (browser mode, chromium): a draft saved
// beside the viewer makes the viewer's next stroke stale, so it is refused and kept; opening version 1 from the
// History then shows it without hiding the refusal (the user would otherwise never learn their edit was not saved),
// and restoring it says the refused edit is still kept. Checked against the SQLite file.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getLease, listKeptDrafts, listMaskVersions, openStore } from '../../main/store/index.js';
import { drag, H, recordPointer, W, waitFor } from './flow.js';
import { chromiumAvailable, serveClient } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

function stored(dbPath: string) {
  const store = openStore(dbPath, { readonly: true });
  try {
    return {
      kinds: listMaskVersions(store, 1).map((v) => v.kind),
      kept: listKeptDrafts(store, 1).length,
      lease: getLease(store, 1),
    };
  } finally {
    store.close();
  }
}

describe(
  'an earlier version opened over a refused save (browser mode, chromium)',
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

    test('the refusal stays on screen while version 1 is shown, and the restore names the kept draft', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.locator('[data-testid="review-state"][data-status="predicted"]').waitFor();
      // A draft saved beside the viewer under its own window id: the viewer's next save is stale.
      const windowId = (await waitFor('the lease', async () => stored(app.serve.dbPath).lease)).clientId;
      const client = serveClient(app.serve);
      try {
        await client.invoke('saveDraft', {
          imageId: '1',
          width: W,
          height: H,
          mask: seeded[0].map((v) => 1 - v),
          parentVersionId: null,
          clientId: windowId,
        });
      } finally {
        client.close();
      }
      await recordPointer(page);
      await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 });
      await page.getByTestId('save-refused').waitFor();
      assert.deepEqual(stored(app.serve.dbPath).kept, 1);
      // P is held back while the refusal is on screen, and the toast names that notice's own button.
      await page.keyboard.press('p');
      await page.locator('.toast', { hasText: /load the latest mask/ }).waitFor();

      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="1"]').click();
      await page.getByTestId('version-preview').waitFor();
      // The refusal is still said, with the way to the kept draft.
      assert.match(
        (await page.getByTestId('save-refused').textContent()) ?? '',
        /Not saved: .*kept as draft #1/,
      );
      await page.getByTestId('open-refused-kept').waitFor();

      await page.getByTestId('restore-version').click();
      await page
        .locator('.toast', {
          hasText: /Version 1 restored as version 3\. Your refused edit is still kept as draft #1/,
        })
        .waitFor();
      assert.deepEqual(stored(app.serve.dbPath).kinds, ['prediction', 'draft', 'draft']);
      assert.equal(stored(app.serve.dbPath).kept, 1);
    });
  },
);
