// An earlier version whose artery/vein labels and optic disc differ from the current mask's, opened from the History
// in a real browser (browser mode, chromium): its notice says what else differs (labels, the disc) and that restoring
// brings them back too; the A/V layer draws the version's own labels and disc beside the current disc, nothing can
// be edited meanwhile, and a restore stores those labels. The current version, opened, says nothing more.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  latestMaskVersion,
  listMaskVersions,
  loadAvLabels,
  openStore,
  saveMaskVersion,
} from '../../main/store/index.js';
import { avColours, H, same, W, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const RECORD = { fovea: { x: 290, y: 300, confidence: 0.7 }, laterality: 'R' as const };

describe(
  "an earlier version's labels and disc, said in its notice (browser mode, chromium)",
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let vessels = 0;
    let mask: Uint8Array = new Uint8Array(0);
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        [mask] = await seedSecondObserverPredictions(store, ['01'], ['01']);
        vessels = mask.reduce((n, v) => n + v, 0);
        // Version 2: every vessel an artery, the disc on the right; version 3: every vessel a vein, the disc 30 px left.
        let parentId = listMaskVersions(store, 1)[0].id;
        // Two authors: one person's run of drafts is one History line.
        const versionIds: number[] = [];
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
          versionIds.push(parentId);
        }
        // A stale save of version 2's labels and disc (made on top of version 2, after version 3): kept as draft #1.
        await assert.rejects(
          saveMaskVersion(store, {
            imageId: 1,
            kind: 'draft',
            author: 'ann',
            parentId: versionIds[0],
            mask: { width: W, height: H, data: mask },
            av: mask.map((v) => v),
            anatomy: { ...RECORD, disc: { x: 480, y: 290, diameter: 80 } },
            editor: { clientId: 'gone', nowMs: Date.now(), unansweredSaveIds: [] },
          }),
          /kept as draft #1/,
        );
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
        `Also differs: its artery/vein labels differ at ${vessels.toLocaleString('en-US')} pixels; its optic ` +
          'disc is at (480, 290), 30 px from the current one at (450, 290). Restoring brings these back too (the ' +
          'A/V layer, V, shows them; the current disc and fovea dashed).',
      );
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.locator('[data-testid="history-open"][data-version="3"]').click();
      await page.getByTestId('version-is-current').waitFor();
      assert.equal(await page.getByTestId('version-also-differs').count(), 0);
    });

    /** Image 1 opened, its A/V layer on (the layer stays on across tests: it is the session's). */
    const openWithAvLayer = async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
      const toggle = page.getByTestId('toggle-av');
      if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
      return { page, toggle };
    };

    test('a kept draft with other labels and disc: drawn and said the same way, nothing editable', async () => {
      const { page } = await openWithAvLayer();
      await page.getByRole('button', { name: 'Open kept draft #1' }).click();
      await page.getByTestId('kept-preview').waitFor();
      await waitFor("the kept draft's arteries drawn, no veins", async () => {
        const c = await avColours(page);
        return c && c.vein === 0 ? c : null;
      });
      const canvas = page.getByTestId('mask-canvas');
      assert.equal(await canvas.getAttribute('data-disc'), '480,290');
      assert.equal(await canvas.getAttribute('data-current-disc'), '450,290');
      assert.match(
        (await page.getByTestId('version-also-differs').textContent()) ?? '',
        /^Also differs: its artery\/vein labels differ at [\d,]+ pixels; its optic disc is at \(480, 290\), 30 px .*Adopting brings these back too/,
      );
      for (const t of ['tool-disc', 'tool-artery', 'tool-brush'])
        assert.equal(await page.getByTestId(t).isDisabled(), true, `${t} is enabled while previewing`);
      await page.getByRole('button', { name: 'Back to the current mask' }).click();
      await page.getByTestId('kept-preview').waitFor({ state: 'detached' });
    });

    test('the A/V layer draws version 2 as a restore gives it: arteries, its disc beside the current one', async () => {
      const { page, toggle } = await openWithAvLayer();
      const canvas = page.getByTestId('mask-canvas');
      // The current mask (version 3): every vessel a vein, its disc at x 450.
      await waitFor('the current veins drawn', async () => {
        const c = await avColours(page);
        return c && c.artery === 0 ? c : null;
      });
      assert.equal(await canvas.getAttribute('data-disc'), '450,290');

      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="2"]').click();
      await page.getByTestId('version-preview').waitFor();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await waitFor("version 2's arteries drawn, no veins", async () => {
        const c = await avColours(page);
        return c && c.vein === 0 ? c : null;
      });
      assert.equal(await canvas.getAttribute('data-disc'), '480,290');
      assert.equal(await canvas.getAttribute('data-current-disc'), '450,290');
      // Read-only meanwhile: the artery/vein tools and the Disc tool are off.
      for (const t of ['tool-disc', 'tool-artery', 'tool-brush'])
        assert.equal(await page.getByTestId(t).isDisabled(), true, `${t} is enabled while previewing`);

      await page.getByTestId('restore-version').click();
      await page.getByTestId('version-preview').waitFor({ state: 'detached' });
      const stored = await waitFor('the restored labels in the database', async () => {
        const store = openStore(app.serve.dbPath, { readonly: true });
        try {
          const v = latestMaskVersion(store, 1, 'draft');
          return v && v.anatomy?.disc?.x === 480 ? { av: await loadAvLabels(store, v), v } : null;
        } finally {
          store.close();
        }
      });
      assert.ok(same(stored.av, mask), "the restored labels are not version 2's arteries");
      assert.equal(await canvas.getAttribute('data-disc'), '480,290');
      assert.equal(await canvas.getAttribute('data-current-disc'), null);
    });

    test('the prediction (version 1), with no labels or disc of its own: said, not an empty layer left unexplained', async () => {
      const { page } = await openWithAvLayer();
      await page.locator('[data-testid="history"] summary').click();
      await page.locator('[data-testid="history-open"][data-version="1"]').click();
      await page.getByTestId('version-preview').waitFor();
      await waitFor('no labels drawn for it', async () => (await avColours(page)) === null);
      // Its missing labels are said among what differs (the current mask has some); its missing disc was not.
      assert.match(
        (await page.getByTestId('version-also-differs').textContent()) ?? '',
        /no artery\/vein labels of its own/,
      );
      assert.equal(
        await page.getByTestId('version-no-labels').textContent(),
        'This version has no optic disc of its own: the A/V layer shows none for it.',
      );
    });
  },
);
