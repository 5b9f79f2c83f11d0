// The workstation in a real browser (browser mode): import two DRIVE images through the UI, predict, correct with
// brush and eraser, undo/redo, approve, reload — and the approved mask read back from the SQLite file equals, pixel
// for pixel, the mask computed here from the stored prediction and the renderer's own pure brush function, applied
// to the exact pointer positions the page received. A second test drives the keyboard map and the threshold slider.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import {
  W,
  H,
  brushRadius,
  countDiff,
  drag,
  recordPointer,
  replay,
  same,
  storedMask,
  storedPrediction,
  waitFor,
} from './flow.js';
import {
  buildRenderer,
  chromiumAvailable,
  launchChromium,
  screenshotPath,
  startServe,
  type ServeProcess,
  stopServeCleanly,
} from './harness.js';
import { driveTestImage, tinyModelDir } from './model-fixture.js';

describe(
  'workstation end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let serve: ServeProcess;
    let browser: Browser;
    let page: Page;

    before(async () => {
      const [modelDir, rendererDir] = await Promise.all([tinyModelDir(), buildRenderer()]);
      serve = await startServe({ modelDir, rendererDir });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', (err) => console.error('page error:', err.message));
    });

    after(async () => {
      await browser?.close();
      await stopServeCleanly(serve);
    });

    test('import, predict, brush, erase, undo, redo, approve, reload: the stored mask is exactly the expected one', async () => {
      await page.goto(serve.url);
      await page.getByTestId('worklist').waitFor();
      assert.match((await page.getByTestId('active-model').textContent()) ?? '', /e2e-tiny/);

      // Import: browser mode has no native dialog, so the UI falls back to uploading the files.
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('import-files').click();
      await (await chooser).setFiles([driveTestImage('01'), driveTestImage('02')]);
      // Hang guards below: about 10x the usual 6 s import and 8 s prediction.
      await waitFor(
        'two imported rows',
        async () => (await page.getByTestId('image-row').count()) === 2,
        60_000,
      );
      assert.deepEqual(await page.getByTestId('image-status').allTextContents(), ['new', 'new']);

      // Batch predict from the worklist.
      for (const row of await page.getByTestId('image-row').all())
        await row.locator('input[type=checkbox]').check();
      await page.getByTestId('predict-selected').click();
      await waitFor(
        'both images predicted',
        async () => {
          const s = await page.getByTestId('image-status').allTextContents();
          return s.length === 2 && s.every((x) => x === 'predicted');
        },
        120_000,
      );
      await page.screenshot({ path: await screenshotPath('01-worklist') });

      const pred = await storedPrediction(serve.dbPath, 1);
      // The stored binary prediction is exactly the viewer's threshold of the transported probabilities.
      assert.ok(
        same(thresholdProbabilities(pred.prob16, pred.threshold), pred.mask),
        'stored prediction != threshold of its probabilities',
      );
      const vessels = pred.mask.reduce((a, v) => a + v, 0);
      assert.ok(vessels > 1000 && vessels < W * H * 0.5, `implausible prediction: ${vessels} vessel pixels`);

      // Open image 1 in the viewer.
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      await recordPointer(page);
      const radius = await brushRadius(page);

      const expected = pred.mask.slice();
      await page.getByTestId('tool-brush').click();
      const paint = await drag(page, { x: 80.3, y: 300.6 }, { x: 480.7, y: 340.2 });
      replay(expected, paint, radius, 1);
      const afterPaint = expected.slice();

      await page.keyboard.press('e');
      const erase = await drag(page, { x: 200.4, y: 120.8 }, { x: 260.6, y: 460.3 });
      replay(expected, erase, radius, 0);
      assert.ok(
        countDiff(afterPaint, pred.mask) > 500 && countDiff(expected, afterPaint) > 100,
        'the strokes changed too little to test',
      );

      // Undo the erase: the autosaved draft is the painted mask without the erase.
      await page.keyboard.press('Control+z');
      await waitFor('the draft after undo', async () =>
        same((await storedMask(serve.dbPath, 1, 'draft'))?.data, afterPaint),
      );

      // Redo (toolbar button), then approve.
      await page.getByTestId('redo').click();
      await page.getByTestId('approve').click();
      await page.locator('.toast', { hasText: 'Approved' }).waitFor();
      const approved = await waitFor('an approved mask', () => storedMask(serve.dbPath, 1, 'approved'));
      assert.equal(countDiff(approved.data, expected), 0, 'approved mask differs from the expected mask');

      // Reload the app: the approval survives, and reopening shows the saved work.
      await page.reload();
      await page.getByTestId('worklist').waitFor();
      await waitFor(
        'approved status after reload',
        async () =>
          (await page
            .locator('[data-testid="image-row"][data-image-id="1"] [data-testid="image-status"]')
            .textContent()) === 'approved',
      );
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      await page.screenshot({ path: await screenshotPath('02-viewer-overlay') });
      const again = await storedMask(serve.dbPath, 1, 'approved');
      assert.equal(again?.id, approved.id, 'reloading created a new approved version');
      assert.ok(same(again?.data, expected));
      await page.keyboard.press('Escape');
      await page.getByTestId('worklist').waitFor();
    });

    test('keyboard map and the threshold slider', async () => {
      // Keyboard navigation in the worklist: down to the second image, Enter opens it.
      await page.goto(serve.url);
      await waitFor('two predicted images', async () => (await page.getByTestId('image-row').count()) === 2);
      await page.getByTestId('worklist').focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.getByTestId('mask-canvas').waitFor();
      assert.match((await page.locator('.stage .statusbar').textContent()) ?? '', /02_test\.tif.*2\/2/);

      const pred = await storedPrediction(serve.dbPath, 2);
      const slider = page.getByTestId('threshold');
      assert.equal(Number(await slider.inputValue()).toFixed(2), pred.threshold.toFixed(2));

      // The slider re-thresholds the predicted map live; releasing it is one edit, autosaved as a draft.
      await slider.fill('0.3');
      await slider.blur();
      const t = Number(await slider.inputValue());
      assert.equal(t, 0.3);
      assert.match(
        (await page.locator('.panel label', { hasText: 'Threshold' }).textContent()) ?? '',
        /Threshold 0\.30/,
      );
      const atT = thresholdProbabilities(pred.prob16, t);
      assert.ok(countDiff(atT, pred.mask) > 1000, 'threshold 0.3 should change the mask');
      await waitFor('draft at threshold 0.3', async () =>
        same((await storedMask(serve.dbPath, 2, 'draft'))?.data, atT),
      );

      // Ctrl+Z / Ctrl+Shift+Z undo and redo the slider gesture.
      await page.keyboard.press('Control+z');
      await waitFor('draft back at the model threshold', async () =>
        same((await storedMask(serve.dbPath, 2, 'draft'))?.data, pred.mask),
      );
      await page.keyboard.press('Control+Shift+z');
      await waitFor('draft at 0.3 again', async () =>
        same((await storedMask(serve.dbPath, 2, 'draft'))?.data, atT),
      );

      // Tools.
      for (const [key, tool] of [
        ['b', 'brush'],
        ['e', 'eraser'],
        ['f', 'fill'],
        ['l', 'lasso'],
        ['m', 'pan'],
        ['b', 'brush'],
      ]) {
        await page.keyboard.press(key);
        assert.match(
          (await page.getByTestId(`tool-${tool}`).getAttribute('class')) ?? '',
          /\bon\b/,
          `key ${key}`,
        );
      }
      // Brush size.
      const r0 = await brushRadius(page);
      await page.keyboard.press(']');
      const r1 = await brushRadius(page);
      await page.keyboard.press('[');
      await page.keyboard.press('[');
      const r2 = await brushRadius(page);
      assert.ok(r1 > r0 && r2 < r1, `] and [ should resize the brush: ${r0} -> ${r1} -> ${r2}`);
      // Overlay toggles.
      await page.keyboard.press('o');
      assert.equal(await page.getByTestId('toggle-mask').isChecked(), false);
      await page.keyboard.press('o');
      assert.equal(await page.getByTestId('toggle-mask').isChecked(), true);
      await page.keyboard.press('d');
      assert.equal(await page.getByTestId('toggle-diff').isChecked(), true);
      await page.screenshot({ path: await screenshotPath('03-viewer-difference') });
      await page.keyboard.press('d');
      // Help overlay.
      await page.keyboard.press('h');
      await page.getByTestId('help-overlay').waitFor();
      await page.screenshot({ path: await screenshotPath('04-help') });
      await page.keyboard.press('Escape');
      await page.getByTestId('help-overlay').waitFor({ state: 'detached' });
      // Zoom: 1:1 and back to fit.
      const fitted = await page.getByTestId('zoom').textContent();
      await page.keyboard.press('1');
      assert.equal(await page.getByTestId('zoom').textContent(), '100%');
      await page.keyboard.press('0');
      assert.equal(await page.getByTestId('zoom').textContent(), fitted);
      // Previous / next image.
      await page.keyboard.press('ArrowLeft');
      await waitFor('image 1/2', async () =>
        /01_test\.tif.*1\/2/.test((await page.locator('.stage .statusbar').textContent()) ?? ''),
      );
      await page.keyboard.press('ArrowRight');
      await waitFor('image 2/2', async () =>
        /02_test\.tif.*2\/2/.test((await page.locator('.stage .statusbar').textContent()) ?? ''),
      );
      await page.getByTestId('mask-canvas').waitFor();
      // A approves what is on screen: the draft at 0.3.
      await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      await page.keyboard.press('a');
      await page.locator('.toast', { hasText: 'Approved' }).waitFor();
      const approved = await waitFor('approved image 2', () => storedMask(serve.dbPath, 2, 'approved'));
      assert.equal(countDiff(approved.data, atT), 0);
      await page.keyboard.press('Escape');
      await page.getByTestId('worklist').waitFor();
      await waitFor('both approved', async () =>
        (await page.getByTestId('image-status').allTextContents()).every((s) => s === 'approved'),
      );
      await page.screenshot({ path: await screenshotPath('05-worklist-approved') });
    });
  },
);
