// A failure in the page nobody handled (a rejected promise), in a real browser against `retina serve`: the user
// reads its message, and its stack, which would stay in DevTools, reaches the server's support log.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';

describe(
  "the page's unhandled failure in the support log (browser mode, chromium)",
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let logDir = '';
    const app = useWorkstation({
      env: async () => {
        logDir = await mkdtemp(path.join(tmpdir(), 'retina-e2e-log-'));
        return { RETINA_LOG_DIR: logDir };
      },
      afterStop: async () => {
        if (logDir) await rm(logDir, { recursive: true, force: true });
      },
    });

    test('an unhandled rejection: a message in the window, its stack in the log', async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      // A string, not a function: the test's compiler would wrap one in a helper the page lacks.
      await page.evaluate("void Promise.reject(new TypeError('the page broke'))");
      await page
        .locator('.toast.error', { hasText: /the page broke/ })
        .first()
        .waitFor({ timeout: 30_000 });
      const logFile = path.join(logDir, 'retina.log');
      await waitFor('the report in the log', () => Promise.resolve(existsSync(logFile) || null));
      const log = readFileSync(logFile, 'utf8');
      assert.match(log, /unexpected error in the renderer \(unhandled\): TypeError: the page broke/);
      assert.match(log, /\n\s+at .*<anonymous>:\d+:\d+\)?\n/, 'its stack is there');
    });
  },
);
