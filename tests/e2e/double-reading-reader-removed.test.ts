// Double reading end to end (browser mode, one SQLite file): DRIVE test image 1 read blind by anna and otto, then
// anna taken off it. Her draft, saved after his, is the image's newest and the one rita's viewer shows; her Readers
// panel listed only otto (no agreement), and a plain Approve asked nothing, so rita approved anna's reading unaware.
// What is checked is what rita's screen shows: both readings, whose is shown, and a question before approving it;
// and her Agreement, which dropped the image (one reader assigned) and so the disagreement on it.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { dice } from '../../shared/agreement.js';
import { W, H, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { drawn, PASSWORD, useDoubleReadingStudy } from './double-reading-fixture.js';

describe(
  'double reading, a reader taken off the image (browser mode, the reviewer at her screen)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let rita: Page;
    const { app, as } = useDoubleReadingStudy(1);

    before(() => {
      [rita] = app.pages;
    });

    test("rita sees anna's reading listed and shown, and is asked before approving it", async () => {
      // Otto draws, then anna (hers is the newest draft); then rita takes anna off the image.
      const drafts = { otto: drawn(20_000), anna: drawn(20_400) };
      for (const person of ['otto', 'anna'] as const)
        await as(person, (c) =>
          c.invoke('saveDraft', {
            imageId: '1',
            width: W,
            height: H,
            mask: drafts[person],
            parentVersionId: null,
          }),
        );
      await as('rita', (c) => c.invoke('assignImages', { imageIds: ['1'], users: ['otto'] }));

      await rita.goto(app.serve.url);
      await rita.getByLabel('User name').fill('rita');
      await rita.getByLabel('Password').fill(PASSWORD.rita);
      await rita.getByRole('button', { name: 'Log in' }).click();

      // Her Agreement keeps the image (it dropped it, with one reader assigned), anna's reading marked as her Readers panel does.
      await rita.getByTestId('agreement-open').click();
      const row = rita.getByTestId('agreement-images').locator('tbody tr');
      await row.first().waitFor();
      assert.deepEqual(await row.allTextContents(), [
        `01_test.tifanna · no longer assigned, otto${dice(drafts.anna, drafts.otto).toFixed(3)}`,
      ]);
      assert.equal(await row.getByTestId('agreement-reader-otto').getByTestId('reader-removed').count(), 0);
      await rita.keyboard.press('Escape');

      await rita.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await rita.getByTestId('readers').waitFor();
      assert.equal(
        await rita.getByTestId('readers-dice').textContent(),
        `Agreement (Dice) ${dice(drafts.anna, drafts.otto).toFixed(3)}`,
      );
      const anna = rita.getByTestId('reader-anna');
      await waitFor(
        'her draft marked as the one shown',
        async () => (await anna.getByTestId('reader-shown').count()) === 1,
      );
      assert.match((await anna.textContent()) ?? '', /^anna: version \d+ · no longer assigned · shown/);
      assert.equal(await rita.getByTestId('reader-otto').getByTestId('reader-removed').count(), 0);
      await rita.screenshot({ path: await screenshotPath('66-double-reading-reader-removed') });

      // A plain Approve would take anna's reading: it says so, and that she is off the image.
      await rita.getByTestId('approve').click();
      const confirm = rita.getByTestId('approve-reader-confirm');
      await confirm.waitFor();
      assert.match(
        (await confirm.textContent()) ?? '',
        /the mask shown is anna's draft .* anna is no longer assigned to this image\. otto drew it too/,
      );
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await storedMask(app.serve.dbPath, 1, 'approved'), null, 'nothing approved before a yes');

      // Otto's reading is approved from the panel, as it is.
      await rita.getByTestId('approve-reader-otto').click();
      await waitFor('the approval', async () => (await storedMask(app.serve.dbPath, 1, 'approved')) !== null);
      assert.ok(same((await storedMask(app.serve.dbPath, 1, 'approved'))?.data, drafts.otto));
    });
  },
);
