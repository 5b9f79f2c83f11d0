// Regenerates docs/viewer.png for the README: `retina serve` on a throwaway database with the bundled default
// model, DRIVE test image 01 imported and predicted, then the viewer (fitted, mask overlay on) captured in chromium
// at 1280x800. Run with `npm run docs:screenshot`; the tests never write into docs/.
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Browser } from 'playwright-core';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from '../renderer/src/transport/httpClient.js';
import { storedPrediction, waitFor } from '../tests/e2e/flow.js';
import {
  buildRenderer,
  chromiumAvailable,
  CHROMIUM,
  launchChromium,
  startServe,
  type ServeProcess,
} from '../tests/e2e/harness.js';
import { driveTestImage, repoRoot } from '../tests/e2e/model-fixture.js';

const OUT = path.join(repoRoot, 'docs', 'viewer.png');
const VIEWPORT = { width: 1280, height: 800 };

async function finished(client: HttpClient, jobId: string): Promise<void> {
  await waitFor(
    `job ${jobId}`,
    async () => {
      const job = (await client.invoke('listJobs', {})).jobs.find((j) => j.jobId === jobId);
      if (job?.state === 'failed' || job?.state === 'cancelled') {
        throw new Error(`job ${jobId} ${job.state}: ${job.error?.message ?? ''}`);
      }
      return job?.state === 'done';
    },
    180_000,
  );
}

function clientOf(serve: ServeProcess): HttpClient {
  return createHttpClient({
    baseUrl: new URL(serve.url).origin,
    token: serve.token,
    fetch: fetch as unknown as FetchLike,
    WebSocket: WebSocket as unknown as WebSocketCtor,
  });
}

/** Imports and predicts DRIVE test image 01 with the bundled default model (no --model on a fresh database). */
async function prepare(dbPath: string, rendererDir: string) {
  const serve = await startServe({ rendererDir, dbPath });
  const client = clientOf(serve);
  try {
    const model = (await client.invoke('getActiveModel', {})).model;
    if (!model) throw new Error('retina serve found no bundled default model');
    await finished(client, (await client.invoke('importFiles', { paths: [driveTestImage('01')] })).jobId);
    const image = (await client.invoke('listImages', { offset: 0, limit: 1 })).items[0];
    await finished(client, (await client.invoke('predict', { imageIds: [image.id] })).jobId);
    return { image, model };
  } finally {
    client.close();
    await serve.stop();
  }
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(`no chromium at ${CHROMIUM} (set RETINA_CHROMIUM)`);
  const ownRenderer = !process.env.RETINA_RENDERER_DIR;
  const rendererDir = await buildRenderer();
  const dbDir = await mkdtemp(path.join(tmpdir(), 'retinastudio-'));
  const dbPath = path.join(dbDir, 'studies.db');
  let serve: ServeProcess | null = null;
  let browser: Browser | null = null;
  try {
    const { image, model } = await prepare(dbPath, rendererDir);
    const pred = await storedPrediction(dbPath, Number(image.id));
    const vessels = pred.mask.reduce((a, v) => a + v, 0);

    // A fresh launch on the same database, so the picture shows no finished import and predict jobs.
    serve = await startServe({ rendererDir, dbPath });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (err) => console.error('page error:', err.message));
    await page.goto(serve.url);
    await page.locator(`[data-testid="image-row"][data-image-id="${image.id}"]`).dblclick();
    await page.getByTestId('mask-canvas').waitFor();
    await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
    await page.keyboard.press('0'); // fit
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

    await mkdir(path.dirname(OUT), { recursive: true });
    const tmp = `${OUT}.tmp-${process.pid}.png`;
    await page.screenshot({ path: tmp });
    await rename(tmp, OUT);
    console.log(
      `wrote ${path.relative(repoRoot, OUT)}: ${image.fileName}, model ${model.name}, ` +
        `${vessels} vessel pixels (${((100 * vessels) / pred.mask.length).toFixed(1)}%)`,
    );
  } finally {
    await browser?.close();
    await serve?.stop();
    await rm(dbDir, { recursive: true, force: true });
    if (ownRenderer) await rm(rendererDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`docs-screenshot: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
