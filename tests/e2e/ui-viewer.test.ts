// The viewer's finer points in a real browser (browser mode): an unreadable upload shows a readable message and
// saves nothing; arrow keys on the focused threshold slider move the slider, not the image; undoing a hand edit
// also undoes its "edited by hand" marks, so the slider rewrites those pixels again (checked pixel for pixel in
// the SQLite file); the CLAHE display filter changes what is shown and nothing else; a large photograph opens on a
// screen-sized preview, and the photograph itself is asked for only once that preview is on screen.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { rpcPath } from '../../shared/transport.js';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import {
  brushRadius,
  countDiff,
  drag,
  jobFinished,
  H,
  recordPointer,
  replay,
  same,
  storedMask,
  storedPrediction,
  W,
  waitFor,
} from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, repoRoot, tinyModelDir } from './model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

describe(
  'viewer details end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({ model: tinyModelDir, viewport: { width: 1280, height: 800 } });

    test('an unreadable upload shows a readable message and saves nothing', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      const chooser = app.page.waitForEvent('filechooser');
      await app.page.getByTestId('import-files').click();
      await (
        await chooser
      ).setFiles([
        { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture at all') },
      ]);
      const toast = app.page.locator('.toast.error').first();
      await toast.waitFor({ timeout: 30_000 });
      const text = (await toast.textContent()) ?? '';
      assert.match(text, /^import failed: .*broken\.png/);
      assert.ok(!/\n|\s+at\s+\S+:\d+/.test(text) && text.length < 300, `not a readable one-liner: ${text}`);
      const listed = await app.client.invoke('listImages', { offset: 0, limit: 10 });
      assert.equal(listed.total, 0, 'the unreadable file left an image behind');
      assert.equal(await app.page.getByTestId('image-row').count(), 0);
      await app.page.screenshot({ path: await screenshotPath('10-unreadable-upload') });
    });

    test('slider keys, undo of the edited-by-hand marks, and the CLAHE display filter', async () => {
      const imported = await app.client.invoke('importFiles', {
        paths: [driveTestImage('03'), driveTestImage('04')],
      });
      await jobFinished(app.client, imported.jobId);
      const images = (await app.client.invoke('listImages', { offset: 0, limit: 10, sort: 'name' })).items;
      assert.deepEqual(
        images.map((i) => i.fileName),
        ['03_test.tif', '04_test.tif'],
      );
      const predicted = await app.client.invoke('predict', { imageIds: images.map((i) => i.id) });
      await jobFinished(app.client, predicted.jobId);
      const second = images[1];
      const id = Number(second.id);
      const pred = await storedPrediction(app.serve.dbPath, id);

      await app.page.goto(app.serve.url);
      await waitFor(
        'two predicted rows',
        async () =>
          (await app.page.getByTestId('image-status').allTextContents()).join() === 'predicted,predicted',
      );
      await app.page.locator(`[data-testid="image-row"][data-image-id="${second.id}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      const statusbar = app.page.locator('.stage .statusbar');
      const slider = app.page.getByTestId('threshold');
      const t0 = Number(await slider.inputValue());
      assert.equal(t0.toFixed(2), pred.threshold.toFixed(2));

      // ArrowLeft / ArrowRight on the focused slider move it; the viewer stays on image 2/2.
      await slider.focus();
      await app.page.keyboard.press('ArrowLeft');
      await app.page.keyboard.press('ArrowLeft');
      assert.equal(Number(await slider.inputValue()).toFixed(2), (t0 - 0.02).toFixed(2));
      await app.page.keyboard.press('ArrowRight');
      assert.equal(Number(await slider.inputValue()).toFixed(2), (t0 - 0.01).toFixed(2));
      assert.match((await statusbar.textContent()) ?? '', /04_test\.tif.*2\/2/);
      await slider.blur();

      // Erase a stroke by hand, undo it, then move the slider: the pixels the undone stroke had claimed follow
      // the prediction again, so the saved draft is exactly the prediction thresholded at the new value.
      await recordPointer(app.page);
      const radius = await brushRadius(app.page);
      await app.page.keyboard.press('e');
      const stroke = await drag(app.page, { x: 150.2, y: 200.7 }, { x: 420.4, y: 380.1 });
      const footprint = new Uint8Array(W * H);
      replay(footprint, stroke, radius, 1);
      const t = 0.3;
      const atT = thresholdProbabilities(pred.prob16, t);
      const atStart = thresholdProbabilities(pred.prob16, t0 - 0.01);
      let rewritten = 0;
      for (let p = 0; p < footprint.length; p++) if (footprint[p] && atT[p] !== atStart[p]) rewritten++;
      assert.ok(rewritten > 20, `only ${rewritten} pixels under the stroke change between thresholds`);
      await app.page.keyboard.press('Control+z');
      await slider.fill(String(t));
      await slider.blur();
      await waitFor('the draft at threshold 0.3', async () =>
        same((await storedMask(app.serve.dbPath, id, 'draft'))?.data, atT),
      );
      const draft = await storedMask(app.serve.dbPath, id, 'draft');
      assert.equal(countDiff(draft?.data ?? new Uint8Array(0), atT), 0);

      // CLAHE: what is shown changes, the mask does not; toggling back restores the picture exactly.
      await app.page.keyboard.press('o');
      const canvas = app.page.getByTestId('mask-canvas');
      const plain = await canvas.screenshot();
      await app.page.keyboard.press('c');
      assert.equal(await app.page.getByTestId('clahe').isChecked(), true);
      await app.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const enhanced = await canvas.screenshot();
      assert.ok(!plain.equals(enhanced), 'CLAHE changed nothing on screen');
      await app.page.keyboard.press('o');
      await app.page.screenshot({ path: await screenshotPath('11-viewer-clahe') });
      await app.page.keyboard.press('o');
      await app.page.keyboard.press('c');
      await app.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      assert.ok(plain.equals(await canvas.screenshot()), 'turning CLAHE off did not restore the picture');
      await app.page.keyboard.press('o');
      assert.ok(
        same((await storedMask(app.serve.dbPath, id, 'draft'))?.data, atT),
        'a display filter changed the mask',
      );
    });

    test('a large photograph opens on its preview; the photograph is fetched once that is on screen', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'retina-big-'));
      try {
        const file = path.join(dir, 'big_3504x2336.png');
        await sharp(driveTestImage('01'))
          .resize({ width: 3504, height: 2336, fit: 'contain', background: { r: 0, g: 0, b: 0 } })
          .png({ compressionLevel: 1 })
          .toFile(file);
        const imported = await app.client.invoke('importFiles', { paths: [file] });
        await jobFinished(app.client, imported.jobId);
        const big = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items.find(
          (i) => i.width === 3504,
        );
        assert.ok(big, 'the large image was not imported');
        await jobFinished(app.client, (await app.client.invoke('predict', { imageIds: [big.id] })).jobId);

        // Hold the photograph's answer until the test has seen the preview; note what was on screen when the
        // page asked for it.
        let release!: () => void;
        const released = new Promise<void>((r) => (release = r));
        const shownWhenAsked: (string | null)[] = [];
        const fetched: string[] = [];
        app.page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
        const isPhotograph = (url: URL) => url.pathname === rpcPath('getImage');
        await app.page.route(isPhotograph, async (route) => {
          shownWhenAsked.push(
            await app.page
              .getByTestId('mask-canvas')
              .getAttribute('data-photograph', { timeout: 1000 })
              .catch(() => null),
          );
          await released;
          await route.continue();
        });
        // The decoded bitmaps not yet closed, by size: the preview's must be closed once the photograph replaced it
        // (left to the garbage collector, which does not see a bitmap's pixels, each opening kept one alive).
        await app.page.addInitScript(`(() => {
          const live = (window.__liveBitmaps = new Set());
          const decode = window.createImageBitmap.bind(window);
          window.createImageBitmap = async (...args) => {
            const b = await decode(...args);
            const size = b.width + 'x' + b.height;
            live.add(b);
            const close = b.close.bind(b);
            b.close = () => (live.delete(b), close());
            b.size = size;
            return b;
          };
        })()`);
        await app.page.goto(app.serve.url);
        await app.page.locator(`[data-testid="image-row"][data-image-id="${big.id}"]`).dblclick();
        const canvas = app.page.getByTestId('mask-canvas');
        await canvas.and(app.page.locator('[data-photograph="preview"]')).waitFor();
        release();
        await canvas.and(app.page.locator('[data-photograph="full"]')).waitFor();
        await app.page.unroute(isPhotograph);
        assert.ok(fetched.includes(rpcPath('getImagePreview')), 'no preview was asked for');
        // Every photograph asked for (this one, and its neighbours in the list, fetched ahead) waited for the preview.
        assert.ok(shownWhenAsked.length >= 1, 'the photograph itself was never asked for');
        assert.ok(
          shownWhenAsked.every((shown) => shown === 'preview'),
          `a photograph was asked for before the preview showed: ${shownWhenAsked.join(', ')}`,
        );
        const sizes = new Set(
          (await app.client.invoke('listImages', { offset: 0, limit: 50 })).items.map(
            (i) => `${i.width}x${i.height}`,
          ),
        );
        const openPreviews = async () =>
          ((await app.page.evaluate('[...window.__liveBitmaps].map((b) => b.size)')) as string[]).filter(
            (size) => !sizes.has(size),
          );
        await waitFor(
          'the preview bitmap closed',
          async () => (await openPreviews()).length === 0,
          10_000,
        ).catch(async () => assert.fail(`preview bitmaps left open: ${(await openPreviews()).join(', ')}`));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    test('a JPEG with an EXIF orientation opens turned as the camera meant, its mask in the same frame', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'retina-exif-'));
      try {
        // Stored 700x500 and tagged "turn a quarter clockwise to display" (as phone adapters write): shown 500x700.
        const file = path.join(dir, 'phone-adapter.jpg');
        await sharp(SAMPLE)
          .extract({ left: 300, top: 400, width: 700, height: 500 })
          .jpeg({ quality: 92 })
          .withMetadata({ orientation: 6 })
          .toFile(file);
        const imported = await app.client.invoke('importFiles', { paths: [file] });
        await jobFinished(app.client, imported.jobId);
        const image = (await app.client.invoke('listImages', { offset: 0, limit: 20 })).items.find(
          (i) => i.fileName === 'phone-adapter.jpg',
        );
        assert.ok(image, 'not imported');
        assert.deepEqual([image.width, image.height], [500, 700]);
        await jobFinished(app.client, (await app.client.invoke('predict', { imageIds: [image.id] })).jobId);
        const masks = await app.client.invoke('getMasks', { imageId: image.id });
        assert.deepEqual([masks.width, masks.height], [500, 700]);
        await app.page.goto(app.serve.url);
        await app.page.locator(`[data-testid="image-row"][data-image-id="${image.id}"]`).dblclick();
        // The browser turns the JPEG by its tag too: it decodes at the image's size, so the viewer shows it.
        await app.page.locator('[data-testid="mask-canvas"][data-photograph="full"]').waitFor();
        assert.equal(await app.page.locator('.viewer [role="alert"]').count(), 0);
        assert.deepEqual(app.pageErrors, []);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
