#!/usr/bin/env node
// Dev-only smoke check of the built renderer (never bundled): serves renderer/dist and the shared contract over
// HTTP + WebSocket from an in-memory stand-in for main (real DRIVE images, a blurred manual mask as the
// "prediction"), drives Debian's chromium with playwright-core, and writes screenshots.
// Usage: npm run build:renderer && node --import tsx renderer/dev/smoke.mjs [outDir]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { WebSocketServer } from 'ws';
import { chromium } from 'playwright-core';
import { dispatchRequest, RpcError } from '../../shared/contract.ts';
import {
  channelFromPath,
  decodeFrame,
  encodeEvent,
  encodeFrame,
  TOKEN_HEADER,
} from '../../shared/transport.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const dist = path.join(repoRoot, 'renderer/dist');
const outDir = path.resolve(process.argv[2] ?? '/tmp/retina-smoke');
fs.mkdirSync(outDir, { recursive: true });

// --- an in-memory stand-in for main ----------------------------------------------------------------------------
const images = new Map();
for (const n of [21, 22, 23]) {
  const file = path.join(datasets, 'DRIVE/training/images', `${n}_training.tif`);
  const manual = path.join(datasets, 'DRIVE/training/1st_manual', `${n}_manual1.gif`);
  const { info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const blurred = await sharp(manual).greyscale().blur(1.2).raw().toBuffer();
  const prob = new Uint16Array(info.width * info.height);
  for (let i = 0; i < prob.length; i++) prob[i] = blurred[i] * 257;
  images.set(String(n), {
    id: String(n),
    file,
    width: info.width,
    height: info.height,
    status: n === 23 ? 'new' : 'predicted',
    prob: n === 23 ? null : prob,
    probSaved: prob,
    draft: null,
    approved: null,
    updatedAt: new Date(Date.UTC(2025, 0, n)).toISOString(),
  });
}
const jobs = new Map();
const sockets = new Set();
const emit = (event, payload) => {
  const frame = encodeEvent(event, payload);
  for (const ws of sockets) ws.send(frame);
};
const summary = (im) => ({
  id: im.id,
  patientId: `P-${im.id}`,
  studyId: `S-${im.id}`,
  fileName: path.basename(im.file),
  width: im.width,
  height: im.height,
  laterality: Number(im.id) % 2 ? 'OD' : 'OS',
  status: im.status,
  updatedAt: im.updatedAt,
});
const image = (id) => {
  const im = images.get(id);
  if (!im) throw new RpcError('not-found', `image ${id} not found`);
  return im;
};
const model = {
  id: 'm1',
  name: 'smoke-unet',
  status: 'active',
  createdAt: '2025-01-01T00:00:00Z',
  threshold: 0.5,
  architecture: 'U-Net depth 4, 32 filters',
  metrics: { f1: 0.82, aucRoc: 0.98, dataset: 'DRIVE test' },
  hasOnnx: true,
};
let versions = 0;
const save = (kind) => (req) => {
  const im = image(req.imageId);
  if (req.width !== im.width || req.height !== im.height) {
    throw new RpcError('mask-size', `mask is ${req.width}x${req.height}, image is ${im.width}x${im.height}`);
  }
  const v = {
    versionId: `v${++versions}`,
    kind,
    createdAt: new Date().toISOString(),
    author: 'smoke',
    parentVersionId: req.parentVersionId,
    data: req.mask.slice(),
  };
  if (kind === 'draft') im.draft = v;
  else {
    im.approved = v;
    im.draft = null;
  }
  im.status = kind;
  im.updatedAt = v.createdAt;
  emit('imagesChanged', { imageIds: [im.id] });
  return { versionId: v.versionId, createdAt: v.createdAt, status: kind };
};
const startJob = (kind, ids, work) => {
  const job = {
    jobId: `j${jobs.size + 1}`,
    kind,
    state: 'running',
    done: 0,
    total: ids.length,
    message: null,
    error: null,
    startedAt: new Date().toISOString(),
  };
  jobs.set(job.jobId, job);
  let i = 0;
  const tick = () => {
    if (job.state === 'cancelled') return emit('jobProgress', { ...job, imageId: null });
    if (i < ids.length) {
      work(ids[i]);
      job.done = ++i;
      job.message = `image ${ids[i - 1]}`;
      emit('jobProgress', { ...job, imageId: ids[i - 1] });
      setTimeout(tick, 300);
    } else {
      job.state = 'done';
      emit('jobProgress', { ...job, imageId: null });
      emit('imagesChanged', { imageIds: ids });
    }
  };
  setTimeout(tick, 100);
  return { jobId: job.jobId };
};
const handlers = {
  getAppInfo: () => ({
    version: '0.1.0',
    shell: 'browser',
    databasePath: '(smoke, in memory)',
    user: 'smoke',
  }),
  listPatients: () => ({ items: [], total: 0, offset: 0 }),
  listStudies: () => ({ items: [], total: 0, offset: 0 }),
  listImages: (req) => {
    let list = [...images.values()].map(summary);
    if (req.search)
      list = list.filter((s) => s.fileName.includes(req.search) || s.patientId.includes(req.search));
    if (req.status) list = list.filter((s) => req.status.includes(s.status));
    return { items: list.slice(req.offset, req.offset + req.limit), total: list.length, offset: req.offset };
  },
  getImageInfo: (req) => summary(image(req.imageId)),
  getImage: async (req) => {
    const im = image(req.imageId);
    return {
      width: im.width,
      height: im.height,
      mime: 'image/png',
      bytes: await sharp(im.file).png({ compressionLevel: 1 }).toBuffer(),
    };
  },
  getImageThumbnail: async (req) => {
    const im = image(req.imageId);
    const { data, info } = await sharp(im.file)
      .resize(req.maxSize, req.maxSize, { fit: 'inside' })
      .png()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, mime: 'image/png', bytes: data };
  },
  getMasks: (req) => {
    const im = image(req.imageId);
    return {
      imageId: im.id,
      width: im.width,
      height: im.height,
      prediction: im.prob
        ? {
            versionId: `pred-${im.id}`,
            modelId: 'm1',
            modelName: 'smoke-unet',
            createdAt: im.updatedAt,
            threshold: 0.5,
            encoding: 'prob16',
            data: new Uint8Array(im.prob.buffer),
          }
        : null,
      draft: im.draft,
      approved: im.approved,
    };
  },
  saveDraft: save('draft'),
  approveMask: save('approved'),
  importFiles: () => startJob('import', [], () => {}),
  importFolder: () => startJob('import', [], () => {}),
  importDataset: () => startJob('import', [], () => {}),
  predict: (req) => {
    req.imageIds.forEach(image);
    return startJob('predict', req.imageIds, (id) => {
      const im = image(id);
      im.prob = im.probSaved;
      if (im.status === 'new') im.status = 'predicted';
    });
  },
  cancelJob: (req) => {
    const j = jobs.get(req.jobId);
    if (!j || j.state !== 'running') return { cancelled: false };
    j.state = 'cancelled';
    return { cancelled: true };
  },
  listJobs: () => ({ jobs: [...jobs.values()] }),
  listModels: () => ({ models: [model] }),
  getActiveModel: () => ({ model }),
  showOpenDialog: () => {
    throw new RpcError('unsupported', 'no native dialogs in browser mode');
  },
};

// --- the server ------------------------------------------------------------------------------------------------
const token = randomBytes(16).toString('hex');
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const channel = channelFromPath(url.pathname);
  if (req.method === 'POST' && channel) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const result =
        req.headers[TOKEN_HEADER] !== token
          ? { ok: false, error: { code: 'forbidden', message: 'bad token' } }
          : await dispatchRequest(
              handlers,
              channel,
              decodeFrame(new Uint8Array(Buffer.concat(chunks))),
              undefined,
            );
      res.writeHead(result.ok || result.error.code !== 'forbidden' ? 200 : 403).end(encodeFrame(result));
    });
    return;
  }
  const file = path.join(dist, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  if (!file.startsWith(dist) || !fs.existsSync(file)) return void res.writeHead(404).end();
  res
    .writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' })
    .end(fs.readFileSync(file));
});
const wss = new WebSocketServer({ server, path: '/events' });
wss.on('connection', (ws, req) => {
  if (new URL(req.url ?? '', 'http://x').searchParams.get('token') !== token) return ws.close();
  sockets.add(ws);
  ws.on('close', () => sockets.delete(ws));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

// --- the browser -----------------------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${base}/#token=${token}`);
  await page.getByTestId('image-row').first().waitFor();
  await page.waitForTimeout(600);
  check((await page.getByTestId('image-row').count()) === 3, 'worklist lists 3 images');
  await page.screenshot({ path: path.join(outDir, 'worklist.png') });

  await page.getByTestId('image-row').first().dblclick();
  await page.getByTestId('mask-canvas').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(outDir, 'viewer.png') });

  // Paint a stroke, check the draft autosaves, undo and redo.
  const box = await page.getByTestId('mask-canvas').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.keyboard.press('b');
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await page.mouse.move(cx - 150, cy - 100);
  await page.mouse.down();
  await page.mouse.move(cx + 150, cy + 60, { steps: 3 });
  await page.mouse.up();
  check((await page.getByTestId('undo').isEnabled()) === true, 'stroke is undoable');
  await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor({ timeout: 5000 });
  const saved = images.get('21').draft;
  check(saved !== null, 'draft autosaved through HTTP');
  await page.keyboard.press('Control+z');
  check((await page.getByTestId('redo').isEnabled()) === true, 'undo enables redo');
  await page.keyboard.press('Control+Shift+z');
  check((await page.getByTestId('redo').isEnabled()) === false, 'redo consumed');
  await page.keyboard.press('d');
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(outDir, 'viewer-diff.png') });
  await page.keyboard.press('d');
  await page.keyboard.press('h');
  await page.getByTestId('help-overlay').waitFor();
  await page.screenshot({ path: path.join(outDir, 'help.png') });
  await page.keyboard.press('Escape');
  await page.keyboard.press('a');
  await page.waitForTimeout(500);
  const approved = images.get('21').approved;
  check(approved !== null && approved.data.length === 565 * 584, 'approved mask arrived at image size');
  // Zoom in around the stroke to check the overlay stays pixel-exact.
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -240);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(outDir, 'viewer-zoom.png') });
  // Next image (follows its prediction): the threshold slider rewrites the mask live, as one undoable edit.
  await page.keyboard.press('0');
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('threshold').waitFor();
  await page.waitForTimeout(300);
  await page.getByTestId('threshold').fill('0.15');
  await page.getByTestId('threshold').dispatchEvent('pointerup');
  await page.waitForTimeout(200);
  check((await page.getByTestId('undo').isEnabled()) === true, 'threshold change is undoable');
  await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor({ timeout: 5000 });
  const draft22 = images.get('22').draft;
  const ones = (m) => m.reduce((a, b) => a + b, 0);
  const at50 = images.get('22').probSaved.reduce((a, v) => a + (v >= Math.ceil(0.5 * 65535) ? 1 : 0), 0);
  check(
    draft22 !== null && ones(draft22.data) > at50,
    `lower threshold saved more vessel pixels (${draft22 && ones(draft22.data)} > ${at50})`,
  );
  await page.screenshot({ path: path.join(outDir, 'viewer-threshold.png') });
  check(
    consoleErrors.length === 0,
    `no console errors${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`,
  );
} finally {
  await browser.close();
  for (const ws of sockets) ws.terminate();
  wss.close();
  server.close();
}
console.log(`screenshots in ${outDir}`);
process.exit(failures.length ? 1 : 0);
