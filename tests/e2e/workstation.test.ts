// The workstation in a real browser (browser mode): import two DRIVE images through the UI, predict, correct with
// brush and eraser, undo/redo, approve, reload — and the approved mask read back from the SQLite file equals, pixel
// for pixel, the mask computed here from the stored prediction and the renderer's own pure brush function, applied
// to the exact pointer positions the page received. A second test drives the keyboard map, the threshold slider, and the
// reader's settings (tool, brush, overlay colour and opacity, display filter) kept from one image to the next.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import {
  W,
  H,
  brushRadius,
  countDiff,
  drag,
  fittedView,
  recordPointer,
  replay,
  same,
  storedMask,
  storedPrediction,
  waitFor,
} from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, tinyModelDir } from './model-fixture.js';

describe(
  'workstation end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({ model: tinyModelDir, viewport: { width: 1280, height: 800 } });

    test('import, predict, brush, erase, undo, redo, approve, reload: the stored mask is exactly the expected one', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      assert.match((await app.page.getByTestId('active-model').textContent()) ?? '', /e2e-tiny/);

      // Import: browser mode has no native dialog, so the UI falls back to uploading the files.
      const chooser = app.page.waitForEvent('filechooser');
      await app.page.getByTestId('import-files').click();
      await (await chooser).setFiles([driveTestImage('01'), driveTestImage('02')]);
      // Hang guards below: about 10x the usual 6 s import and 8 s prediction.
      await waitFor(
        'two imported rows',
        async () => (await app.page.getByTestId('image-row').count()) === 2,
        60_000,
      );
      assert.deepEqual(await app.page.getByTestId('image-status').allTextContents(), ['new', 'new']);

      // Batch predict from the worklist.
      for (const row of await app.page.getByTestId('image-row').all())
        await row.locator('input[type=checkbox]').check();
      await app.page.getByTestId('predict-selected').click();
      await waitFor(
        'both images predicted',
        async () => {
          const s = await app.page.getByTestId('image-status').allTextContents();
          return s.length === 2 && s.every((x) => x === 'predicted');
        },
        120_000,
      );
      await app.page.screenshot({ path: await screenshotPath('01-worklist') });

      const pred = await storedPrediction(app.serve.dbPath, 1);
      // The stored binary prediction is exactly the viewer's threshold of the transported probabilities.
      assert.ok(
        same(thresholdProbabilities(pred.prob16, pred.threshold), pred.mask),
        'stored prediction != threshold of its probabilities',
      );
      const vessels = pred.mask.reduce((a, v) => a + v, 0);
      assert.ok(vessels > 1000 && vessels < W * H * 0.5, `implausible prediction: ${vessels} vessel pixels`);

      // Open image 1 in the viewer.
      await app.page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await recordPointer(app.page);
      const radius = await brushRadius(app.page);

      const expected = pred.mask.slice();
      await app.page.getByTestId('tool-brush').click();
      const paint = await drag(app.page, { x: 80.3, y: 300.6 }, { x: 480.7, y: 340.2 });
      replay(expected, paint, radius, 1);
      const afterPaint = expected.slice();

      await app.page.keyboard.press('e');
      const erase = await drag(app.page, { x: 200.4, y: 120.8 }, { x: 260.6, y: 460.3 });
      replay(expected, erase, radius, 0);
      assert.ok(
        countDiff(afterPaint, pred.mask) > 500 && countDiff(expected, afterPaint) > 100,
        'the strokes changed too little to test',
      );

      // Undo the erase: the autosaved draft is the painted mask without the erase.
      await app.page.keyboard.press('Control+z');
      await waitFor('the draft after undo', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, afterPaint),
      );

      // Redo (toolbar button), then approve.
      await app.page.getByTestId('redo').click();
      await app.page.getByTestId('approve').click();
      await app.page.locator('.toast', { hasText: 'Approved' }).waitFor();
      // The next image opened: focus is in its viewer, not dropped on the page (where a screen reader is lost).
      await waitFor('focus in the viewer', async () =>
        app.page.evaluate(`document.activeElement?.getAttribute('data-testid') === 'viewer'`),
      );
      const approved = await waitFor('an approved mask', () => storedMask(app.serve.dbPath, 1, 'approved'));
      assert.equal(countDiff(approved.data, expected), 0, 'approved mask differs from the expected mask');

      // Reload the app: the viewer stays on the image the address names (approving moved on to the next one),
      // the approval survives, and reopening shows the saved work.
      const shown = new URL(app.page.url()).hash;
      assert.match(shown, /^#\/image\/\d+$/);
      await app.page.reload();
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.equal(new URL(app.page.url()).hash, shown);
      await app.page.getByRole('button', { name: 'Back to worklist' }).click();
      await app.page.getByTestId('worklist').waitFor();
      await waitFor(
        'approved status after reload',
        async () =>
          (await app.page
            .locator('[data-testid="image-row"][data-image-id="1"] [data-testid="image-status"]')
            .textContent()) === 'approved',
      );
      await app.page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      await app.page.screenshot({ path: await screenshotPath('02-viewer-overlay') });
      const again = await storedMask(app.serve.dbPath, 1, 'approved');
      assert.equal(again?.id, approved.id, 'reloading created a new approved version');
      assert.ok(same(again?.data, expected));
      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('worklist').waitFor();
    });

    test('keyboard map and the threshold slider', async () => {
      // Keyboard navigation in the worklist: down to the second image, Enter opens it.
      await app.page.goto(app.serve.url);
      await waitFor(
        'two predicted images',
        async () => (await app.page.getByTestId('image-row').count()) === 2,
      );
      // A screen reader finds the list as a table of images and hears the highlighted row when it moves.
      const table = app.page.getByRole('table', { name: 'Images' });
      assert.equal(await table.getByRole('row').count(), 3);
      assert.equal(await table.getByRole('columnheader').count(), 12);
      assert.equal(await table.getByRole('row').nth(1).getByRole('cell').count(), 12);
      await app.page.getByTestId('worklist').focus();
      await app.page.keyboard.press('ArrowDown');
      assert.match(
        (await app.page.getByTestId('row-announcement').textContent()) ?? '',
        /^02_test\.tif, 2 of 2, /,
      );
      assert.equal(await table.locator('[aria-current="true"]').getAttribute('data-image-id'), '2');
      await app.page.keyboard.press('Enter');
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.match((await app.page.locator('.stage .statusbar').textContent()) ?? '', /02_test\.tif.*2\/2/);

      const pred = await storedPrediction(app.serve.dbPath, 2);
      const slider = app.page.getByTestId('threshold');
      assert.equal(Number(await slider.inputValue()).toFixed(2), pred.threshold.toFixed(2));

      // The slider re-thresholds the predicted map live; releasing it is one edit, autosaved as a draft.
      await slider.fill('0.3');
      await slider.blur();
      const t = Number(await slider.inputValue());
      assert.equal(t, 0.3);
      assert.match(
        (await app.page.locator('.panel label', { hasText: 'Threshold' }).textContent()) ?? '',
        /Threshold 0\.30/,
      );
      const atT = thresholdProbabilities(pred.prob16, t);
      assert.ok(countDiff(atT, pred.mask) > 1000, 'threshold 0.3 should change the mask');
      await waitFor('draft at threshold 0.3', async () =>
        same((await storedMask(app.serve.dbPath, 2, 'draft'))?.data, atT),
      );

      // Ctrl+Z / Ctrl+Shift+Z undo and redo the slider gesture, and the slider goes back and forth with the mask.
      await app.page.keyboard.press('Control+z');
      await waitFor('draft back at the model threshold', async () =>
        same((await storedMask(app.serve.dbPath, 2, 'draft'))?.data, pred.mask),
      );
      assert.equal(
        Number(await slider.inputValue()).toFixed(2),
        pred.threshold.toFixed(2),
        'slider after undo',
      );
      await app.page.keyboard.press('Control+Shift+z');
      await waitFor('draft at 0.3 again', async () =>
        same((await storedMask(app.serve.dbPath, 2, 'draft'))?.data, atT),
      );
      assert.equal(Number(await slider.inputValue()), 0.3, 'slider after redo');

      // Tools.
      for (const [key, tool] of [
        ['b', 'brush'],
        ['e', 'eraser'],
        ['f', 'fill'],
        ['l', 'lasso'],
        ['m', 'pan'],
        ['b', 'brush'],
      ]) {
        await app.page.keyboard.press(key);
        assert.match(
          (await app.page.getByTestId(`tool-${tool}`).getAttribute('class')) ?? '',
          /\bon\b/,
          `key ${key}`,
        );
      }
      // Brush size.
      const r0 = await brushRadius(app.page);
      await app.page.keyboard.press(']');
      const r1 = await brushRadius(app.page);
      await app.page.keyboard.press('[');
      await app.page.keyboard.press('[');
      const r2 = await brushRadius(app.page);
      assert.ok(r1 > r0 && r2 < r1, `] and [ should resize the brush: ${r0} -> ${r1} -> ${r2}`);
      // Overlay toggles.
      await app.page.keyboard.press('o');
      assert.equal(await app.page.getByTestId('toggle-mask').isChecked(), false);
      await app.page.keyboard.press('o');
      assert.equal(await app.page.getByTestId('toggle-mask').isChecked(), true);
      await app.page.keyboard.press('d');
      assert.equal(await app.page.getByTestId('toggle-diff').isChecked(), true);
      await app.page.screenshot({ path: await screenshotPath('03-viewer-difference') });
      await app.page.keyboard.press('d');
      // Help overlay.
      await app.page.keyboard.press('h');
      await app.page.getByTestId('help-overlay').waitFor();
      await app.page.screenshot({ path: await screenshotPath('04-help') });
      // A dialog: Tab stays in it (it walked the viewer's controls behind it), H closes it as it opened it.
      for (let i = 0; i < 4; i++) await app.page.keyboard.press('Tab');
      assert.ok(
        await app.page
          .getByTestId('help-overlay')
          .evaluate((el) => el.contains(el.ownerDocument.activeElement)),
        'focus left Help',
      );
      await app.page.keyboard.press('h');
      await app.page.getByTestId('help-overlay').waitFor({ state: 'detached' });
      await app.page.keyboard.press('?');
      await app.page.getByTestId('help-overlay').waitFor();
      assert.equal(await app.page.getByRole('dialog', { name: 'Keyboard' }).count(), 1);
      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('help-overlay').waitFor({ state: 'detached' });
      // About, over the viewer: its keys stay in it (A approved the image behind it), Tab goes round inside it,
      // and Escape closes it, not the viewer.
      const status = await app.page.locator('.stage .statusbar').textContent();
      await app.page.getByTestId('nav-about').click();
      const about = app.page.getByTestId('about');
      await about.waitFor();
      for (const key of ['a', 'ArrowRight', 'Tab', 'Tab', 'Tab']) await app.page.keyboard.press(key);
      assert.ok(
        await about.evaluate((el) => el.contains(el.ownerDocument.activeElement)),
        'focus left the About dialog',
      );
      assert.equal(
        await app.page.locator('.stage .statusbar').textContent(),
        status,
        'a key reached the viewer',
      );
      await app.page.keyboard.press('Escape');
      await about.waitFor({ state: 'detached' });
      await app.page.getByTestId('mask-canvas').waitFor();
      // Escape while a lasso is drawn drops the lasso (as Help says), and only that: the viewer stays, unedited.
      await app.page.keyboard.press('l');
      const { view, left, top } = await fittedView(app.page);
      const at = (x: number, y: number) =>
        [left + view.x + x * view.scale, top + view.y + y * view.scale] as const;
      await app.page.mouse.move(...at(200, 200));
      await app.page.mouse.down();
      await app.page.mouse.move(...at(350, 220), { steps: 5 });
      await app.page.mouse.move(...at(300, 380), { steps: 5 });
      await app.page.keyboard.press('Escape');
      await app.page.mouse.up();
      assert.equal(await app.page.getByTestId('mask-canvas').count(), 1, 'Escape left the viewer');
      assert.equal(await app.page.getByTestId('save-state').textContent(), 'Saved', 'the lasso was applied');
      await app.page.keyboard.press('b');
      // The tool in use is said to assistive technology, not only shown by colour.
      assert.equal(await app.page.getByTestId('tool-brush').getAttribute('aria-pressed'), 'true');
      assert.equal(await app.page.getByTestId('tool-lasso').getAttribute('aria-pressed'), 'false');
      // Zoom: 1:1 and back to fit.
      const fitted = await app.page.getByTestId('zoom').textContent();
      await app.page.keyboard.press('1');
      assert.equal(await app.page.getByTestId('zoom').textContent(), '100%');
      await app.page.keyboard.press('0');
      assert.equal(await app.page.getByTestId('zoom').textContent(), fitted);
      // Previous / next image. The reader's settings come along (tool, brush, overlay colour and opacity,
      // display filter); the mask is shown on every image that opens.
      await app.page.keyboard.press('e');
      await app.page.getByTestId('opacity').fill('0.35');
      await app.page.getByTestId('opacity').blur(); // a focused slider takes the arrow keys
      await app.page.keyboard.press('c');
      await app.page.keyboard.press('o');
      const settings = async () => ({
        eraser: await app.page.getByTestId('tool-eraser').getAttribute('class'),
        radius: await brushRadius(app.page),
        opacity: await app.page.getByTestId('opacity').inputValue(),
        clahe: await app.page.getByTestId('clahe').isChecked(),
        mask: await app.page.getByTestId('toggle-mask').isChecked(),
      });
      const before = await settings();
      assert.deepEqual(
        { ...before, radius: undefined },
        { eraser: 'on', radius: undefined, opacity: '0.35', clahe: true, mask: false },
      );
      await app.page.keyboard.press('ArrowLeft');
      await waitFor('image 1/2', async () =>
        /01_test\.tif.*1\/2/.test((await app.page.locator('.stage .statusbar').textContent()) ?? ''),
      );
      // Image 1 is approved, so its tools show Pan (locked) until it is reopened; the rest carries over.
      assert.deepEqual(await settings(), { ...before, mask: true, eraser: '' });
      await app.page.keyboard.press('ArrowRight');
      await waitFor('image 2/2', async () =>
        /02_test\.tif.*2\/2/.test((await app.page.locator('.stage .statusbar').textContent()) ?? ''),
      );
      await app.page.getByTestId('mask-canvas').waitFor();
      // Back on the draft, the eraser is in hand again (Pan only until the image's edit lease is held).
      const kept = { ...before, mask: true };
      await waitFor(
        'the settings kept',
        async () => JSON.stringify(await settings()) === JSON.stringify(kept),
      ).catch(() => undefined);
      assert.deepEqual(await settings(), kept);
      await app.page.keyboard.press('c');
      await app.page.keyboard.press('b');
      // A approves what is on screen: the draft at 0.3.
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      await app.page.keyboard.press('a');
      await app.page.locator('.toast', { hasText: 'Approved' }).waitFor();
      const approved = await waitFor('approved image 2', () => storedMask(app.serve.dbPath, 2, 'approved'));
      assert.equal(countDiff(approved.data, atT), 0);
      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('worklist').waitFor();
      await waitFor('both approved', async () =>
        (await app.page.getByTestId('image-status').allTextContents()).every((s) => s === 'approved'),
      );
      await app.page.screenshot({ path: await screenshotPath('05-worklist-approved') });
    });
  },
);
