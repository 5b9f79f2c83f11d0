// Export from the app in a real browser (browser mode): select images in the worklist, export masks, COCO and the
// CSVs, catch the zip the page downloads, and read it back against the SQLite file: every mask PNG and every COCO
// RLE equals the stored mask pixel for pixel, images.csv carries the clinical data entered in the store, and the
// patient's name appears only when asked for. The row context menu exports a single image.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { decodePng } from '../../main/ml/io/png-codec.js';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import { nowIso } from '../../main/store/database.js';
import {
  decodeCocoRle,
  importImageFiles,
  openStore,
  saveMaskVersion,
  type CocoDocument,
} from '../../main/store/index.js';
import { storedMask } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { datasetsRoot, driveTestImage } from './model-fixture.js';

const NAME = 'Grace Brewster Hopper';

/** Fills `dbPath` with DRIVE test images 01-03 (01 approved, 02 a draft, 03 nothing; 01 and 02 of one patient). */
async function seedDatabase(dbPath: string): Promise<number[]> {
  const store = openStore(dbPath);
  try {
    const report = await importImageFiles(
      store,
      ['01', '02', '03'].map((n) => ({ imagePath: driveTestImage(n) })),
      { actor: 'tester' },
    );
    const ids = report.imported.map((i) => i.imageId);
    for (const [k, id] of ids.slice(0, 2).entries()) {
      const manual = await readBinaryMap(
        path.join(datasetsRoot, 'DRIVE', 'test', '1st_manual', `0${k + 1}_manual1.gif`),
      );
      await saveMaskVersion(store, {
        imageId: id,
        kind: k === 0 ? 'approved' : 'draft',
        author: 'dr-export',
        mask: manual,
      });
    }
    const patient = Number(
      store.db
        .prepare(
          'INSERT INTO patients (pseudonym, name, birth_year, created_at) VALUES (?, ?, ?, ?) RETURNING id',
        )
        .pluck()
        .get('P-7', NAME, 1958, nowIso()),
    );
    const study = Number(
      store.db
        .prepare(
          'INSERT INTO studies (patient_id, study_date, device, created_at) VALUES (?, ?, ?, ?) RETURNING id',
        )
        .pluck()
        .get(patient, '2026-10-01', 'Canon CR-2', nowIso()),
    );
    const setImage = store.db.prepare(
      'UPDATE images SET study_id = ?, laterality = ?, field_angle_deg = ? WHERE id = ?',
    );
    setImage.run(study, 'OD', 45, ids[0]);
    setImage.run(study, 'OS', 45, ids[1]);
    return ids;
  } finally {
    store.close();
  }
}

/** Clicks the dialog's start button and returns the downloaded zip's name and entries. */
async function downloadZip(
  page: Page,
  how: 'click' | 'enter' = 'click',
): Promise<{ name: string; files: Record<string, Uint8Array> }> {
  const download = page.waitForEvent('download');
  if (how === 'click') await page.getByTestId('export-start').click();
  else {
    await page.getByTestId('export-start').focus();
    await page.keyboard.press('Enter');
  }
  const file = await download;
  const saved = path.join(await mkdtemp(path.join(tmpdir(), 'retina-e2e-download-')), 'export.zip');
  await file.saveAs(saved);
  const files = unzipSync(new Uint8Array(await readFile(saved)));
  await rm(path.dirname(saved), { recursive: true, force: true });
  return { name: file.suggestedFilename(), files };
}

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

/** images.csv rows keyed by column (values here hold no commas or quotes). */
function csvRows(csv: string): Record<string, string>[] {
  const [head, ...rows] = csv.trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
}

describe(
  'export from the app (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let ids: number[];
    let dbPath = '';
    const app = useWorkstation({
      acceptDownloads: true,
      seed: async (file) => {
        dbPath = file;
        ids = await seedDatabase(file);
      },
      afterStop: async () => {
        if (dbPath) await rm(path.dirname(dbPath), { recursive: true, force: true });
      },
    });

    const row = (id: number) => app.page.locator(`[data-testid="image-row"][data-image-id="${id}"]`);

    test('select two images, export masks + COCO + CSV, read the zip back against the store', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await row(ids[2]).waitFor();
      await row(ids[0]).locator('input[type=checkbox]').check();
      await row(ids[1]).locator('input[type=checkbox]').check();
      await app.page.getByTestId('export-open').click();
      const dialog = app.page.getByTestId('export-dialog');
      await dialog.waitFor();
      assert.match((await dialog.locator('h3').textContent()) ?? '', /Export 2 selected images/);
      // Masks, COCO and both CSVs; no probability maps; names stay out.
      for (const part of ['masks', 'coco', 'metrics', 'clinical'])
        await app.page.getByTestId(`export-part-${part}`).check();
      await app.page.getByTestId('export-part-probabilities').uncheck();
      assert.equal(await app.page.getByTestId('export-include-names').isChecked(), false);
      await app.page.screenshot({ path: await screenshotPath('40-export-dialog') });

      const { name, files } = await downloadZip(app.page);
      assert.match(name, /^retinastudio-export-\d{4}-\d{2}-\d{2}\.zip$/);
      assert.deepEqual(Object.keys(files).sort(), [
        'README.txt',
        'coco.json',
        'images.csv',
        'manifest.json',
        'masks/01_test.png',
        'masks/02_test.png',
        'metrics.csv',
      ]);
      await app.page
        .locator('.toast.info', { hasText: /Downloaded retinastudio-export-.*\(2 image/ })
        .waitFor();
      assert.equal(await app.page.getByTestId('export-dialog').count(), 0, 'the dialog stayed open');

      // Mask PNGs and COCO RLE: pixel for pixel the stored approved (01) and draft (02) masks.
      const stored = [
        (await storedMask(app.serve.dbPath, ids[0], 'approved'))!,
        (await storedMask(app.serve.dbPath, ids[1], 'draft'))!,
      ];
      for (const [k, s] of stored.entries()) {
        const png = decodePng(files[`masks/0${k + 1}_test.png`]);
        assert.equal(png.channels, 1);
        assert.ok(
          Buffer.from(png.data.map((v) => (v ? 1 : 0))).equals(Buffer.from(s.data)),
          `mask ${k + 1} differs`,
        );
      }
      const coco = JSON.parse(text(files['coco.json'])) as CocoDocument;
      assert.deepEqual(
        coco.annotations.map((a) => a.image_id),
        [ids[0], ids[1]],
      );
      for (const [k, a] of coco.annotations.entries()) {
        assert.ok(Buffer.from(decodeCocoRle(a.segmentation).data).equals(Buffer.from(stored[k].data)));
        assert.equal(a.mask_version_id, stored[k].id);
      }
      assert.deepEqual(
        coco.images.map((i) => [i.patient_id, i.eye, i.visit_date, i.camera]),
        [
          ['P-7', 'OD', '2026-10-01', 'Canon CR-2'],
          ['P-7', 'OS', '2026-10-01', 'Canon CR-2'],
        ],
      );

      // images.csv: the clinical data and the review state; pseudonymous.
      const rows = csvRows(text(files['images.csv']));
      assert.deepEqual(
        rows.map((r) => [r.image_id, r.patient_id, r.eye, r.birth_year, r.field_angle_deg, r.review_status]),
        [
          [String(ids[0]), 'P-7', 'OD', '1958', '45', 'approved'],
          [String(ids[1]), 'P-7', 'OS', '1958', '45', 'draft'],
        ],
      );
      for (const [path_, bytes] of Object.entries(files))
        assert.equal(text(bytes).includes(NAME), false, `${path_} holds the patient's name`);
      assert.deepEqual(app.pageErrors, []);
    });

    test('the row menu exports one image, with the name when asked; keys stay in the dialog', async () => {
      // Escape closes the dialog without exporting, straight after it opens (focus moves into it), and focus goes
      // back to the button that opened it.
      await app.page.getByTestId('export-open').click();
      await app.page.getByTestId('export-dialog').waitFor();
      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('export-dialog').waitFor({ state: 'detached' });
      assert.equal(await app.page.evaluate(`document.activeElement?.dataset.testid`), 'export-open');

      await row(ids[0]).click({ button: 'right' });
      await app.page.getByTestId('row-menu').waitFor();
      await app.page.getByRole('menuitem', { name: 'Export this image…' }).click();
      const dialog = app.page.getByTestId('export-dialog');
      await dialog.waitFor();
      assert.match((await dialog.locator('h3').textContent()) ?? '', /Export 1 selected image$/);
      await app.page.getByTestId('export-include-names').check();
      await app.page.getByTestId('export-source-approved').check();
      // Enter on the button exports (and does not reach the worklist, which would open its current row).
      const { files } = await downloadZip(app.page, 'enter');
      assert.equal(await app.page.getByTestId('mask-canvas').count(), 0, 'Enter opened the viewer');
      assert.deepEqual(
        Object.keys(files).filter((f) => f.startsWith('masks/')),
        ['masks/01_test.png'],
      );
      const rows = csvRows(text(files['images.csv']));
      assert.deepEqual(
        rows.map((r) => [r.image_id, r.patient_name, r.mask_kind]),
        [[String(ids[0]), NAME, 'approved']],
      );
      assert.equal((JSON.parse(text(files['coco.json'])) as CocoDocument).images[0].patient_name, NAME);

      // The menu's Open opens the viewer.
      await row(ids[1]).click({ button: 'right' });
      await app.page.getByRole('menuitem', { name: 'Open' }).click();
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.deepEqual(app.pageErrors, []);
    });
  },
);
