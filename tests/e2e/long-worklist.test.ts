// A worklist longer than its first page (100 rows): what the study's changes and the viewer do with the rows the
// user has not loaded. A change (a save, a prediction done) used to collapse the list back to its first 100 rows,
// and the viewer's next/previous stopped at the 100th row, or went back to the first after a reload.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePng } from '../../main/ml/io/image-io.js';
import { importImageFiles, openStore } from '../../main/store/index.js';
import { writeFile } from 'node:fs/promises';
import { waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';

const IMAGES = 130;

/** 64x64 noise, a different picture for each seed (so none is a duplicate). */
function noise(seed: number): Uint8Array {
  const data = new Uint8Array(64 * 64 * 3);
  let s = seed * 7919 + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

describe(
  'a worklist longer than a page (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: async (dbPath) => {
        const dir = await mkdtemp(path.join(tmpdir(), 'retina-long-'));
        try {
          const files: { imagePath: string }[] = [];
          for (let i = 0; i < IMAGES; i++) {
            const file = path.join(dir, `img${String(i).padStart(3, '0')}.png`);
            await writeFile(
              file,
              await encodePng({ width: 64, height: 64, channels: 3, bitDepth: 8, data: noise(i) }),
            );
            files.push({ imagePath: file });
          }
          const store = openStore(dbPath);
          await importImageFiles(store, files, { actor: 'test' });
          store.close();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    });
    const rows = () => app.page.getByTestId('image-row').count();

    test('a change to the study keeps the rows loaded; the viewer moves past the first page', async () => {
      const order = (await app.client.invoke('listImages', { offset: 0, limit: 500 })).items.map((i) => i.id);
      assert.equal(order.length, IMAGES);
      await app.page.goto(app.serve.url);
      await waitFor('the first page', async () => (await rows()) === 100);
      await app.page.getByRole('button', { name: /^Load more/ }).click();
      await waitFor('every row', async () => (await rows()) === IMAGES);

      // A save elsewhere (another window, a job) changes the study: the list is read again, all of it.
      await app.client.invoke('saveDraft', {
        imageId: order[0],
        width: 64,
        height: 64,
        mask: new Uint8Array(64 * 64).fill(1, 0, 64),
        parentVersionId: null,
      });
      await waitFor(
        'the draft shown',
        async () =>
          (await app.page
            .locator(`[data-testid="image-row"][data-image-id="${order[0]}"] [data-testid="image-status"]`)
            .textContent()) === 'draft',
      );
      assert.equal(await rows(), IMAGES, 'the list fell back to its first page');

      // Reloaded, the worklist has its first page only; its 100th row opens with the whole list behind it.
      await app.page.reload();
      await waitFor('the first page again', async () => (await rows()) === 100);
      await app.page.locator(`[data-testid="image-row"][data-image-id="${order[99]}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await waitFor(
        'the whole list',
        async () => (await app.page.getByTestId('position').textContent()) === `100/${IMAGES}`,
      );
      await app.page.keyboard.press('ArrowRight');
      await waitFor(
        'the 101st image',
        async () => (await app.page.getByTestId('viewer').getAttribute('data-image-id')) === order[100],
      );

      // A reload in the viewer keeps its place in the whole list.
      await app.page.reload();
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.equal(await app.page.getByTestId('position').textContent(), `101/${IMAGES}`);
    });
  },
);
