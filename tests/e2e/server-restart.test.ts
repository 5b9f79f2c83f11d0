// The team server (on SQLite) stopped with SIGTERM and started again on the same port under open windows (browser
// mode, chromium): while it is down a notice says it is out of reach; an annotator's brush edit made meanwhile, its
// save failed, is saved once the event socket connects again; a reviewer's prediction running when it stopped (the
// in-process job runner went with it) is shown failed, saying why, instead of running at its last progress for ever.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser, openStore, setAssignees } from '../../main/store/index.js';
import { hashPassword } from '../../main/accounts/passwords.js';
import { brushWhileServerDown, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = 'a long enough password';
const IMAGES = Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(2, '0'));

describe(
  'the team server restarted under open windows (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let seeded: Uint8Array;
    const app = useWorkstation({
      pages: 2,
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        [seeded] = await seedSecondObserverPredictions(store, IMAGES, ['01']);
        for (const [name, role] of [
          ['anna', 'annotator'],
          ['rita', 'reviewer'],
        ] as const)
          createUser(store, { name, role, passwordHash: await hashPassword(PASSWORD, FAST) }, 'test');
        setAssignees(store, [1], ['anna'], 'test');
        store.close();
      },
    });

    const logIn = async (page: Page, user: string) => {
      await page.goto(app.serve.url);
      await page.getByLabel('User name').fill(user);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('worklist').waitFor();
    };

    test('an edit whose save failed while the server was down is saved once it is back', async () => {
      const page = app.pages[0];
      await logIn(page, 'anna');
      await brushWhileServerDown(page, {
        imageId: 1,
        base: seeded,
        restart: (whileDown) => app.restart({ samePort: true, whileDown }),
        dbPath: () => app.serve.dbPath,
        whileDown: async () => {
          // Said in one line, no stack; and that the server is out of reach while it is.
          const toast = (await page.locator('.toast.error').first().textContent()) ?? '';
          assert.match(toast, /cannot reach RetinaStudio/);
          assert.match(
            (await page.getByTestId('connection-lost').textContent()) ?? '',
            /Cannot reach the RetinaStudio server/,
          );
        },
      });
    });

    test('a prediction running when the server stopped is shown failed after the restart', async () => {
      const page = app.pages[1];
      await logIn(page, 'rita');
      await page.getByTestId('select-all').check();
      await page.getByTestId('predict-selected').click();
      await page.getByTestId('jobs-summary').click();
      const job = page.getByTestId('job-predict');
      await waitFor(
        'the prediction running',
        async () => (await job.getAttribute('data-state')) === 'running',
      );
      await app.restart({ samePort: true });
      await waitFor(
        'the prediction shown failed',
        async () => (await job.getAttribute('data-state')) === 'failed',
      );
      assert.match((await job.getByTestId('job-message').textContent()) ?? '', /the server restarted/);
      assert.match((await page.getByTestId('jobs-summary').textContent()) ?? '', /1 failed/);
    });
  },
);
