// The team queue in a real browser at 1280x720: `retina serve` on a PostgreSQL database queues an import that
// no worker has taken yet ("waiting for a worker"); a `retina worker` started afterwards runs it, and the jobs
// tray shows which worker ran it and the job's log, inside the window.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
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
    let worker: ChildProcess | null = null;
    let workerOutput = '';
    // Registered before the workstation's: the worker stops first, as it is the last thing started.
    after(async () => {
      if (worker && worker.exitCode === null) {
        const exited = new Promise((r) => worker?.once('exit', r));
        worker.kill('SIGTERM');
        await exited;
      }
    });
    const app = useWorkstation({
      model: tinyModelDir,
      database: () => backend.location('team_tray'),
      viewport: VIEWPORT,
    });

    const tray = () => app.page.getByTestId('jobs-tray');

    async function openTray(): Promise<void> {
      if (!(await tray().isVisible())) await app.page.getByTestId('jobs-summary').click();
      await tray().waitFor();
    }

    test('a queued job waits for a worker; the worker that ran it and its log are shown', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.client.invoke('importFiles', { paths: [driveTestImage('01')] });
      await app.page.getByTestId('jobs-summary').waitFor();
      await openTray();
      const job = tray().locator('[data-testid="job-import"]');
      await job.locator('[data-testid="job-worker"]', { hasText: 'waiting for a worker' }).waitFor();

      worker = spawn(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'retina.mjs'),
          'worker',
          '--database',
          app.serve.dbPath,
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
      await app.page
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
      await app.page.screenshot({ path: await screenshotPath('60-team-queue-tray') });
    });
  },
);
