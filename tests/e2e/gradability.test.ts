// An ungradable photograph in a real browser (browser mode) against a real `retina serve` predicting with the
// bundled model: random noise, imported and predicted. The worklist row and the viewer's status bar say
// "ungradable", and the Measurements panel says why and shows every measure as not measured for that reason, where
// it showed made-up values before.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { gradabilityLine, ungradableReason } from '../../shared/measure/gradability.js';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import { importAndPredict, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { bundledVesselModelDir } from './model-fixture.js';
import { useWorkstation } from './use-workstation.js';

describe(
  'an ungradable photograph in the workstation (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let dir: string;
    let imageId: string;
    const app = useWorkstation({ model: bundledVesselModelDir });

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'retina-e2e-gradability-'));
      const file = path.join(dir, 'noise.jpg');
      const noise = Buffer.alloc(800 * 600 * 3);
      // A fixed pseudo-random sequence: the same picture every run.
      let s = 1;
      for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      await sharp(noise, { raw: { width: 800, height: 600, channels: 3 } })
        .jpeg()
        .toFile(file);
      imageId = await importAndPredict(app.client, file);
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('the worklist and viewer say "ungradable"; the panel withholds every measure with the reason', async () => {
      await app.page.goto(app.serve.url);
      const row = app.page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`);
      await row.getByTestId('ungradable-badge').waitFor();
      assert.match((await row.getByTestId('ungradable-badge').getAttribute('title')) ?? '', /no vessel tree/);
      await row.dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.locator('.statusbar').getByTestId('ungradable-badge').waitFor();

      await app.page.keyboard.press('Shift+M');
      const panel = app.page.getByTestId('measurements-panel');
      await waitFor('the panel measured', async () => (await panel.getAttribute('data-version')) !== '');
      const verdict = app.page.getByTestId('measure-quality');
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-gradable'), 'false');
      // The reason, as the server judged it: the panel must say exactly that.
      const quality = (await app.client.invoke('getMeasurements', { imageId }))?.measures.quality;
      assert.ok(quality && !quality.gradable, JSON.stringify(quality));
      const reason = ungradableReason(quality);
      assert.match(reason, /^ungradable photograph: no vessel tree/);
      assert.equal(
        ((await verdict.textContent()) ?? '').replace(/\s+/g, ' '),
        `Photograph: ${gradabilityLine(quality)}`,
      );
      for (const { key, label } of MEASURE_ROWS) {
        const text = ((await app.page.getByTestId(`measure-${key}`).textContent()) ?? '').replace(
          /\s+/g,
          ' ',
        );
        assert.equal(text.trim(), `${label}not measured: ${reason}`, key);
      }
    });
  },
);
