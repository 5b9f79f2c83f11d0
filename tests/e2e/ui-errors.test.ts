// Bad input from the UI, in a real browser (browser mode): a model that fails to load and masks of the wrong size
// reaching the server each show a readable one-line message, leave the database as it was, and leave the page
// working. The server runs with a broken copy of the bundled default model (model.onnx truncated); the wrong-size
// masks are the page's own saveDraft/approveMask requests, altered on their way to the server.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { decodeFrame, encodeFrame, rpcPath } from '../../shared/transport.js';
import type { SaveMaskRequest } from '../../shared/contract.js';
import { fromWire } from '../../shared/mask-wire.js';
import { inflate } from '../../main/server/inflate.js';
import { defaultModelDir, ONNX_FILE } from '../../main/ml/model/model-dir.js';
import { brushRadius, countDiff, drag, H, recordPointer, replay, storedMask, W, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage } from './model-fixture.js';

/** A copy of the bundled default model whose ONNX file is cut short: its manifest reads, its weights do not. */
async function brokenModelDir(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'retina-e2e-broken-model-')), 'model');
  await cp(defaultModelDir(), dir, { recursive: true });
  await truncate(path.join(dir, ONNX_FILE), 5000);
  return dir;
}

/** Rewrites the page's request on `channel` with `alter`, passing it on to the real server. */
async function alterMaskRequests(
  page: Page,
  channel: 'saveDraft' | 'approveMask',
  alter: (req: SaveMaskRequest) => SaveMaskRequest,
): Promise<{ seen: () => number; stop: () => Promise<void> }> {
  let seen = 0;
  const pattern = `**${rpcPath(channel)}`;
  const handler = async (route: Route) => {
    const body = route.request().postDataBuffer();
    assert.ok(body, `${channel} request without a body`);
    // The page sends the pixels compact (shared/mask-wire.ts); altered, they go on as an older window sent them.
    const req = fromWire(channel, decodeFrame(new Uint8Array(body)), inflate) as SaveMaskRequest;
    seen++;
    await route.continue({ postData: Buffer.from(encodeFrame(alter(req))) });
  };
  await page.route(pattern, handler);
  return { seen: () => seen, stop: () => page.unroute(pattern, handler) };
}

/** The error toast with `pattern`; asserts it is one readable line (no stack, no dump). */
async function errorToast(page: Page, pattern: RegExp): Promise<string> {
  const toast = page.locator('.toast.error', { hasText: pattern }).first();
  await toast.waitFor({ timeout: 30_000 });
  const text = (await toast.textContent()) ?? '';
  assert.ok(!/\n|\s+at\s+\S+:\d+/.test(text) && text.length < 300, `not a readable one-liner: ${text}`);
  return text;
}

describe(
  'errors from the UI end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let modelDir = '';
    let imageId: string;
    const app = useWorkstation({
      model: async () => {
        modelDir = await brokenModelDir();
        return modelDir;
      },
      viewport: { width: 1280, height: 800 },
      afterStop: async () => {
        if (modelDir) await rm(path.dirname(modelDir), { recursive: true, force: true });
      },
    });

    before(async () => {
      const { jobId } = await app.client.invoke('importFiles', { paths: [driveTestImage('01')] });
      await waitFor('the import', async () => {
        const job = (await app.client.invoke('listJobs', {})).jobs.find((j) => j.jobId === jobId);
        assert.ok(job?.state !== 'failed', `import failed: ${job?.error?.message}`);
        return job?.state === 'done';
      });
      imageId = (await app.client.invoke('listImages', { offset: 0, limit: 1 })).items[0].id;
    });

    const masksOf = async () => ({
      prediction: await storedMask(app.serve.dbPath, Number(imageId), 'prediction'),
      draft: await storedMask(app.serve.dbPath, Number(imageId), 'draft'),
      approved: await storedMask(app.serve.dbPath, Number(imageId), 'approved'),
    });
    const noMasks = { prediction: null, draft: null, approved: null };
    const statusOf = async () => (await app.client.invoke('getImageInfo', { imageId })).status;

    test('a model that fails to load: Predict shows a readable message, saves nothing, the page lives on', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      const modelsBefore = (await app.client.invoke('listModels', {})).models;
      await app.page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      const predict = app.page.getByTestId('predict');
      assert.equal(await predict.isEnabled(), true, 'Predict is disabled: the broken model was not offered');

      await predict.click();
      const text = await errorToast(app.page, /failed/);
      assert.match(text, /^predict failed: .*model\.onnx.*not a valid ONNX model/);
      await app.page.locator('[data-testid="job-predict"][data-state="failed"]').waitFor();
      await app.page.screenshot({ path: await screenshotPath('20-model-fails-to-load') });

      assert.deepEqual(await masksOf(), noMasks, 'the failed prediction left a mask version behind');
      assert.equal(await statusOf(), 'new');
      assert.deepEqual(
        (await app.client.invoke('listModels', {})).models,
        modelsBefore,
        'the models changed',
      );
      // The page lives on: Predict can be pressed again, the tools still answer the keyboard.
      await waitFor('Predict enabled again', () => predict.isEnabled());
      await app.page.keyboard.press('e');
      assert.match((await app.page.getByTestId('tool-eraser').getAttribute('class')) ?? '', /\bon\b/);
      await app.page.keyboard.press('b');
      assert.deepEqual(app.pageErrors, []);
    });

    test('masks of the wrong size: a readable message, no new version, and the next good save works', async () => {
      // The viewer is still open on the image (no prediction, so the mask starts empty).
      await app.page.getByTestId('mask-canvas').waitFor();
      await recordPointer(app.page);
      const radius = await brushRadius(app.page);
      const expected = new Uint8Array(W * H);
      const saveState = app.page.getByTestId('save-state');

      // saveDraft whose mask lost its last byte: the boundary's validator refuses it.
      const short = await alterMaskRequests(app.page, 'saveDraft', (r) => ({
        ...r,
        mask: r.mask.slice(0, -1),
      }));
      replay(expected, await drag(app.page, { x: 100.5, y: 280.5 }, { x: 460.5, y: 300.5 }), radius, 1);
      const shortText = await errorToast(app.page, /bytes, expected/);
      assert.equal(shortText, `saveDraft.mask has ${W * H - 1} bytes, expected ${W}x${H} = ${W * H}`);
      await saveState.filter({ hasText: /fail|error/i }).waitFor();
      assert.equal(short.seen(), 1);
      await short.stop();
      assert.deepEqual(await masksOf(), noMasks, 'the refused draft was saved');

      // approveMask with width and height swapped (the byte count still matches): the store refuses it.
      const swapped = await alterMaskRequests(app.page, 'approveMask', (r) => ({
        ...r,
        width: r.height,
        height: r.width,
      }));
      await app.page.keyboard.press('a');
      const swappedText = await errorToast(app.page, /but image/);
      assert.match(
        swappedText,
        new RegExp(`^mask is ${H}x${W} but image ${imageId} \\(01_test\\.tif\\) is ${W}x${H}$`),
      );
      assert.equal(swapped.seen(), 1);
      await swapped.stop();
      assert.deepEqual(await masksOf(), noMasks, 'the refused approval was saved');
      assert.equal(await statusOf(), 'new');
      await app.page.screenshot({ path: await screenshotPath('21-mask-wrong-size') });

      // Nothing was lost on the page: the next edit saves a draft holding both strokes.
      replay(expected, await drag(app.page, { x: 100.5, y: 420.5 }, { x: 460.5, y: 440.5 }), radius, 1);
      await saveState.filter({ hasText: 'Saved' }).waitFor();
      const draft = await waitFor('the good draft', () =>
        storedMask(app.serve.dbPath, Number(imageId), 'draft'),
      );
      assert.ok(expected.reduce((a, v) => a + v, 0) > 2000, 'the strokes painted too little to test');
      assert.equal(countDiff(draft.data, expected), 0, 'the draft is not exactly the two strokes');
      assert.equal(await statusOf(), 'draft');
      assert.deepEqual(app.pageErrors, []);
    });
  },
);
