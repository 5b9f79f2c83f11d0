// Keyboard-only and screen-reader use of the browser-mode workstation in chromium: the import path dialog is a
// labelled modal that Escape closes, the worklist says which row is highlighted when focus lands on it, and the
// jobs tray is reachable from its summary and closes on Escape; the reopen reason form gives focus back when it
// closes; the pointer readout names artery and vein, not only colour; every column of the Models screen's tables
// has a name.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { avColours, fittedView, jobFinished, W, H, waitFor, holdsFocus as holdsFocusIn } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { bundledVesselModelDir, driveTestImage, repoRoot } from './model-fixture.js';
import { approveMaskVersion, openStore, registerModel, saveMaskVersion } from '../../main/store/index.js';
import { AV_VALUES } from '../../shared/contract.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

describe(
  'keyboard and screen-reader access (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      // A candidate in the registry (never promoted), so that the Models screen shows its table of vessel models.
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        try {
          registerModel(
            store,
            { name: 'e2e-candidate', dirPath: await bundledVesselModelDir(), architecture: {} },
            'test',
          );
        } finally {
          store.close();
        }
      },
    });
    const focused = () =>
      app.page.evaluate<string>(
        '(() => { const el = document.activeElement; return el?.dataset?.testid ?? el?.tagName ?? ""; })()',
      );
    const holdsFocus = (testId: string) => holdsFocusIn(app.page, testId);

    before(async () => {
      const imported = await app.client.invoke('importFiles', { paths: [SAMPLE, driveTestImage('03')] });
      await jobFinished(app.client, imported.jobId);
      // 03_test.tif approved with an artery/vein map (every pixel a vessel, the left half artery, the right half
      // vein), written before any window opens it (a window holding its edit lease would refuse an approval).
      const rows = await app.client.invoke('listImages', { offset: 0, limit: 10 });
      const store = openStore(app.serve.dbPath);
      try {
        const av = new Uint8Array(W * H);
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) av[y * W + x] = x < W / 2 ? AV_VALUES.artery : AV_VALUES.vein;
        const draft = await saveMaskVersion(store, {
          imageId: Number(rows.items.find((r) => r.fileName === '03_test.tif')!.id),
          kind: 'draft',
          author: 'ann',
          mask: { width: W, height: H, data: new Uint8Array(W * H).fill(1) },
          av,
        });
        approveMaskVersion(store, draft.id, 'ann');
      } finally {
        store.close();
      }
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
    test("every column of the Models screen's vessel table has a name a screen reader reads", async () => {
      const page = app.page;
      await openWorklist();
      await page.getByTestId('nav-models').focus();
      await page.keyboard.press('Enter');
      const table = page.locator(
        '[data-testid="model-task"][data-task="vessel"] [data-testid="models-table"]',
      );
      await table.waitFor();
      const snapshot = await table.ariaSnapshot();
      const headers = snapshot.split('\n').filter((l) => /^\s*- columnheader\b/.test(l));
      assert.equal(headers.length, 7, snapshot);
      for (const h of headers)
        assert.match(h, /columnheader "[^"]+"/, `a column without a name:\n${snapshot}`);
      // The last column holds the row's actions; its header says so.
      assert.match(headers.at(-1)!, /columnheader "Actions"/);
      // The candidate, registered from the bundled model's folder, is a candidate: not the model in use.
      const candidate = table.getByTestId('model-row').filter({ hasText: 'e2e-candidate' });
      assert.equal(await candidate.getByTestId('model-status').textContent(), 'candidate');
    });

    test('the save state is read out politely as it changes; a failed save only by its own notice', async () => {
      // A page of its own: its failed saves (cut off here) log errors this suite's page must not.
      const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
      let failing = false;
      await page.route('**/rpc/saveDraft', (route) =>
        failing ? route.abort('connectionfailed') : route.continue(),
      );
      try {
        await page.goto(app.serve.url);
        await page.getByTestId('image-row').nth(1).waitFor();
        await page.getByTestId('worklist').focus();
        await page.keyboard.press('Enter');
        await page.getByTestId('mask-canvas').waitFor();
        const region = page.getByRole('status').and(page.getByTestId('save-state'));
        assert.equal(await region.getAttribute('aria-live'), null, 'role status is polite already');
        const stroke = async (dy: number) => {
          const box = (await page.getByTestId('mask-canvas').boundingBox())!;
          const [x, y] = [box.x + box.width / 2, box.y + box.height / 2 + dy];
          await page.mouse.move(x, y);
          await page.mouse.down();
          await page.mouse.move(x + 60, y + 10, { steps: 8 });
          await page.mouse.up();
        };
        await page.getByTestId('viewer').focus();
        await page.keyboard.press('b');
        await stroke(0);
        await waitFor(
          'the edit saved',
          async () => (await page.getByTestId('review-state').getAttribute('data-status')) === 'draft',
        );
        await waitFor('Saved read out', async () => /^- status: Saved$/.test(await region.ariaSnapshot()));

        failing = true;
        await stroke(40);
        await page.getByTestId('save-state').filter({ hasText: 'Save failed' }).waitFor();
        // Shown, but not read out by the live region: the failure's toast and notice say it, once.
        assert.equal(await region.ariaSnapshot(), '- status');
        await page.locator('.toast', { hasText: 'cannot reach RetinaStudio' }).waitFor();
      } finally {
        failing = false;
        await page.close();
      }
    });

    describe('03_test.tif, approved with an artery/vein map', () => {
      const openApproved = async () => {
        await openWorklist();
        await app.page.getByTestId('worklist').focus();
        await app.page.keyboard.press('ArrowDown');
        await app.page.keyboard.press('Enter');
        await app.page.locator('[data-testid="viewer"][data-image-id]').waitFor();
      };

      test('the pointer readout says artery or vein while the artery/vein layer is shown', async () => {
        const page = app.page;
        await openApproved();
        await page.locator('[data-testid="review-state"][data-status="approved"]').waitFor();
        const { view, left, top } = await fittedView(page);
        const readout = () => page.locator('.statusbar span', { hasText: /^x \d+ y \d+/ }).textContent();
        const hover = async (p: { x: number; y: number }) => {
          await page.mouse.move(
            left + view.x + (p.x + 0.5) * view.scale,
            top + view.y + (p.y + 0.5) * view.scale,
          );
          return readout();
        };
        const arteryAt = { x: 100, y: 300 };
        const veinAt = { x: 460, y: 300 };
        // The layer hidden: a vessel (the mask's colour says no more).
        assert.equal(await hover(arteryAt), 'x 100 y 300 · vessel');
        await page.getByTestId('viewer').focus();
        await page.keyboard.press('v');
        await waitFor('the artery/vein layer shown', async () => (await avColours(page)) !== null);
        // The pointer still: the readout follows the layer at once, not at the pointer's next move.
        assert.equal(await readout(), 'x 100 y 300 · artery');
        assert.equal(await hover(arteryAt), 'x 100 y 300 · artery');
        assert.equal(await hover(veinAt), 'x 460 y 300 · vein');
        await page.keyboard.press('v');
        assert.equal(await readout(), 'x 460 y 300 · vessel');
        assert.equal(await hover(veinAt), 'x 460 y 300 · vessel');
      });

      test('the reopen reason form gives focus back: to Reopen when cancelled, to the viewer when sent', async () => {
        const page = app.page;
        await openApproved();
        const reopen = page.getByTestId('reopen');
        await reopen.focus();
        await page.keyboard.press('Enter');
        await page.getByTestId('reopen-form').waitFor();
        assert.equal(await focused(), 'reopen-reason');
        await page.keyboard.press('Escape');
        await page.getByTestId('reopen-form').waitFor({ state: 'detached' });
        assert.equal(await focused(), 'reopen', 'Escape dropped focus to the page');
        // Escape closed the form only, not the viewer as well.
        assert.equal(await page.getByTestId('viewer').count(), 1);

        await page.keyboard.press('Enter');
        await page.getByTestId('reopen-cancel').waitFor();
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        assert.equal(await focused(), 'reopen-cancel');
        await page.keyboard.press('Enter');
        await page.getByTestId('reopen-form').waitFor({ state: 'detached' });
        assert.equal(await focused(), 'reopen', 'Cancel dropped focus to the page');

        await page.keyboard.press('Enter');
        await page.keyboard.type('a vessel was missed');
        await page.keyboard.press('Enter');
        await page
          .locator('[data-testid="review-state"][data-status="draft"][data-reopened="true"]')
          .waitFor();
        assert.equal(await focused(), 'viewer', 'reopening dropped focus to the page');
        // The viewer's keys act at once: B takes the brush on the reopened draft.
        await page.keyboard.press('b');
        await waitFor('the brush taken', async () =>
          /\bon\b/.test((await page.getByTestId('tool-brush').getAttribute('class')) ?? ''),
        );
      });
    });
  },
);
