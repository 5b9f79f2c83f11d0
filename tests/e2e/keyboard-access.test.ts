// Keyboard-only and screen-reader use of the browser-mode workstation in chromium: the import path dialog is a
// labelled modal that Escape closes, the worklist says which row is highlighted when focus lands on it, and the
// jobs tray is reachable from its summary and closes on Escape.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { jobFinished, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, repoRoot } from './model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

describe(
  'keyboard and screen-reader access (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation();
    const focused = () =>
      app.page.evaluate<string>(
        '(() => { const el = document.activeElement; return el?.dataset?.testid ?? el?.tagName ?? ""; })()',
      );
    /** Whether focus is on or inside the element with this test id. */
    const holdsFocus = (testId: string) =>
      app.page.evaluate<boolean>(
        `document.querySelector('[data-testid="${testId}"]')?.contains(document.activeElement) ?? false`,
      );

    before(async () => {
      const imported = await app.client.invoke('importFiles', { paths: [SAMPLE, driveTestImage('03')] });
      await jobFinished(app.client, imported.jobId);
    });

    const openWorklist = async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('image-row').nth(1).waitFor();
    };

    test('Import folder asks for the path in a labelled modal dialog that Escape closes', async () => {
      const page = app.page;
      await openWorklist();
      await page.getByTestId('import-folder').focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Import a folder' });
      await dialog.waitFor();
      assert.equal(await dialog.getAttribute('aria-modal'), 'true');
      // The path field has a name a screen reader reads (not only a placeholder), and holds focus.
      assert.equal(
        await dialog.getByRole('textbox', { name: 'Folder path' }).getAttribute('data-testid'),
        'path-input',
      );
      assert.equal(await holdsFocus('path-input'), true);
      // Tab stays in the dialog: from its last button back to its field, never to the worklist behind it.
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        assert.equal(await holdsFocus('path-dialog'), true, `Tab ${i + 1} left it`);
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'import-folder', 'focus went back to the button that opened it');
    });

    test('focus landing on the worklist, by Tab or back from the viewer, reads out the highlighted row', async () => {
      const page = app.page;
      await openWorklist();
      const announced = () => page.getByTestId('row-announcement').textContent();
      // Shift+Tab from the search field lands on the list (the keys ↑/↓/Enter/Space act there).
      await page.getByTestId('search').focus();
      await page.keyboard.press('Shift+Tab');
      assert.equal(await focused(), 'worklist');
      await waitFor('the highlighted row read out', async () =>
        /^fundus-normal-left-eye-cc0\.jpg, 1 of 2/.test((await announced()) ?? ''),
      );

      await page.keyboard.press('ArrowDown');
      await waitFor('the next row read out', async () =>
        /^03_test\.tif, 2 of 2/.test((await announced()) ?? ''),
      );
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="viewer"]').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('worklist').waitFor();
      assert.equal(await focused(), 'worklist');
      await waitFor('the row left read out again', async () =>
        /^03_test\.tif, 2 of 2/.test((await announced()) ?? ''),
      );
    });

    test('the jobs tray opened from its summary takes focus, and Escape closes it back to the summary', async () => {
      const page = app.page;
      await openWorklist();
      await page.getByTestId('worklist').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('viewer').waitFor();
      const summary = page.getByTestId('jobs-summary');
      await summary.focus();
      await page.keyboard.press('Enter');
      const tray = page.getByRole('region', { name: 'Jobs' });
      await tray.waitFor();
      // Its buttons (Dismiss, Cancel) follow at once, not after every worklist row's checkbox.
      await waitFor('focus in the tray', () => holdsFocus('jobs-tray'));
      await page.keyboard.press('Tab');
      assert.equal(await holdsFocus('jobs-tray'), true);
      await page.keyboard.press('Escape');
      await tray.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'jobs-summary');
      assert.equal(await summary.getAttribute('aria-expanded'), 'false');
      // That Escape closed the tray only, not the viewer behind it too.
      assert.equal(await page.getByTestId('viewer').count(), 1);
    });
  },
);
