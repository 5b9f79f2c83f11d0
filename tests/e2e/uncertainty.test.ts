// Where the model is unsure, in a real browser (browser mode, 1280x720), on predictions made through `retina serve`
// by the tiny model carrying the default model's uncertainty head: the worklist's Expected F1 / Uncertainty / Gaps
// columns and its "Review next" order (lowest expected F1 first, approved last); in the viewer the heat map toggled
// with U and its button, fetched only once first shown; N moving the view to the most uncertain regions in turn
// (checked against the regions the renderer's own pure function finds in the stored map).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSummary } from '../../shared/contract.js';
import { findUncertainRegions } from '../../renderer/src/editing/uncertainRegions.js';
import { toImage } from '../../renderer/src/editing/viewport.js';
import { drag, jobFinished, recordPointer, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage, tinyUncertainModelDir } from './model-fixture.js';

interface ViewState {
  scale: number;
  x: number;
  y: number;
}

describe(
  'uncertainty end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    /** The predicted images' summaries, in import order. */
    let images: ImageSummary[];
    /** RPC channels the page called, in order. */
    const calls: string[] = [];
    const app = useWorkstation({ model: tinyUncertainModelDir });

    /** The image the viewer tests open (the first row). */
    let viewed: string;
    const rows = () =>
      app.page.getByTestId('image-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-image-id')));
    const viewState = async (): Promise<ViewState> => {
      const z = app.page.getByTestId('zoom');
      const [scale, x, y] = await Promise.all(
        ['data-scale', 'data-x', 'data-y'].map((a) => z.getAttribute(a)),
      );
      return { scale: Number(scale), x: Number(x), y: Number(y) };
    };
    const callsTo = (channel: string) => calls.filter((c) => c === channel).length;

    before(async () => {
      const imported = await app.client.invoke('importFiles', {
        paths: ['01', '02', '03', '04'].map(driveTestImage),
      });
      await jobFinished(app.client, imported.jobId);
      const listed = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items;
      const predicted = await app.client.invoke('predict', { imageIds: listed.map((i) => i.id) });
      await jobFinished(app.client, predicted.jobId);
      images = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items;
      for (const im of images) {
        assert.ok(
          im.quality,
          `${im.fileName}: the prediction stored no quality estimate (no uncertainty head?)`,
        );
      }
      app.page.on('request', (r) => {
        const m = /\/rpc\/(\w+)/.exec(new URL(r.url()).pathname);
        if (m) calls.push(m[1]);
      });
      // The requests' binary bodies are not visible from outside the page: keep their text (the frame's JSON
      // header, where the request is JSON inside JSON) as the client sends them. The client binds window.fetch when it starts, after this runs.
      await app.page.addInitScript(`(() => {
        const send = window.fetch.bind(window);
        window.__rpcBodies = [];
        window.fetch = (url, init) => {
          const body = init && init.body;
          if (body instanceof Uint8Array) window.__rpcBodies.push(String(url) + ' ' + new TextDecoder().decode(body));
          return send(url, init);
        };
      })()`);
    });

    test('worklist: quality columns, and "Review next" lists lowest expected F1 first, approved last', async () => {
      // Approve the image whose prediction is expected to be worst: "Review next" must still put it last.
      const worst = [...images].sort((a, b) => a.quality!.expectedF1 - b.quality!.expectedF1)[0];
      const masks = await app.client.invoke('getMasks', { imageId: worst.id });
      await app.client.invoke('approveMask', {
        imageId: worst.id,
        width: masks.width,
        height: masks.height,
        mask: new Uint8Array(masks.width * masks.height),
        parentVersionId: masks.prediction!.versionId,
      });
      const open = images.filter((i) => i.id !== worst.id);
      const expected = [
        ...open.sort((a, b) => a.quality!.expectedF1 - b.quality!.expectedF1).map((i) => i.id),
        worst.id,
      ];

      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await waitFor('four rows', async () => (await app.page.getByTestId('image-row').count()) === 4);
      for (const im of images) {
        const row = app.page.locator(`[data-testid="image-row"][data-image-id="${im.id}"]`);
        assert.equal(
          await row.getByTestId('row-expected-f1').textContent(),
          im.quality!.expectedF1.toFixed(3),
        );
        assert.equal(
          await row.getByTestId('mean-uncertainty').textContent(),
          `${(im.quality!.meanUncertainty * 100).toFixed(1)}%`,
        );
        assert.equal(await row.getByTestId('gap-count').textContent(), String(im.quality!.gaps));
      }

      await app.page.getByTestId('worklist-order').selectOption('review-next');
      await waitFor(
        'the "Review next" order',
        async () => JSON.stringify(await rows()) === JSON.stringify(expected),
      );
      assert.equal(await app.page.getByTestId('sort-expected-f1').getAttribute('aria-pressed'), 'true');
      const bodies = (await app.page.evaluate('window.__rpcBodies')) as string[];
      assert.ok(
        bodies.some((b) => b.includes('/rpc/listImages') && /sort\\?":\\?"review-next/.test(b)),
        'the worklist did not ask main for the review-next order',
      );
      const f1s = (await app.page
        .getByTestId('row-expected-f1')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))))) as number[];
      assert.deepEqual(
        f1s.slice(0, 3),
        [...f1s.slice(0, 3)].sort((a, b) => a - b),
        'not ascending',
      );
      assert.deepEqual(await app.page.getByTestId('image-status').allTextContents(), [
        'predicted',
        'predicted',
        'predicted',
        'approved',
      ]);
      // Usable at 1280x720: every column fits without scrolling sideways.
      const overflow = await app.page
        .locator('.worklist .table')
        .evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow <= 0, `the worklist table scrolls sideways by ${overflow} px`);
      await app.page.screenshot({ path: await screenshotPath('uncertainty-01-review-next') });
    });

    test('viewer: U and its button toggle the heat map, fetched once when first shown; N moves the view', async () => {
      const first = (await rows())[0];
      viewed = first;
      const summary = images.find((i) => i.id === first)!;
      await app.page.locator(`[data-testid="image-row"][data-image-id="${first}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      assert.equal(
        Number(await app.page.getByTestId('expected-f1').getAttribute('data-value')),
        summary.quality!.expectedF1,
      );
      const button = app.page.getByTestId('toggle-uncertainty');
      const layer = app.page.locator('canvas[data-testid="uncertainty-layer"]');
      assert.equal(await button.getAttribute('aria-pressed'), 'false');
      assert.equal(callsTo('getUncertainty'), 0, 'the map was fetched before it was asked for');
      assert.equal(await layer.count(), 0);

      // U shows it: one fetch, and the layer's canvas holds warm, partly transparent pixels.
      await app.page.keyboard.press('u');
      await app.page.locator(`canvas[data-testid="uncertainty-layer"][data-drawn]`).waitFor();
      assert.equal(await button.getAttribute('aria-pressed'), 'true');
      assert.equal(callsTo('getUncertainty'), 1);
      const payload = await app.client.invoke('getUncertainty', { imageId: first });
      assert.ok(payload, 'main has no uncertainty map for the image');
      assert.equal(await layer.getAttribute('data-version'), payload.versionId);
      assert.equal(await layer.getAttribute('data-gaps'), String(payload.gaps.length));
      assert.ok(Number(await layer.getAttribute('data-painted')) > 0, 'the heat map painted nothing');
      // Page-side source text, as flow.ts does: the DOM types are not in the tests' compile settings.
      const warm = (await app.page.evaluate(`(() => {
        const c = document.querySelector('canvas[data-testid="uncertainty-layer"]');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] > 200 && px[i + 2] < 80) n++;
        return n;
      })()`)) as number;
      assert.ok(warm > 0, 'no warm pixel on the heat map layer');
      await app.page.screenshot({ path: await screenshotPath('uncertainty-02-heat-map') });

      // U hides it; the button shows it again without a second fetch.
      await app.page.keyboard.press('u');
      await waitFor('the layer gone', async () => (await layer.count()) === 0);
      assert.equal(await button.getAttribute('aria-pressed'), 'false');
      await button.click();
      await layer.waitFor();
      assert.equal(await button.getAttribute('aria-pressed'), 'true');
      assert.equal(callsTo('getUncertainty'), 1, 'the map was fetched again');

      // N: the view zooms in from the fit onto the most uncertain region, then pans to the next one.
      const regions = findUncertainRegions(payload.data, payload.width, payload.height);
      assert.ok(regions.length >= 2, `only ${regions.length} uncertain region(s) in the map`);
      const box = (await app.page.getByTestId('mask-canvas').evaluate((el) => ({
        w: Math.floor(el.clientWidth),
        h: Math.floor(el.clientHeight),
      }))) as { w: number; h: number };
      const centreOf = (v: ViewState) => toImage(v, { x: box.w / 2, y: box.h / 2 });
      const fitted = await viewState();
      const seen: ViewState[] = [];
      for (const [i, r] of regions.slice(0, 2).entries()) {
        const before = await viewState();
        await app.page.keyboard.press('n');
        await waitFor(`the view moved to region ${i + 1}`, async () => {
          const v = await viewState();
          return v.x !== before.x || v.y !== before.y ? v : null;
        });
        const v = await viewState();
        seen.push(v);
        const c = centreOf(v);
        assert.ok(
          Math.abs(c.x - (r.x + r.width / 2)) < 0.5 && Math.abs(c.y - (r.y + r.height / 2)) < 0.5,
          `view centred on (${c.x}, ${c.y}), not on region ${i + 1} at ${JSON.stringify(r)}`,
        );
        assert.equal(
          await app.page.getByTestId('uncertain-region').textContent(),
          `Region ${i + 1} of ${regions.length}`,
        );
      }
      assert.ok(seen[0].scale > fitted.scale, 'N did not zoom in from the fitted view');
      assert.equal(seen[1].scale, seen[0].scale, 'the second N changed the zoom the first one chose');
      assert.notDeepEqual(seen[0], seen[1]);
      await app.page.screenshot({ path: await screenshotPath('uncertainty-03-next-region') });

      // The help lists both keys.
      await app.page.keyboard.press('h');
      const help = (await app.page.getByTestId('help-overlay').textContent()) ?? '';
      assert.match(help, /UUncertainty heat map/);
      assert.match(help, /NNext uncertain region/);
      const dialog = await app.page.locator('.modal.help').boundingBox();
      assert.ok(
        dialog && dialog.y >= 0 && dialog.y + dialog.height <= 720,
        'the help does not fit the window',
      );
      await app.page.screenshot({ path: await screenshotPath('uncertainty-04-help') });
      await app.page.keyboard.press('Escape');
    });

    test('P in the viewer: the new prediction has its own expected F1 in the status bar, with the map hidden', async () => {
      const first = viewed;
      assert.equal(await app.page.getByTestId('uncertain-region').count(), 1, 'N showed no region count');
      const before = (await app.client.invoke('getMasks', { imageId: first })).prediction!.versionId;
      await app.page.keyboard.press('u'); // the heat map hidden: the estimate must not depend on it
      await waitFor(
        'the layer gone',
        async () => (await app.page.locator('canvas[data-testid="uncertainty-layer"]').count()) === 0,
      );
      await app.page.keyboard.press('p');
      const after = await waitFor('a new prediction', async () => {
        const v = (await app.client.invoke('getMasks', { imageId: first })).prediction?.versionId;
        return v && v !== before ? v : null;
      });
      const payload = await app.client.invoke('getUncertainty', { imageId: first });
      assert.equal(payload?.versionId, after);
      // The old prediction's "Region k of n" went with it: the new one has its own regions, none visited yet.
      await waitFor(
        'the old region count gone',
        async () => (await app.page.getByTestId('uncertain-region').count()) === 0,
      );
      // It vanished after P and came back only on reopening the image.
      await waitFor(
        'the new estimate shown',
        async () =>
          Number(
            await app.page
              .getByTestId('expected-f1')
              .getAttribute('data-value', { timeout: 1000 })
              .catch(() => NaN),
          ) === payload!.quality.expectedF1,
      );
    });

    test('N on an image whose every uncertain region was edited says so, every time, instead of promising a new round', async () => {
      // A draft that differs from the prediction everywhere (all vessel): no region is left to walk to.
      const listed = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items;
      const target = listed.find((i) => i.id !== viewed && i.status !== 'approved')!;
      const masks = await app.client.invoke('getMasks', { imageId: target.id });
      await app.client.invoke('saveDraft', {
        imageId: target.id,
        width: masks.width,
        height: masks.height,
        mask: new Uint8Array(masks.width * masks.height).fill(1),
        parentVersionId: masks.prediction!.versionId,
      });
      await app.page.goto(app.serve.url);
      await app.page.locator(`[data-testid="image-row"][data-image-id="${target.id}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      const toasts = app.page.locator('.toast');
      for (let i = 0; i < 2; i++) {
        await app.page.keyboard.press('n');
        await app.page.locator('.toast', { hasText: 'Every uncertain region has been edited' }).waitFor();
        assert.equal(
          await app.page.locator('.toast', { hasText: 'starts again' }).count(),
          0,
          `N ${i + 1} promised a new round that cannot come`,
        );
        await toasts.evaluateAll((els) => els.forEach((e) => (e as unknown as { click(): void }).click()));
      }
      assert.equal(await app.page.getByTestId('uncertain-region').count(), 0, 'a region was shown');
    });

    test('a likely gap the annotator bridges loses its marker, and undo brings it back', async () => {
      const listed = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items;
      const target = listed.find((i) => i.id !== viewed && i.status === 'predicted' && i.quality!.gaps > 0);
      assert.ok(target, 'no unedited image with a likely gap');
      const payload = (await app.client.invoke('getUncertainty', { imageId: target.id }))!;
      const gap = payload.gaps[0];
      await app.page.goto(app.serve.url);
      await app.page.locator(`[data-testid="image-row"][data-image-id="${target.id}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      const button = app.page.getByTestId('toggle-uncertainty');
      if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
      const layer = app.page.locator(
        `canvas[data-testid="uncertainty-layer"][data-version="${payload.versionId}"]`,
      );
      await layer.waitFor();
      const markers = async () => Number(await layer.getAttribute('data-gaps'));
      assert.equal(await markers(), payload.gaps.length);

      // A brush stroke from the vessel's end to the piece it stopped short of.
      await recordPointer(app.page);
      await app.page.keyboard.press('b');
      await drag(app.page, gap.from, gap.to);
      await waitFor("the bridged gap's marker gone", async () => (await markers()) < payload.gaps.length);
      await app.page.screenshot({ path: await screenshotPath('uncertainty-05-gap-closed') });
      await app.page.keyboard.press('Control+z');
      await waitFor('the marker back after undo', async () => (await markers()) === payload.gaps.length);
    });

    test("U after the image was predicted again elsewhere: the heat map is the shown prediction's, not the newer one", async () => {
      const target = viewed;
      await app.page.goto(app.serve.url);
      await app.page.locator(`[data-testid="image-row"][data-image-id="${target}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      const button = app.page.getByTestId('toggle-uncertainty');
      assert.equal(await button.getAttribute('aria-pressed'), 'false');
      const shown = (await app.client.invoke('getMasks', { imageId: target })).prediction!.versionId;
      // An edit on the shown prediction: a newer one made elsewhere is then offered, not taken in (untouched, the
      // viewer would show it, and its heat map with it).
      await recordPointer(app.page);
      await app.page.keyboard.press('b');
      await drag(app.page, { x: 300.5, y: 300.5 }, { x: 340.5, y: 320.5 });
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      // Another page (here the test's own client) predicts the image again while the viewer shows the old one.
      const predicted = await app.client.invoke('predict', { imageIds: [target] });
      await jobFinished(app.client, predicted.jobId);
      const latest = (await app.client.invoke('getMasks', { imageId: target })).prediction!.versionId;
      assert.notEqual(latest, shown);
      await app.page.getByTestId('newer-prediction').waitFor();

      await app.page.keyboard.press('u');
      const layer = app.page.locator('canvas[data-testid="uncertainty-layer"][data-drawn]');
      await layer.waitFor();
      assert.equal(
        await layer.getAttribute('data-version'),
        shown,
        "the heat map is the newer prediction's, drawn over the prediction on screen",
      );
      await app.page.keyboard.press('u');
    });

    test('U on an image without a prediction says why and leaves the heat map setting as it was', async () => {
      const imported = await app.client.invoke('importFiles', { paths: [driveTestImage('05')] });
      await jobFinished(app.client, imported.jobId);
      const listed = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items;
      const bare = listed.find((i) => !images.some((p) => p.id === i.id))!;
      const row = (id: string) => app.page.locator(`[data-testid="image-row"][data-image-id="${id}"]`);
      const button = app.page.getByTestId('toggle-uncertainty');
      await app.page.goto(app.serve.url);
      await row(bare.id).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.equal(await button.isDisabled(), true);
      await app.page.keyboard.press('u');
      await app.page.locator('.toast', { hasText: 'No prediction' }).waitFor();
      assert.equal(await button.getAttribute('aria-pressed'), 'false');

      // The next predicted image opens with the heat map as the reader left it: off.
      await app.page.locator('.brand').click();
      await row(viewed).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      assert.equal(
        await button.getAttribute('aria-pressed'),
        'false',
        'U on the unpredicted image turned it on',
      );
    });

    test('"Review next": a row without an expected F1 says why it sits after the scored ones', async () => {
      const listed = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items;
      const bare = listed.find((i) => i.status === 'new');
      assert.ok(bare, 'no image without a prediction (imported by the test before)');
      const order = (
        await app.client.invoke('listImages', { offset: 0, limit: 10, sort: 'review-next' })
      ).items.map((i) => i.id);
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.getByTestId('worklist-order').selectOption('review-next');
      await waitFor(
        'the "Review next" order',
        async () => JSON.stringify(await rows()) === JSON.stringify(order),
      );
      const cell = (id: string) =>
        app.page.locator(`[data-testid="image-row"][data-image-id="${id}"]`).getByTestId('row-expected-f1');
      assert.equal(
        await cell(bare.id).getAttribute('title'),
        'Not predicted yet. "Review next" lists it after the images with an expected F1.',
      );
      const scored = listed.find((i) => i.quality)!;
      assert.equal(
        await cell(scored.id).getAttribute('title'),
        null,
        'a scored row explains a missing estimate',
      );
      await app.page.screenshot({ path: await screenshotPath('uncertainty-06-unscored-row') });
    });
  },
);
