// An earlier version whose artery/vein labels and optic disc differ from the current mask's, opened from the History
// in a real browser (browser mode, chromium): the viewer shows its vessels only, so its notice says what else
// differs (labels, the disc) and that restoring brings them back too. The current version, opened, says nothing more.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { listMaskVersions, openStore, saveMaskVersion } from '../../main/store/index.js';
import { H, W } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const RECORD = { fovea: { x: 290, y: 300, confidence: 0.7 }, laterality: 'R' as const };

describe(
  "an earlier version's labels and disc, said in its notice (browser mode, chromium)",
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let vessels = 0;
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        const [mask] = await seedSecondObserverPredictions(store, ['01'], ['01']);
        vessels = mask.reduce((n, v) => n + v, 0);
        // Version 2: every vessel an artery, the disc on the right; version 3: every vessel a vein, the disc 30 px left.
        let parentId = listMaskVersions(store, 1)[0].id;
        // Two authors: one person's run of drafts is one History line.
        for (const [label, x, author] of [
          [1, 480, 'ann'],
          [2, 450, 'bob'],
        ] as const) {
          parentId = (
            await saveMaskVersion(store, {
              imageId: 1,
              kind: 'draft',
              author,
              parentId,
              mask: { width: W, height: H, data: mask },
              av: mask.map((v) => v * label),
              anatomy: { ...RECORD, disc: { x, y: 290, diameter: 80 } },
            })
          ).id;
        }
        store.close();
      },
    });

    test('version 2 says its labels differ at every vessel pixel and its disc is 30 px away', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="2"]').click();
      await page.getByTestId('version-preview').waitFor();
      assert.match(
        (await page.getByTestId('version-preview').textContent()) ?? '',
        /differs from the current mask at 0 pixels/,
      );
      assert.equal(
        await page.getByTestId('version-also-differs').textContent(),
        `Not shown: its artery/vein labels differ at ${vessels.toLocaleString('en-US')} pixels; its optic disc ` +
          'is at (480, 290), 30 px from the current one at (450, 290). Restoring brings these back too.',
      );
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.locator('[data-testid="history-open"][data-version="3"]').click();
      await page.getByTestId('version-is-current').waitFor();
      assert.equal(await page.getByTestId('version-also-differs').count(), 0);
    });
  },
);
