// `retina serve` (single-user, no accounts) stopped and started again on the same study and port under an open window
// (chromium): the window goes on working with the address it was opened with, and a brush edit whose save failed
// while the server was down is saved once it is back (the server keeps the study's access token, study-token.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { brushWhileServerDown } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { secondObserverSeed } from './seed-store.js';

describe(
  'the single-user server restarted under an open window (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const seeded = secondObserverSeed(['01', '02'], ['01']);
    const app = useWorkstation({ seed: seeded.seed });

    test('an edit made while the server was down is saved once it is back on the same port', async () => {
      const { page } = app;
      const opened = app.serve.url;
      await page.goto(opened);
      await brushWhileServerDown(page, {
        imageId: 1,
        base: seeded.masks()[0],
        restart: (whileDown) => app.restart({ samePort: true, whileDown }),
        dbPath: () => app.serve.dbPath,
      });
      // And the window goes on working: the next image opens.
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="image-row"][data-image-id="2"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      // The address printed again is the one the window was opened with.
      assert.equal(app.serve.url, opened);
    });
  },
);
