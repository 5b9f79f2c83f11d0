// "Submitted for review" in single-user mode (browser mode, chromium): nobody logs in, so nothing is ever submitted.
// A tab whose stored worklist filters had it on (a hand-edited or older value) showed an always-empty list, with no
// chip to turn it off; the server now refuses the filter there, and the worklist neither offers nor sends it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../main/store/index.js';
import { DEFAULT_FILTERS } from '../../renderer/src/worklist/worklistQuery.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

describe(
  '"Submitted for review" is not a single-user filter (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        await seedSecondObserverPredictions(store, ['01', '02'], ['01']);
        store.close();
      },
    });

    test('filters stored with it on still list the study, and no chip offers it', async () => {
      const { page } = app;
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      const stored = JSON.stringify({ ...DEFAULT_FILTERS, awaitingReview: true });
      await page.evaluate(`sessionStorage.setItem('retina.worklistFilters', ${JSON.stringify(stored)})`);
      await page.reload();
      await page.getByTestId('image-row').first().waitFor();
      assert.equal(await page.getByTestId('image-row').count(), 2);
      assert.equal(await page.getByTestId('filter-awaiting-review').count(), 0);
    });
  },
);
