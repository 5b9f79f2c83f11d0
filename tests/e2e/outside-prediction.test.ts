// A new prediction of the open image made elsewhere (here: written into the SQLite file by this process, as
// `retina predict` on the same database does; the server's outside-changes watcher announces it), in a real
// browser while the viewer holds the image's edit lease. Nothing done yet: the new prediction is shown with a toast
// and is what the next stroke's draft builds on. A stroke already saved: the document is left as it is, a notice
// says a newer prediction exists and opens it over the current mask. This window's own P is not taken for one made
// elsewhere, and a draft saved elsewhere (which the lease should prevent) shows nothing: the next save is kept.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import {
  latestMaskVersion,
  listMaskVersions,
  openStore,
  saveMaskVersion,
  type MaskVersion,
} from '../../main/store/index.js';
import { drag, recordPointer, storedMask, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { datasetsRoot } from './model-fixture.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

/** DRIVE's first observer for image `n` saved as a new prediction of image `imageId`, from outside the server. */
async function predictElsewhere(dbPath: string, imageId: number, n: string): Promise<MaskVersion> {
  const mask = toBinaryMap(
    await readImage(path.join(datasetsRoot, 'DRIVE', 'test', '1st_manual', `${n}_manual1.gif`)),
  );
  const store = openStore(dbPath);
  try {
    const model = latestMaskVersion(store, imageId, 'prediction')?.modelId ?? null;
    return await saveMaskVersion(store, {
      imageId,
      kind: 'prediction',
      author: 'model:elsewhere',
      modelId: model,
      mask,
    });
  } finally {
    store.close();
  }
}

const versions = (dbPath: string, imageId: number): MaskVersion[] => {
  const store = openStore(dbPath, { readonly: true });
  try {
    return listMaskVersions(store, imageId);
  } finally {
    store.close();
  }
};

describe(
  'a prediction made elsewhere while the viewer holds the lease (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        await seedSecondObserverPredictions(store, ['01', '02', '03', '04'], ['01', '02', '03', '04']);
        store.close();
      },
    });

    const open = async (imageId: number) => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await page.locator('[data-testid="review-state"][data-status="predicted"]').waitFor();
      // The lease is this window's: the brush is on.
      await waitFor('the lease', async () => !(await page.getByTestId('tool-brush').isDisabled()));
      await recordPointer(page);
      return page;
    };

    test('nothing edited: the new prediction is shown, and the next draft builds on it', async () => {
      const page = await open(1);
      const made = await predictElsewhere(app.serve.dbPath, 1, '01');
      await page
        .locator('.toast', { hasText: /^A new prediction made elsewhere at \d\d:\d\d is shown\.$/ })
        .waitFor();
      assert.equal(await page.getByTestId('newer-prediction').count(), 0);
      await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 });
      const draft = await waitFor('the draft', async () => storedMask(app.serve.dbPath, 1, 'draft'));
      const saved = versions(app.serve.dbPath, 1).find((v) => v.id === draft.id);
      assert.equal(saved?.parentId, made.id, 'the draft builds on the prediction made elsewhere');
    });

    test('a stroke saved: the document stays, a notice offers the new prediction', async () => {
      const page = await open(2);
      await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 });
      await page.locator('[data-testid="review-state"][data-status="draft"]').waitFor();
      const first = await waitFor('the draft', async () => storedMask(app.serve.dbPath, 2, 'draft'));
      const made = await predictElsewhere(app.serve.dbPath, 2, '02');
      const notice = page.getByTestId('newer-prediction');
      await notice.waitFor();
      const number = versions(app.serve.dbPath, 2).findIndex((v) => v.id === made.id) + 1;
      assert.match(
        (await notice.textContent()) ?? '',
        new RegExp(
          `^A newer prediction \\(version ${number}\\) was made elsewhere at \\d\\d:\\d\\d\\. Your edits are kept`,
        ),
      );
      // The edits stay: the stroke can still be undone, and the next one builds on the draft, not the prediction.
      assert.equal(await page.getByTestId('undo').isDisabled(), false);
      assert.equal(await page.locator('.toast', { hasText: 'is shown' }).count(), 0);
      await drag(page, { x: 90.5, y: 400.5 }, { x: 470.5, y: 420.5 });
      const second = await waitFor('the second draft', async () => {
        const d = await storedMask(app.serve.dbPath, 2, 'draft');
        return d && d.id !== first.id ? d : null;
      });
      const saved = versions(app.serve.dbPath, 2).find((v) => v.id === second.id);
      assert.equal(saved?.parentId, first.id);
      // The first stroke is still in the second draft.
      assert.ok(
        first.data.every((v, i) => !v || second.data[i]),
        'the second draft lost pixels of the first',
      );
      assert.equal(await notice.count(), 1, 'the notice stays until the prediction is looked at');
      // "View it" shows the new prediction over the current mask, as an earlier version is.
      await page.getByTestId('view-newer-prediction').click();
      const preview = page.getByTestId('version-preview');
      await preview.waitFor();
      assert.match(
        (await preview.textContent()) ?? '',
        new RegExp(`^Version ${number}, predicted by model:elsewhere`),
      );
    });

    test("this window's own P is not taken for one made elsewhere", async () => {
      // Nothing edited, as in the first test: one taken for made elsewhere would be shown with that toast.
      const page = await open(3);
      const before = versions(app.serve.dbPath, 3).length;
      await page.keyboard.press('p');
      await page
        .getByTestId('prediction-version')
        .filter({ hasText: `Version ${before + 1} ` })
        .waitFor();
      // Past the outside-changes watcher's next look (every 2 s), which may announce the job's own write again.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(await page.locator('.toast', { hasText: 'made elsewhere' }).count(), 0);
      assert.equal(await page.getByTestId('newer-prediction').count(), 0);
    });

    test('a draft saved elsewhere meanwhile (no lease asked): nothing shown, the next save is kept, not lost', async () => {
      const page = await open(4);
      const mask = toBinaryMap(
        await readImage(path.join(datasetsRoot, 'DRIVE', 'test', '1st_manual', '04_manual1.gif')),
      );
      const store = openStore(app.serve.dbPath);
      try {
        const parentId = latestMaskVersion(store, 4, 'prediction')?.id ?? null;
        await saveMaskVersion(store, { imageId: 4, kind: 'draft', author: 'elsewhere', parentId, mask });
      } finally {
        store.close();
      }
      // Past the outside-changes watcher's next look (every 2 s).
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(await page.locator('.toast', { hasText: 'made elsewhere' }).count(), 0);
      assert.equal(await page.getByTestId('newer-prediction').count(), 0);
      // A stroke on the prediction: its save no longer builds on the newest draft, and is kept as one of its own.
      await drag(page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 });
      await page.getByTestId('save-refused').waitFor();
      assert.equal(versions(app.serve.dbPath, 4).at(-1)?.author, 'elsewhere');
    });
  },
);
