// Batch prediction from the worklist over a database where one stored photograph is damaged (its file in the
// database's files folder truncated, as a disk fault would): the images after it are predicted, the job ends
// "done with errors" in the tray with the skipped image named and why, and the worklist leaves it "new".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { getImage, imageFilePath, importImageFiles, openStore } from '../../main/store/index.js';
import { waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, tinyModelDir } from './model-fixture.js';

describe(
  'batch prediction with a damaged photograph (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      model: tinyModelDir,
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        try {
          await importImageFiles(
            store,
            ['01', '02', '03'].map((n) => ({ imagePath: driveTestImage(n) })),
            { actor: 'test' },
          );
          // Image 2, in the middle of the batch.
          const file = imageFilePath(store, getImage(store, 2));
          await writeFile(file, (await readFile(file)).subarray(0, 2000));
        } finally {
          store.close();
        }
      },
    });

    test('the damaged image is skipped and listed; the others are predicted', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      await waitFor('three rows', async () => (await page.getByTestId('image-row').count()) === 3);
      for (const row of await page.getByTestId('image-row').all())
        await row.locator('input[type=checkbox]').check();
      await page.getByTestId('predict-selected').click();
      const job = page.locator('[data-testid="job-predict"][data-state="done"]');
      await job.waitFor({ timeout: 120_000 });
      assert.match((await job.textContent()) ?? '', /done with errors · 3\/3/);
      assert.equal(
        await job.getByTestId('job-message').textContent(),
        'predicted 2 of 3 images; 1 image could not be read',
      );
      const list = job.getByTestId('job-failures');
      assert.equal(await list.getAttribute('aria-label'), 'Images that could not be read');
      const items = await list.locator('li').allTextContents();
      assert.equal(items.length, 1);
      assert.match(items[0], /^02_test\.tif \(image 2\): TIFF corrupt or truncated/);
      const statuses = async () => {
        const rows = await page.getByTestId('image-row').all();
        const pairs = await Promise.all(
          rows.map(async (r) => [
            await r.getAttribute('data-image-id'),
            await r.getByTestId('image-status').textContent(),
          ]),
        );
        return Object.fromEntries(pairs) as Record<string, string>;
      };
      await waitFor('the worklist statuses', async () => {
        const s = await statuses();
        return s['1'] === 'predicted' && s['3'] === 'predicted' ? s : null;
      });
      assert.equal((await statuses())['2'], 'new');
    });
  },
);
