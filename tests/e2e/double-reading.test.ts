// Double reading end to end (browser mode, one SQLite file): DRIVE test image 1 read blind by anna and otto and
// adjudicated by rita. The readers' saves and submissions go through the app's own client, as their browsers
// would send them; what is checked is what rita's and otto's screens show.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { W, H, brushRadius, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { drawn, PASSWORD, useDoubleReadingStudy, type Person } from './double-reading-fixture.js';

describe(
  'double reading end to end (browser mode, a reviewer and a reader at their screens)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let rita: Page;
    let otto: Page;
    const { app, as } = useDoubleReadingStudy(2);
    /** A reader saves their drawing on their own latest draft and submits it. */
    const saveAndSubmit = (person: 'anna' | 'otto', mask: Uint8Array) =>
      as(person, async (c) => {
        const own = (await c.invoke('getMasks', { imageId: '1' })).draft;
        await c.invoke('saveDraft', {
          imageId: '1',
          width: W,
          height: H,
          mask,
          parentVersionId: own?.versionId ?? null,
        });
        await c.invoke('submitForReview', { imageId: '1' });
      });
    const logIn = async (page: Page, user: Person) => {
      await page.goto(app.serve.url);
      await page.getByLabel('User name').fill(user);
      await page.getByLabel('Password').fill(PASSWORD[user]);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('worklist').waitFor();
    };
    const openImage = async (page: Page) => {
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('review-state').waitFor();
    };
    const toWorklist = async (page: Page) => {
      await page.getByRole('button', { name: 'Back to worklist' }).click();
      await page.getByTestId('worklist').waitFor();
    };

    before(() => {
      [rita, otto] = app.pages;
    });

    test("the reviewer is told that otto's reading is still sent back once anna has resubmitted hers", async () => {
      await saveAndSubmit('anna', drawn(10_000));
      await saveAndSubmit('otto', drawn(20_000));
      await as('rita', (c) => c.invoke('sendBack', { imageId: '1', comment: 'the arcades stop short' }));
      await saveAndSubmit('anna', drawn(10_500));

      await logIn(rita, 'rita');
      await waitFor(
        "otto's reading in her worklist",
        async () =>
          (await rita.getByTestId('team-note').textContent()) ===
          "anna, otto · awaiting review · otto's reading is sent back and not resubmitted yet",
      );
      await openImage(rita);
      const banner = rita.locator('[data-testid="handoff-banner"][data-state="awaiting-review"]');
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? '', /^Submitted for review by anna, /);
      assert.equal(
        await rita.getByTestId('handoff-still-sent-back').textContent(),
        " Otto's reading is sent back and not resubmitted yet.",
      );
      await rita.screenshot({ path: await screenshotPath('64-double-reading-still-sent-back') });
      await toWorklist(rita);
    });

    test('otto, sent back again before he resubmitted, is shown both comments', async () => {
      await openImage(rita);
      await rita.getByTestId('send-back').click();
      await rita.getByLabel('What needs fixing').fill('and the macular branches are missing');
      await rita.getByRole('button', { name: 'Send back', exact: true }).click();
      await rita.locator('[data-testid="handoff-banner"][data-state="needs-work"]').waitFor();

      await logIn(otto, 'otto');
      await openImage(otto);
      await otto.locator('[data-testid="handoff-banner"][data-state="needs-work"]').waitFor();
      assert.equal(
        await otto.getByTestId('handoff-comment').textContent(),
        ' and the macular branches are missing',
      );
      const earlier = await otto.getByTestId('handoff-earlier').allTextContents();
      assert.equal(earlier.length, 1, 'the first comment, not yet answered, is shown too');
      assert.match(earlier[0], /^Also sent back by rita, .*: the arcades stop short$/);
      await otto.screenshot({ path: await screenshotPath('65-double-reading-sent-back-twice') });
    });

    test('anna taken off the image, otto still draws on his own reading, not on her newer draft', async () => {
      // Anna draws on after him, so hers is the image's newest draft; then the reviewer takes her off it.
      await as('anna', async (c) => {
        const own = (await c.invoke('getMasks', { imageId: '1' })).draft;
        await c.invoke('saveDraft', {
          imageId: '1',
          width: W,
          height: H,
          mask: drawn(30_000),
          parentVersionId: own?.versionId ?? null,
        });
      });
      await as('rita', (c) => c.invoke('assignImages', { imageIds: ['1'], users: ['otto'] }));

      await toWorklist(otto);
      await openImage(otto);
      await otto.keyboard.press('0');
      await recordPointer(otto);
      const expected = drawn(20_000);
      replay(
        expected,
        await drag(otto, { x: 150.5, y: 200.5 }, { x: 420.5, y: 330.5 }),
        await brushRadius(otto),
        1,
      );
      await waitFor('his stroke saved on his own draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, expected),
      );
    });
  },
);
