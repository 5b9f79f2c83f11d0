// The team queue in a real browser at 1280x720: `retina serve` on a PostgreSQL database queues an import that
// no worker has taken yet ("waiting for a worker"); a `retina worker` started afterwards runs it, and the jobs
// tray shows which worker ran it and the job's log, inside the window.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { HttpClient } from '../../renderer/src/transport/httpClient.js';
import {
  buildRenderer,
  chromiumAvailable,
  launchChromium,
  screenshotPath,
  startServe,
  type ServeProcess,
  serveClient,
  stopServeCleanly,
} from './harness.js';
import { driveTestImage, repoRoot, tinyModelDir } from './model-fixture.js';
import { waitFor } from './flow.js';
import { useStoreBackend } from '../support/store-backends.js';
import { postgresBinaries } from '../support/postgres.js';

const VIEWPORT = { width: 1280, height: 720 };

describe(
  'team queue in the jobs tray (browser mode, chromium, PostgreSQL)',
  { skip: (!chromiumAvailable() && 'chromium not installed') || (!postgresBinaries() && 'no PostgreSQL') },
  () => {
    const backend = useStoreBackend('postgres');
    let serve: ServeProcess;
    let worker: ChildProcess | null = null;
    let workerOutput = '';
    let browser: Browser;
    let page: Page;
    let client: HttpClient;

    before(async () => {
      const [modelDir, rendererDir] = await Promise.all([tinyModelDir(), buildRenderer()]);
      serve = await startServe({ modelDir, rendererDir, dbPath: backend.location('team_tray') });
      client = serveClient(serve);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: VIEWPORT });
    });

    after(async () => {
      if (worker && worker.exitCode === null) {
        const exited = new Promise((r) => worker?.once('exit', r));
        worker.kill('SIGTERM');
        await exited;
      }
      client?.close();
      await browser?.close();
      await stopServeCleanly(serve);
    });

    const tray = () => page.getByTestId('jobs-tray');

    async function openTray(): Promise<void> {
      if (!(await tray().isVisible())) await page.getByTestId('jobs-summary').click();
      await tray().waitFor();
    }

    test('a queued job waits for a worker; the worker that ran it and its log are shown', async () => {
      await page.goto(serve.url);
      await page.getByTestId('worklist').waitFor();
      await client.invoke('importFiles', { paths: [driveTestImage('01')] });
      await page.getByTestId('jobs-summary').waitFor();
      await openTray();
      const job = tray().locator('[data-testid="job-import"]');
      await job.locator('[data-testid="job-worker"]', { hasText: 'waiting for a worker' }).waitFor();

      worker = spawn(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'retina.mjs'),
          'worker',
          '--database',
          serve.dbPath,
          '--name',
          'e2e-worker',
        ],
        {
          cwd: repoRoot,
          env: { ...process.env, RETINA_FROM_SOURCE: '1' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      worker.stderr?.on('data', (b: Buffer) => (workerOutput += b.toString()));
      await page
        .locator('[data-testid="job-import"][data-state="done"]')
        .waitFor({ state: 'attached', timeout: 120_000 })
        .catch((err: Error) => {
          throw new Error(`${err.message}\n${workerOutput}`);
        });
      await openTray();
      const done = tray().locator('[data-testid="job-import"][data-state="done"]');
      // The job's state (jobProgress) and its worker and log (queueChanged) come in two events: wait for both.
      await waitFor(
        'the worker that ran it',
        async () => (await done.getByTestId('job-worker').textContent()) === 'ran on e2e-worker',
      );
      await done.locator('summary', { hasText: 'Log' }).click();
      const log = done.getByRole('list', { name: 'Import job log' });
      const lines = await log.locator('li').allTextContents();
      assert.ok(
        lines.some((l) => /^done: Imported 1 image/.test(l)),
        lines.join('\n'),
      );
      // The log stays inside the window at 1280x720.
      const b = await log.boundingBox();
      assert.ok(
        b && b.x >= 0 && b.y >= 0 && b.x + b.width <= VIEWPORT.width && b.y + b.height <= VIEWPORT.height,
      );
      await page.screenshot({ path: await screenshotPath('60-team-queue-tray') });
    });
  },
);
