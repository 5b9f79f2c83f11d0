// The viewer's keyboard in a real browser (browser mode): two keys pressed back to back, before React renders the
// first one's change, each act on the state the one before left; the Help overlay closes when the image changes
// through the address bar; on a Cyrillic layout the tool keys and Ctrl+Z act through the physical key.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { drag, jobFinished, recordPointer, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, repoRoot, tinyModelDir } from './model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

describe(
  'viewer keyboard end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({ model: tinyModelDir, viewport: { width: 1280, height: 800 } });
    let ids: string[] = [];

    const openViewer = async (id: string) => {
      // The served address carries the session's token; the image is then named in the hash, as a link would.
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.evaluate(`location.hash = '#/image/${id}'`);
      await app.page.locator(`[data-testid="viewer"][data-image-id="${id}"]`).waitFor();
      await app.page.getByTestId('mask-canvas').waitFor();
    };
    /** Dispatches keydowns in one task, so no render can come between them. */
    const pressTogether = (keys: string[]) =>
      app.page.evaluate(
        `for (const key of ${JSON.stringify(keys)}) dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }))`,
      );

    test('keys pressed back to back each act on the state the one before left', async () => {
      const imported = await app.client.invoke('importFiles', { paths: [SAMPLE, driveTestImage('03')] });
      await jobFinished(app.client, imported.jobId);
      ids = (await app.client.invoke('listImages', { offset: 0, limit: 10, sort: 'name' })).items.map(
        (i) => i.id,
      );
      assert.equal(ids.length, 2);
      await jobFinished(app.client, (await app.client.invoke('predict', { imageIds: ids })).jobId);
      await openViewer(ids[0]);

      // H opens Help, and the Escape right after it closes Help (not the viewer, as a stale "Help is shut" would).
      await pressTogether(['h', 'Escape']);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await app.page.getByTestId('help-overlay').count(), 0, 'Help is open');
      assert.equal(await app.page.getByTestId('viewer').count(), 1, 'Escape closed the viewer, not Help');

      // And through playwright's keyboard, with no wait between the presses.
      await app.page.keyboard.press('h');
      await app.page.keyboard.press('Escape');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await app.page.getByTestId('help-overlay').count(), 0, 'Help is open');
      assert.equal(await app.page.getByTestId('viewer').count(), 1, 'Escape closed the viewer, not Help');
    });

    test('the Help overlay closes when the image changes through the address bar', async () => {
      await openViewer(ids[0]);
      await app.page.keyboard.press('h');
      await app.page.getByTestId('help-overlay').waitFor();
      await app.page.evaluate(`location.hash = '#/image/${ids[1]}'`);
      await app.page.locator(`[data-testid="viewer"][data-image-id="${ids[1]}"]`).waitFor();
      await waitFor('Help closed', async () => (await app.page.getByTestId('help-overlay').count()) === 0);
      // The keys work again on the new image: H opens Help.
      await app.page.keyboard.press('h');
      await app.page.getByTestId('help-overlay').waitFor();
    });

    test('on a Cyrillic layout the tool keys and Ctrl+Z work through the physical key', async () => {
      // The DRIVE photograph (sorted first), whose size drag() assumes.
      await openViewer(ids[0]);
      const page = app.page;
      const press = (key: string, code: string, ctrlKey = false) =>
        page.evaluate(
          `dispatchEvent(new KeyboardEvent('keydown', ${JSON.stringify({ key, code, ctrlKey, bubbles: true })}))`,
        );
      const pressed = (tool: string) => page.getByTestId(`tool-${tool}`).getAttribute('aria-pressed');
      await press('у', 'KeyE');
      await waitFor('the eraser picked by У (E)', async () => (await pressed('eraser')) === 'true');
      await press('и', 'KeyB');
      await waitFor('the brush picked by И (B)', async () => (await pressed('brush')) === 'true');
      await recordPointer(page);
      await drag(page, { x: 100, y: 300 }, { x: 400, y: 320 });
      await waitFor('the stroke to undo', () => page.getByTestId('undo').isEnabled());
      await press('я', 'KeyZ', true);
      await waitFor(
        'the stroke undone by Ctrl+Я (Z)',
        async () => !(await page.getByTestId('undo').isEnabled()),
      );
      assert.equal(await page.getByTestId('redo').isEnabled(), true);
    });
  },
);
