// An annotator's day in one window, never reloaded: a study of DRIVE images (predicted by the tiny test model with
// an uncertainty head) opened one after another, from the worklist and then with the arrow keys, with the viewer's
// overlays toggled (heat map U, artery/vein V, measurements, history, N) and a brush stroke now and then. At
// checkpoints it prints what would grow over a day if something leaked: the page's JS heap and ArrayBuffer bytes
// after a forced collection, canvases and bitmaps still reachable, bitmaps created and never closed, object URLs
// not revoked, window listeners; `retina serve`'s RSS, threads and open file descriptors; and the time to open an
// image (the renderer's own perf=1 figure) at the start of the day and at its end. It prints; it asserts nothing.
// Usage: npm run bench:day [-- opens images]   (defaults 200 openings of 40 images; BIG=1: 3504x2336 frames, no
// prediction, the preview path). Timings depend on the machine's load.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { CDPSession, Page } from 'playwright-core';
import {
  buildRenderer,
  CHROMIUM,
  chromiumAvailable,
  launchChromium,
  serveClient,
  startServe,
} from '../tests/e2e/harness.js';
import { jobFinished } from '../tests/e2e/flow.js';
import { datasetsRoot, tinyUncertainModelDir } from '../tests/e2e/model-fixture.js';
import { exitUnlessDatasets } from './datasets-needed.js';
import { helpOnly, positiveInt, usageError } from './bench-args.js';

const USAGE =
  'Usage: npm run bench:day [-- opens images]   (default 200 openings of 40 images; BIG=1: 3504x2336 frames)';
helpOnly(USAGE);
if (process.argv.length > 4) usageError('day', USAGE, `unexpected ${process.argv.slice(4).join(' ')}`);
const OPENS = positiveInt('day', USAGE, 'opens', process.argv[2], 200);
const IMAGES = Math.min(40, positiveInt('day', USAGE, 'images', process.argv[3], 40));
const BIG = process.env.BIG === '1';
const CHECKPOINTS = new Set([10, 50, 100, 200, 400, OPENS]);

/** The DRIVE photographs, test then training (40 in all). */
function drivePaths(): string[] {
  const p = (n: number, split: string) =>
    path.join(datasetsRoot, 'DRIVE', split, 'images', `${String(n).padStart(2, '0')}_${split}.tif`);
  return [
    ...Array.from({ length: 20 }, (_, i) => p(i + 1, 'test')),
    ...Array.from({ length: 20 }, (_, i) => p(i + 21, 'training')),
  ];
}

/** The `retina serve` process on `dbPath` (the harness does not hand out its pid). */
function servePid(dbPath: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes('serve') && cmd.includes(dbPath)) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('retina serve not found in /proc');
}

function serveStats(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  const threads = /Threads:\s+(\d+)/.exec(status)?.[1];
  return `serve RSS ${rss.toFixed(0)} MB, ${threads} threads, ${readdirSync(`/proc/${pid}/fd`).length} fds`;
}

/** Counts the live objects whose prototype is `ctor`.prototype (queryObjects does not list ArrayBuffers). */
async function countObjects(cdp: CDPSession, ctor: string): Promise<number> {
  const objectGroup = 'bench';
  try {
    const { result: proto } = await cdp.send('Runtime.evaluate', {
      expression: `${ctor}.prototype`,
      objectGroup,
    });
    const { objects } = await cdp.send('Runtime.queryObjects', {
      prototypeObjectId: proto.objectId!,
      objectGroup,
    });
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: objects.objectId!,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    return result.value as number;
  } finally {
    // Else the arrays queryObjects answered would keep every object counted alive.
    await cdp.send('Runtime.releaseObjectGroup', { objectGroup });
  }
}

/** Bytes of ArrayBuffer contents still reachable (masks, probabilities), from a heap snapshot. */
async function bufferBytes(cdp: CDPSession): Promise<number> {
  let json = '';
  const onChunk = (e: { chunk: string }) => (json += e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snap = JSON.parse(json) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const name = fields.indexOf('name');
  const size = fields.indexOf('self_size');
  let bytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    if (snap.strings[snap.nodes[i + name]].includes('JSArrayBufferData')) bytes += snap.nodes[i + size];
  }
  return bytes;
}

async function pageStats(page: Page, cdp: CDPSession): Promise<string> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const buffers = await bufferBytes(cdp);
  const canvases = await countObjects(cdp, 'HTMLCanvasElement');
  const bitmaps = await countObjects(cdp, 'ImageBitmap');
  const live = (await page.evaluate('window.__benchLive')) as { bitmaps: number; urls: number };
  const { result: win } = await cdp.send('Runtime.evaluate', { expression: 'window', objectGroup: 'win' });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: win.objectId! });
  await cdp.send('Runtime.releaseObjectGroup', { objectGroup: 'win' });
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  return (
    `JS heap ${mb(heap.usedSize)} MB, ArrayBuffers ${mb(buffers)} MB, ${canvases} canvases, ` +
    `${bitmaps} bitmaps (${live.bitmaps} not closed), ${live.urls} object URLs, ${listeners.length} window listeners`
  );
}

/** Counts bitmaps created and not closed, and object URLs created and not revoked (before the app's code runs). */
const COUNTERS = `(() => {
  const live = (window.__benchLive = { bitmaps: 0, urls: 0 });
  const decode = window.createImageBitmap.bind(window);
  window.createImageBitmap = async (...args) => {
    const b = await decode(...args);
    live.bitmaps++;
    const close = b.close.bind(b);
    let closed = false;
    b.close = () => { if (!closed) { closed = true; live.bitmaps--; } close(); };
    return b;
  };
  const create = URL.createObjectURL.bind(URL);
  const revoke = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (o) => (live.urls++, create(o));
  URL.revokeObjectURL = (u) => (live.urls--, revoke(u));
})()`;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

async function main(): Promise<number> {
  // The photographs and the test model (trained on DRIVE test 01 with its mask) come from DRIVE.
  exitUnlessDatasets('day', datasetsRoot, ['DRIVE/test/images', 'DRIVE/test/mask', 'DRIVE/training/images']);
  if (!chromiumAvailable()) {
    console.error(
      `bench:day needs chromium at ${CHROMIUM} (apt-get install chromium, or set RETINA_CHROMIUM)`,
    );
    return 2;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-day-bench-'));
  const [modelDir, rendererDir] = await Promise.all([tinyUncertainModelDir(), buildRenderer()]);
  const serve = await startServe({ modelDir, rendererDir, dbPath: path.join(dir, 'day.db') });
  const client = serveClient(serve);
  const browser = await launchChromium();
  try {
    const pid = servePid(serve.dbPath);
    let paths = drivePaths().slice(0, IMAGES);
    if (BIG) {
      paths = await Promise.all(
        paths.map(async (p, i) => {
          const out = path.join(dir, `frame${i}.png`);
          await sharp(p)
            .resize({ width: 3504, height: 2336, fit: 'contain', background: '#000' })
            .png({ compressionLevel: 1 })
            .toFile(out);
          return out;
        }),
      );
    }
    await jobFinished(client, (await client.invoke('importFiles', { paths })).jobId, 600_000);
    const listed = (await client.invoke('listImages', { offset: 0, limit: 500 })).items;
    if (!BIG) {
      const predicted = await client.invoke('predict', { imageIds: listed.map((i) => i.id) });
      await jobFinished(client, predicted.jobId, 900_000);
    }
    console.log(`${listed.length} images${BIG ? ' of 3504x2336' : ''}; ${serveStats(pid)}`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const cdp = await page.context().newCDPSession(page);
    await page.addInitScript(COUNTERS);
    await page.goto(`${serve.url}&perf=1`);
    await page.getByTestId('worklist').waitFor();
    console.log(`start: ${await pageStats(page, cdp)}`);

    const openMs: number[] = [];
    const viewerId = () => page.getByTestId('viewer').getAttribute('data-image-id');
    const drawn = async (n: number) => {
      const end = Date.now() + 60_000;
      while (((await page.evaluate('window.__retinaPerf.opens.length')) as number) < n) {
        if (Date.now() > end) throw new Error(`opening ${n} was never drawn`);
        await page.waitForTimeout(10);
      }
      const opens = (await page.evaluate('window.__retinaPerf.opens')) as { ms: number }[];
      openMs.push(opens[n - 1].ms);
    };
    const toggle = async (testId: string, inner = '') => {
      const el = page.locator(`[data-testid="${testId}"]${inner}`);
      await el.click().catch(() => {});
      await page.waitForTimeout(100);
      await el.click().catch(() => {});
    };

    let opened = 0;
    while (opened < OPENS) {
      await page.getByTestId('image-row').first().dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      for (let k = 0; k < listed.length && opened < OPENS; k++) {
        if (k > 0) {
          const before = await viewerId();
          await page.keyboard.press('ArrowRight');
          const end = Date.now() + 30_000;
          while ((await viewerId()) === before) {
            if (Date.now() > end) throw new Error('the arrow key did not open the next image');
            await page.waitForTimeout(10);
          }
        }
        await drawn(++opened);
        // The annotator's work on the image.
        if (opened % 2 === 0) await page.keyboard.press('u');
        if (opened % 3 === 0) await page.keyboard.press('v');
        if (opened % 4 === 0) {
          const box = await page.getByTestId('mask-canvas').boundingBox();
          if (box) {
            await page.keyboard.press('b');
            await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
            await page.mouse.down();
            for (let i = 1; i <= 8; i++)
              await page.mouse.move(box.x + box.width * (0.4 + i * 0.02), box.y + box.height * 0.5);
            await page.mouse.up();
          }
        }
        if (opened % 5 === 0) await toggle('toggle-measurements');
        if (opened % 6 === 0) await page.keyboard.press('n');
        if (opened % 7 === 0) await toggle('history', ' summary');
        await page.waitForTimeout(60);
        if (CHECKPOINTS.has(opened)) {
          console.log(
            `after ${opened} openings: open median (last 10) ${median(openMs.slice(-10)).toFixed(0)} ms; ` +
              `${await pageStats(page, cdp)}; ${serveStats(pid)}`,
          );
        }
      }
      await page.keyboard.press('Escape');
      await page.getByTestId('worklist').waitFor();
    }
    const n = Math.min(20, Math.floor(openMs.length / 2));
    console.log(
      `time to open: median of the first ${n} ${median(openMs.slice(0, n)).toFixed(0)} ms, ` +
        `of the last ${n} ${median(openMs.slice(-n)).toFixed(0)} ms`,
    );
    return 0;
  } finally {
    client.close();
    await browser.close();
    await serve.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
