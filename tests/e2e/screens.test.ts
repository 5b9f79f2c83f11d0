// The workstation on other screens than the 1280x720 window most suites use (browser mode, chromium): a laptop at
// 150% browser zoom (1366x768 less the browser's bars, so 910x438 CSS pixels at 1.5 device pixels each), where
// every dialog fits the window and its last button can be reached.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { jobFinished } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, tinyModelDir } from './model-fixture.js';

const ZOOMED_LAPTOP = { width: 910, height: 438 };

/** The open dialog's box and whether `button` inside it, scrolled to, is on screen and the element hit there. */
async function dialogReach(page: Page, button: string) {
  const modal = page.locator('.modal');
  const box = (await modal.boundingBox())!;
  const target = page.getByTestId(button);
  await target.scrollIntoViewIfNeeded();
  // Source text: the tests are compiled without the DOM's types.
  const hit = (await page.evaluate(`(() => {
    const el = document.querySelector('[data-testid="${button}"]');
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!top && (top === el || el.contains(top));
  })()`)) as boolean;
  return { box, hit };
}

describe(
  'the workstation on zoomed and HiDPI screens (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let imageId: string;
    const app = useWorkstation({ model: tinyModelDir });

    before(async () => {
      const imported = await app.client.invoke('importFiles', { paths: [driveTestImage('01')] });
      await jobFinished(app.client, imported.jobId);
      imageId = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items[0].id;
      await jobFinished(app.client, (await app.client.invoke('predict', { imageIds: [imageId] })).jobId);
    });

    test('at 150% zoom on a laptop every dialog fits the window and its buttons can be reached', async () => {
      const context = await app.browser.newContext({ viewport: ZOOMED_LAPTOP, deviceScaleFactor: 1.5 });
      try {
        const page = await context.newPage();
        await page.goto(app.serve.url);
        await page.getByTestId('image-row').first().click();
        const dialogs: { open: string; last: string }[] = [
          { open: 'export-open', last: 'export-start' },
          { open: 'clinical-details', last: 'clinical-save' },
          { open: 'erase-open', last: 'erase-confirm' },
        ];
        for (const d of dialogs) {
          await page.getByTestId(d.open).click();
          await page.locator('.modal').waitFor();
          const last = d.last;
          const { box, hit } = await dialogReach(page, last);
          if (d.open === 'export-open')
            await page.screenshot({ path: await screenshotPath('screens-01-export') });
          assert.ok(
            box.y >= 0 && box.y + box.height <= ZOOMED_LAPTOP.height + 0.5,
            `${d.open}: the dialog spans y ${box.y.toFixed(0)} to ${(box.y + box.height).toFixed(0)} in a ` +
              `${ZOOMED_LAPTOP.height}-pixel-high window`,
          );
          assert.ok(hit, `${d.open}: "${last}" cannot be reached`);
          await page.keyboard.press('Escape');
          await page.locator('.modal').waitFor({ state: 'detached' });
        }
      } finally {
        await context.close();
      }
    });
  },
);
