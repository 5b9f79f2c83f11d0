// Shared by the browser and Electron end-to-end tests: reading masks back from the SQLite file, waiting, and the
// pointer replay that recomputes, with the renderer's own pure functions, the mask a stroke must produce.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  openStore,
  latestMaskVersion,
  latestMasks,
  loadMask,
  loadProbability,
} from '../../main/store/index.js';
import { strokeSegment } from '../../renderer/src/editing/brush.js';
import type { HttpClient } from '../../renderer/src/transport/httpClient.js';
import { fitView, toImage, type View } from '../../renderer/src/editing/viewport.js';

export const W = 565;
export const H = 584;

export interface Recorded {
  type: string;
  points: { x: number; y: number }[];
}

/** The latest mask of `kind` for an image, read straight from the database file. */
export async function storedMask(dbPath: string, imageId: number, kind: 'prediction' | 'draft' | 'approved') {
  const store = openStore(dbPath, { readonly: true });
  try {
    const v = latestMaskVersion(store, imageId, kind);
    return v ? { id: v.id, data: (await loadMask(store, v)).data } : null;
  } finally {
    store.close();
  }
}

/** The stored prediction as the viewer receives it: 16-bit probabilities (257 * 8-bit) and the threshold. */
export async function storedPrediction(dbPath: string, imageId: number) {
  const store = openStore(dbPath, { readonly: true });
  try {
    const { prediction } = latestMasks(store, imageId);
    assert.ok(prediction, `image ${imageId} has no prediction`);
    const prob = await loadProbability(store, prediction);
    assert.ok(prob, 'the prediction kept no probability map');
    const prob16 = Uint16Array.from(prob, (p) => Math.round(p * 255) * 257);
    return { mask: (await loadMask(store, prediction)).data, prob16, threshold: prediction.threshold ?? NaN };
  } finally {
    store.close();
  }
}

/**
 * Polls `probe` until it returns a value. The timeout only guards against a hang: keep it about 10x the usual
 * time (UI updates and draft saves take up to 2-3 s on a loaded machine).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | null | false = null;
  while (Date.now() < end) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Canvas pixels of the viewer painted in the artery and the vein colour (null: none of either). */
export async function avColours(page: Page): Promise<{ artery: number; vein: number } | null> {
  return (await page.evaluate(`(() => {
    let artery = 0, vein = 0;
    for (const c of document.querySelectorAll('[data-testid="mask-canvas"] canvas')) {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i] === 0xff && px[i + 1] === 0x2e && px[i + 2] === 0x6e) artery++;
        if (px[i] === 0x2e && px[i + 1] === 0x9b && px[i + 2] === 0xff) vein++;
      }
    }
    return artery + vein > 0 ? { artery, vein } : null;
  })()`)) as { artery: number; vein: number } | null;
}

export const same = (a: Uint8Array | null | undefined, b: Uint8Array): boolean =>
  !!a && a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

export function countDiff(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/**
 * Records the pointer samples the canvas receives, exactly as MaskCanvas reads them (coalesced when available).
 * Passed as source text: functions compiled by tsx carry helpers the page does not have.
 */
const RECORDER = `(() => {
  const box = document.querySelector('[data-testid="mask-canvas"]');
  window.__recorded = [];
  const rec = (e) => {
    const r = box.getBoundingClientRect();
    const coalesced = e.type === 'pointermove' && e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    const list = coalesced.length > 0 ? coalesced : [e];
    window.__recorded.push({ type: e.type, points: list.map((s) => ({ x: s.clientX - r.left, y: s.clientY - r.top })) });
  };
  for (const t of ['pointerdown', 'pointermove', 'pointerup']) box.addEventListener(t, rec);
})()`;

export async function recordPointer(page: Page): Promise<void> {
  await page.evaluate(RECORDER);
}

/**
 * The viewer's fitted view of an `image` (a DRIVE photograph unless given), recomputed with the renderer's own
 * function from the canvas box size. Waits (a few seconds) for the viewer to reach it: after a panel opens or
 * closes the canvas box changes size and the viewer fits again on its next frame, so one immediate reading can
 * catch the view of the old box.
 */
export async function fittedView(
  page: Page,
  image: { width: number; height: number } = { width: W, height: H },
): Promise<{ view: View; left: number; top: number }> {
  const read = async () => {
    const box = (await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="mask-canvas"]');
      const r = el.getBoundingClientRect();
      return { w: Math.floor(el.clientWidth), h: Math.floor(el.clientHeight), left: r.left, top: r.top };
    })()`)) as { w: number; h: number; left: number; top: number };
    const view = fitView(image.width, image.height, box.w, box.h);
    return { box, view, zoom: await page.getByTestId('zoom').textContent() };
  };
  let last = await read();
  const end = Date.now() + 5000;
  while (last.zoom !== `${Math.round(last.view.scale * 100)}%` && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 150));
    last = await read();
  }
  const { box, view, zoom } = last;
  assert.equal(
    zoom,
    `${Math.round(view.scale * 100)}%`,
    'the viewer is not at the fitted view this test assumes',
  );
  return { view, left: box.left, top: box.top };
}

/** Drags from image point a to b with the current tool; returns the image-space samples the canvas saw. */
export async function drag(page: Page, a: { x: number; y: number }, b: { x: number; y: number }) {
  const { view, left, top } = await fittedView(page);
  const screen = (p: { x: number; y: number }) => ({
    x: left + view.x + p.x * view.scale,
    y: top + view.y + p.y * view.scale,
  });
  await page.evaluate('window.__recorded = []');
  const s = screen(a);
  const e = screen(b);
  await page.mouse.move(s.x, s.y);
  await page.mouse.down();
  await page.mouse.move(e.x, e.y, { steps: 15 });
  await page.mouse.up();
  const rec = (await page.evaluate('window.__recorded || []')) as Recorded[];
  const start = rec.findIndex((r) => r.type === 'pointerdown');
  const end = rec.findIndex((r) => r.type === 'pointerup');
  assert.ok(start >= 0 && end > start, 'the canvas did not see a complete pointer gesture');
  return rec.slice(start, end).flatMap((r) => r.points.map((p) => toImage(view, p)));
}

/** Replays a stroke as MaskCanvas does: a disc at the first sample, then a capsule to each following sample. */
export function replay(
  mask: Uint8Array,
  samples: { x: number; y: number }[],
  radius: number,
  value: 0 | 1,
): void {
  let last = samples[0];
  strokeSegment(mask, W, H, last, last, radius, value);
  for (const p of samples.slice(1)) {
    strokeSegment(mask, W, H, last, p, radius, value);
    last = p;
  }
}

export async function brushRadius(page: Page): Promise<number> {
  const label = await page.locator('.tools label', { hasText: 'Size' }).first().textContent();
  const m = /Size ([\d.]+) px/.exec(label ?? '');
  assert.ok(m, `no brush size in "${label}"`);
  return Number(m[1]) / 2;
}

/** Waits for a job to finish through the client; a failed or cancelled job fails the test at once. */
export async function jobFinished(client: HttpClient, jobId: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    `job ${jobId}`,
    async () => {
      const job = (await client.invoke('listJobs', {})).jobs.find((j) => j.jobId === jobId);
      if (job && ['failed', 'cancelled'].includes(job.state)) throw new Error(`job ${jobId} ${job.state}`);
      return job?.state === 'done';
    },
    timeoutMs,
  );
}

/** Imports one photograph into an empty study and predicts it with the active models; returns its image id. */
export async function importAndPredict(client: HttpClient, imagePath: string): Promise<string> {
  const imported = await client.invoke('importFiles', { paths: [imagePath] });
  await jobFinished(client, imported.jobId);
  const imageId = (await client.invoke('listImages', { offset: 0, limit: 10 })).items[0].id;
  const predicted = await client.invoke('predict', { imageIds: [imageId] });
  await jobFinished(client, predicted.jobId);
  return imageId;
}

/**
 * Opens image `imageId` in `page`'s viewer and, while `restart` has the server down, brushes a stroke over `base` (a
 * copy of it) and waits for its save to fail; `whileDown` checks more meanwhile. Once the server is back, waits for
 * the stroke to be saved as the image's draft in `dbPath()` (the restarted server's) and the viewer to say so.
 */
export async function brushWhileServerDown(
  page: Page,
  opts: {
    imageId: number;
    base: Uint8Array;
    restart: (whileDown: () => Promise<void>) => Promise<void>;
    dbPath: () => string;
    whileDown?: () => Promise<void>;
  },
): Promise<void> {
  await page.locator(`[data-testid="image-row"][data-image-id="${opts.imageId}"]`).dblclick();
  await page.getByTestId('mask-canvas').waitFor();
  await page.keyboard.press('b');
  await recordPointer(page);
  const radius = await brushRadius(page);
  const drawn = opts.base.slice();
  await opts.restart(async () => {
    replay(drawn, await drag(page, { x: 100, y: 250 }, { x: 400, y: 300 }), radius, 1);
    await waitFor(
      'the save failed',
      async () => (await page.getByTestId('save-state').textContent()) === 'Save failed',
    );
    await opts.whileDown?.();
  });
  await waitFor('the edit saved as the draft', async () =>
    same((await storedMask(opts.dbPath(), opts.imageId, 'draft'))?.data, drawn),
  );
  await waitFor('Saved', async () => (await page.getByTestId('save-state').textContent()) === 'Saved');
  await waitFor('the notice gone', async () => (await page.getByTestId('connection-lost').count()) === 0);
}

/** Whether focus is on or inside the element with this test id. */
export function holdsFocus(page: Page, testId: string): Promise<boolean> {
  return page.evaluate<boolean>(
    `document.querySelector('[data-testid="${testId}"]')?.contains(document.activeElement) ?? false`,
  );
}
