// Leaving an image in the middle of a stroke (browser mode, chromium): the arrow key that opens the next image
// while the brush is still down saves the stroke drawn so far as the image's draft, as a finished stroke is saved
// on leaving; checked pixel for pixel against the SQLite file.
import { test, describe } from 'node:test';
import { openStore } from '../../main/store/index.js';
import {
  brushRadius,
  fittedView,
  recordPointer,
  replay,
  same,
  storedMask,
  waitFor,
  type Recorded,
} from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';
import { toImage } from '../../renderer/src/editing/viewport.js';

describe(
  'leaving an image mid-stroke (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let seeded: Uint8Array[];
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        seeded = await seedSecondObserverPredictions(store, ['01', '02'], ['01', '02']);
        store.close();
      },
    });
    const shown = () => app.page.getByTestId('viewer').getAttribute('data-image-id');

    test('the next image opened with the brush still down: the stroke so far is saved', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      await page.keyboard.press('b');
      await recordPointer(page);
      const radius = await brushRadius(page);
      const { view, left, top } = await fittedView(page);
      const at = (x: number, y: number) => ({
        x: left + view.x + x * view.scale,
        y: top + view.y + y * view.scale,
      });
      const a = at(90.5, 250.5);
      const b = at(470.5, 300.5);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps: 15 });
      const rec = (await page.evaluate('window.__recorded')) as Recorded[];
      const samples = rec.flatMap((r) => r.points.map((p) => toImage(view, p)));
      await page.keyboard.press('ArrowRight');
      await waitFor('image 2 open', async () => (await shown()) === '2');
      await page.mouse.up();

      const drawn = seeded[0].slice();
      replay(drawn, samples, radius, 1);
      await waitFor('the stroke saved as image 1 draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, drawn),
      );
    });
  },
);
