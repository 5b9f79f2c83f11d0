// The workstation on other screens than the 1280x720 window most suites use (browser mode, chromium): a laptop at
// 150% browser zoom (1366x768 less the browser's bars, so 910x438 CSS pixels at 1.5 device pixels each), where
// every dialog fits the window and its last button can be reached; and a viewer whose screen density changes while
// it is open (browser zoom to 150%), whose canvases follow it: each backing
// store has devicePixelRatio device pixels per CSS pixel, the mask overlay painted at that density where the
// stored prediction has vessel pixels.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { fittedView, jobFinished, storedPrediction, waitFor, W } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, tinyModelDir } from './model-fixture.js';

const ZOOMED_LAPTOP = { width: 910, height: 438 };
/** A 1280x720 window zoomed to 150%. */
const ZOOMED = { width: 853, height: 480, ratio: 1.5 };

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

    test('the viewer’s canvases follow a change of screen density while it is open', async () => {
      const context = await app.browser.newContext({
        viewport: { width: 1280, height: 720 },
        deviceScaleFactor: 1,
      });
      try {
        const page = await context.newPage();
        await page.goto(app.serve.url);
        await page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
        await page.getByTestId('mask-canvas').waitFor();
        await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
        const backing = () =>
          page.evaluate(`[...document.querySelectorAll('[data-testid="mask-canvas"] canvas')].map((c) => ({
            css: c.getBoundingClientRect().width, width: c.width, dpr: devicePixelRatio }))`) as Promise<
            { css: number; width: number; dpr: number }[]
          >;
        assert.ok(
          (await backing()).every((c) => c.width === c.css),
          'at ratio 1',
        );

        // Browser zoom to 150% (Ctrl +): the page's CSS size shrinks and the ratio changes, without a reload.
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setDeviceMetricsOverride', {
          width: ZOOMED.width,
          height: ZOOMED.height,
          deviceScaleFactor: ZOOMED.ratio,
          mobile: false,
        });
        const canvases = await waitFor(
          'canvases at ratio 1.5',
          async () => {
            const list = await backing();
            return (
              list.length >= 3 &&
              list.every((c) => c.dpr === ZOOMED.ratio && c.width === Math.floor(c.css * ZOOMED.ratio)) &&
              list
            );
          },
          10_000,
        ).catch(async (err: Error) => {
          throw new Error(`${err.message}: ${JSON.stringify(await backing())}`);
        });
        assert.ok(canvases.length >= 3);
        // Through the protocol: page.screenshot would put back the viewport this test changed.
        const shot = (await cdp.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
        await writeFile(await screenshotPath('screens-02-viewer-zoomed'), Buffer.from(shot.data, 'base64'));

        // The mask overlay is painted at the new density: its painted pixels end, right and bottom, where the
        // stored prediction's vessels end on screen, in device pixels (at the old density they stopped at 2/3).
        const { view } = await fittedView(page);
        const { mask } = await storedPrediction(app.serve.dbPath, Number(imageId));
        let right = 0;
        let bottom = 0;
        for (let k = 0; k < mask.length; k++) {
          if (!mask[k]) continue;
          right = Math.max(right, (k % W) + 1);
          bottom = Math.max(bottom, Math.floor(k / W) + 1);
        }
        const expected = {
          right: (view.x + right * view.scale) * ZOOMED.ratio,
          bottom: (view.y + bottom * view.scale) * ZOOMED.ratio,
        };
        const painted = await waitFor(
          'the overlay painted',
          async () =>
            (await page.evaluate(`(() => {
              const c = document.querySelectorAll('[data-testid="mask-canvas"] canvas')[1];
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let right = 0, bottom = 0;
              for (let k = 3; k < d.length; k += 4) if (d[k]) {
                const p = (k - 3) / 4;
                right = Math.max(right, (p % c.width) + 1);
                bottom = Math.max(bottom, Math.floor(p / c.width) + 1);
              }
              return right > 0 && { right, bottom };
            })()`)) as { right: number; bottom: number } | false,
          10_000,
        );
        const near = (a: number, b: number) => Math.abs(a - b) <= 2 * ZOOMED.ratio + 1;
        assert.ok(
          near(painted.right, expected.right) && near(painted.bottom, expected.bottom),
          `painted to ${JSON.stringify(painted)}, the vessels end at ${JSON.stringify(expected)}`,
        );
      } finally {
        await context.close();
      }
    });
  },
);
