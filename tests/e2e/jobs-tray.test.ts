// The jobs tray and the fill guard in a real browser at 1280x720 (browser mode): an upload with bad files lists
// each by the name it was uploaded under; with an import and a prediction in the tray, open or closed, the tray
// overlaps no button of the viewer and not the image, and every tool stays in view; finished jobs are dismissed;
// a Fill click that would change most of the image asks first, Cancel changes nothing, Fill anyway fills.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { fitView } from '../../renderer/src/editing/viewport.js';
import { H, storedMask, W, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, repoRoot, tinyModelDir } from './model-fixture.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const inside = (a: Box, outer: Box): boolean =>
  a.x >= outer.x - 0.5 &&
  a.y >= outer.y - 0.5 &&
  a.x + a.width <= outer.x + outer.width + 0.5 &&
  a.y + a.height <= outer.y + outer.height + 0.5;

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  assert.ok(b, `${locator.toString()} is not shown`);
  return b;
}

const VIEWPORT = { width: 1280, height: 720 };

describe(
  'jobs tray and fill guard at 1280x720 (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({ model: tinyModelDir, viewport: VIEWPORT });

    const tray = () => app.page.getByTestId('jobs-tray');
    const summary = () => app.page.getByTestId('jobs-summary');

    async function upload(files: { name: string; buffer: Buffer }[]): Promise<void> {
      const chooser = app.page.waitForEvent('filechooser');
      await app.page.getByTestId('import-files').click();
      await (await chooser).setFiles(files.map((f) => ({ ...f, mimeType: 'application/octet-stream' })));
    }

    test('an upload with bad files: the tray opens and names each bad file as uploaded, with a reason', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      const sample = await readFile(
        path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg'),
      );
      await upload([
        { name: '03_test.tif', buffer: await readFile(driveTestImage('03')) },
        { name: 'notes.png', buffer: Buffer.from('meeting notes, not a picture') },
        { name: 'fundus (copy).jpg', buffer: sample.subarray(0, 600) },
        { name: '04_test.tif', buffer: await readFile(driveTestImage('04')) },
      ]);
      const job = tray().locator('[data-testid="job-import"][data-state="done"]');
      await job.waitFor({ timeout: 60_000 });
      assert.equal(
        await job.getByTestId('job-message').textContent(),
        'Imported 2 of 4; 2 files could not be imported',
      );
      const failures = await job.getByTestId('job-failures').locator('li').allTextContents();
      assert.deepEqual(failures.map((f) => f.split(':')[0]).sort(), ['fundus (copy).jpg', 'notes.png']);
      for (const f of failures) {
        assert.ok(!/retina-upload|\/tmp\//.test(f), `a server-side path: ${f}`);
        assert.match(f, /^[^:]+: \S.{4,}/, `no reason: ${f}`);
      }
      assert.match((await summary().textContent()) ?? '', /^Jobs: 1 with errors/);

      // A wholly failed upload: the job fails, its error names the user's file.
      await upload([{ name: 'scan of 11L.png', buffer: Buffer.from('not a picture either') }]);
      const failed = tray().locator('[data-testid="job-import"][data-state="failed"]');
      await failed.waitFor({ timeout: 60_000 });
      assert.match(
        (await failed.getByTestId('job-message').textContent()) ?? '',
        /^Imported 0 of 1; 1 file could not be imported$/,
      );
      assert.match(
        (await failed.getByTestId('job-failures').textContent()) ?? '',
        /^scan of 11L\.png: .*unrecognised image format/,
      );
      await app.page.screenshot({ path: await screenshotPath('40-jobs-tray-import-failures') });
    });

    test('with an import and a prediction in the tray, open or closed, no viewer control and not the image is covered', async () => {
      await app.page.locator('[data-testid="image-row"]', { hasText: '03_test.tif' }).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('predict').click();
      await tray().locator('[data-testid="job-predict"][data-state="done"]').waitFor({ timeout: 60_000 });
      // The failed imports keep the tray open until dismissed.
      assert.equal(await tray().isVisible(), true);
      assert.equal(await summary().getAttribute('aria-expanded'), 'true');

      const viewport: Box = { x: 0, y: 0, ...VIEWPORT };
      const controls = app.page.locator('.viewer button');
      const named = ['tool-fill', 'islands', 'holes'].map((id) => app.page.getByTestId(id));
      named.push(app.page.locator('.tools button', { hasText: 'Help' }));
      const check = async (state: string) => {
        // The image is refitted to the canvas the tray leaves, so all of it stays in sight.
        await waitFor(`${state}: the image fitted to its canvas`, async () => {
          const c = await box(app.page.getByTestId('mask-canvas'));
          const fitted = fitView(W, H, Math.floor(c.width), Math.floor(c.height));
          return (await app.page.getByTestId('zoom').textContent()) === `${Math.round(fitted.scale * 100)}%`;
        });
        const trayParts = [await box(summary())];
        if (await tray().isVisible()) trayParts.push(await box(tray()));
        const canvas = await box(app.page.getByTestId('mask-canvas'));
        const tools = await box(app.page.locator('.tools'));
        const n = await controls.count();
        assert.ok(n >= 15, `only ${n} viewer buttons`);
        for (const part of trayParts) {
          assert.ok(inside(part, viewport), `${state}: the tray is not wholly in view`);
          assert.ok(!overlaps(part, canvas), `${state}: the tray covers the image`);
          for (let i = 0; i < n; i++) {
            const b = await controls.nth(i).boundingBox();
            if (!b) continue; // a button not shown at all (e.g. Cancel of a finished prediction)
            const label = await controls.nth(i).textContent();
            assert.ok(!overlaps(part, b), `${state}: the tray covers "${label}"`);
          }
        }
        // Every tool is in view without scrolling its column: nothing pushed out of reach.
        for (const control of named) {
          const b = await box(control);
          assert.ok(
            inside(b, tools) && inside(b, viewport),
            `${state}: ${await control.textContent()} is out of view`,
          );
        }
      };
      await check('tray open');
      await app.page.screenshot({ path: await screenshotPath('41-jobs-tray-open-1280x720') });
      await summary().click();
      assert.equal(await tray().isVisible(), false);
      await check('tray closed');
      await app.page.screenshot({ path: await screenshotPath('42-jobs-tray-closed-1280x720') });
      await summary().click();
      await tray().waitFor();
      // Hide from the keyboard gives focus back to the summary that opened the tray.
      await tray().getByRole('button', { name: 'Hide the jobs' }).press('Enter');
      await tray().waitFor({ state: 'detached' });
      await waitFor('focus on the summary', async () =>
        app.page.evaluate<boolean>('document.activeElement?.dataset?.testid === "jobs-summary"'),
      );
      await summary().click();
      await tray().waitFor();

      // A 1024x640 window with the Measurements panel open as well: the tray floats over the content's side
      // instead of squeezing the image to a sliver between four columns.
      const narrow = { width: 1024, height: 640 };
      await app.page.setViewportSize(narrow);
      await app.page.keyboard.press('Shift+M');
      await app.page.getByTestId('measurements-panel').waitFor();
      const canvas = await box(app.page.getByTestId('mask-canvas'));
      assert.ok(canvas.width >= 0.4 * narrow.width, `the image has ${canvas.width} of 1024 pixels`);
      assert.ok(inside(await box(tray()), { x: 0, y: 0, ...narrow }), 'the tray is not wholly in view');
      await app.page.screenshot({ path: await screenshotPath('44-jobs-tray-1024x640') });
      await app.page.keyboard.press('Shift+M');
      await app.page.getByTestId('measurements-panel').waitFor({ state: 'detached' });
      await app.page.setViewportSize(VIEWPORT);
    });

    test('finished jobs are dismissed; a job with failures stays until dismissed itself', async () => {
      const predictJob = tray().locator('[data-testid="job-predict"]');
      const predictId = await predictJob.getAttribute('data-job-id');
      assert.ok(predictId);
      // "Dismiss finished" clears the done prediction, not the imports with failures.
      await tray().getByTestId('jobs-dismiss-finished').click();
      await predictJob.waitFor({ state: 'detached' });
      assert.equal(await tray().locator('[data-testid="job-import"]').count(), 2);
      const listed = () => app.client.invoke('listJobs', {}).then((r) => r.jobs.map((j) => j.jobId));
      assert.ok(!(await listed()).includes(predictId), 'the dismissed job is still listed');

      // From the keyboard, focus is handed on as rows and the tray go: to the tray, then the viewer, never to
      // the page's body (where Tab starts again from the top).
      const focused = () =>
        app.page.evaluate<string>(
          '(() => { const el = document.activeElement; return el?.dataset?.testid ?? el?.tagName ?? ""; })()',
        );
      for (const [state, focusAfter] of [
        ['failed', 'jobs-tray'],
        ['done', 'viewer'],
      ]) {
        const row = tray().locator(`[data-testid="job-import"][data-state="${state}"]`);
        await row.getByRole('button', { name: 'Dismiss the import job' }).press('Enter');
        await row.waitFor({ state: 'detached' });
        await waitFor(`focus on ${focusAfter}`, async () => (await focused()) === focusAfter);
      }
      assert.deepEqual(await listed(), []);
      // Nothing left: no summary, no tray, and a reload does not bring them back.
      await summary().waitFor({ state: 'detached' });
      assert.equal(await tray().count(), 0);
    });

    test('a Fill click that would change most of the image asks first; Cancel changes nothing, Fill anyway fills', async () => {
      // The second image has no prediction: its mask is empty, so a Fill click anywhere is a background click.
      await app.page.getByRole('button', { name: 'Back to worklist' }).click();
      await app.page.locator('[data-testid="image-row"]', { hasText: '04_test.tif' }).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      const images = (await app.client.invoke('listImages', { offset: 0, limit: 10, sort: 'name' })).items;
      assert.equal(images[1].fileName, '04_test.tif');
      const imageId = Number(images[1].id);
      await app.page.keyboard.press('f');
      const canvas = await box(app.page.getByTestId('mask-canvas'));
      const at = { x: canvas.x + canvas.width / 2, y: canvas.y + canvas.height / 2 };
      const dialog = app.page.getByTestId('fill-confirm');

      await app.page.mouse.click(at.x, at.y);
      await dialog.waitFor();
      assert.match(
        (await dialog.textContent()) ?? '',
        /This fill would change 100% of the image\. Fill anyway\?/,
      );
      await app.page.screenshot({ path: await screenshotPath('43-fill-guard-asks') });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await app.page.getByTestId('undo').isEnabled(), false, 'Cancel left an undoable fill');
      // Escape answers no as well.
      await app.page.mouse.click(at.x, at.y);
      await dialog.waitFor();
      await app.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await app.page.getByTestId('undo').isEnabled(), false, 'Escape left an undoable fill');
      assert.equal(await storedMask(app.serve.dbPath, imageId, 'draft'), null, 'a cancelled fill was saved');

      await app.page.mouse.click(at.x, at.y);
      await dialog.getByRole('button', { name: 'Fill anyway' }).click();
      await dialog.waitFor({ state: 'detached' });
      const all = new Uint8Array(W * H).fill(1);
      await waitFor('the filled draft saved', async () => {
        const draft = await storedMask(app.serve.dbPath, imageId, 'draft');
        return !!draft && Buffer.from(draft.data).equals(Buffer.from(all));
      });
      assert.equal(await app.page.getByTestId('undo').isEnabled(), true);
      assert.deepEqual(app.pageErrors, []);
    });

    test('an import with a warning: listed as imported with a warning to read, not as files that failed', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      // Two patients whose IDs differ only in leading zeros: both import, the second with a warning.
      await upload([
        { name: 'pt0042_OD.tif', buffer: await readFile(driveTestImage('05')) },
        { name: 'pt42_OS.tif', buffer: await readFile(driveTestImage('06')) },
      ]);
      const job = tray().locator('[data-testid="job-import"][data-state="done"]', { hasText: 'pt42_OS.tif' });
      await job.waitFor({ timeout: 60_000 });
      assert.equal(
        await job.getByTestId('job-message').textContent(),
        'Imported 2 images; 1 warning to read',
      );
      assert.equal(await job.getByTestId('job-failures').count(), 0, 'a warning listed as a failed file');
      const warnings = job.getByTestId('job-warnings');
      assert.equal(await warnings.getAttribute('aria-label'), 'Imported, with a warning to read');
      assert.match(
        (await warnings.locator('li').allTextContents()).join('\n'),
        /^pt42_OS\.tif: new patient 42 differs from existing patient 0042/,
      );
    });
  },
);
