// Patients, eyes and visits in the worklist, in a real browser (browser mode, 1280x720): photographs uploaded under
// names that carry the eye show OD/OS, the eye filter narrows the list, select-all and labelled row checkboxes
// select rows, the Clinical details dialog sets patient and visit for a selection (leaving what it was not told
// alone), the list groups them under the patient and visit, and all of it is still there after a reload.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import type { HttpClient } from '../../renderer/src/transport/httpClient.js';
import { waitFor } from './flow.js';
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
import { driveTestImage } from './model-fixture.js';

// DRIVE test photographs renamed as a clinic might name them: the eye in the name, or none.
const FILES: [drive: string, name: string][] = [
  ['01', '11L.tif'],
  ['02', '12R.tif'],
  ['03', '13_test.tif'],
];

describe(
  'clinical details end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let serve: ServeProcess;
    let browser: Browser;
    let page: Page;
    let client: HttpClient;
    let uploads: string;
    const pageErrors: string[] = [];

    before(async () => {
      uploads = await mkdtemp(path.join(tmpdir(), 'retina-e2e-clinical-'));
      for (const [n, name] of FILES) await copyFile(driveTestImage(n), path.join(uploads, name));
      serve = await startServe({ rendererDir: await buildRenderer() });
      client = serveClient(serve);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      page.on('pageerror', (err) => pageErrors.push(err.message));
    });

    after(async () => {
      client?.close();
      await browser?.close();
      try {
        await stopServeCleanly(serve);
      } finally {
        if (uploads) await rm(uploads, { recursive: true, force: true });
      }
    });

    const row = (name: string) => page.getByTestId('image-row').filter({ hasText: name });
    const rowNames = async () =>
      (await page.locator('[data-testid="image-row"] .name').allTextContents()).map((s) => s.trim());
    /** Waits until the worklist shows exactly `names`, in this order. */
    const showsRows = (what: string, names: string[]) =>
      waitFor(what, async () => JSON.stringify(await rowNames()) === JSON.stringify(names));
    const column = async (name: string, testId: string) =>
      (await row(name).getByTestId(testId).textContent())?.trim();

    test('the eye from file names shows in the worklist, and the eye filter narrows it', async () => {
      await page.goto(serve.url);
      await page.getByTestId('worklist').waitFor();
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('import-files').click();
      await (await chooser).setFiles(FILES.map(([, name]) => path.join(uploads, name)));
      // Hang guard: about 10x the usual import time.
      await showsRows('three imported rows', ['11L.tif', '12R.tif', '13_test.tif']);

      assert.equal(await column('11L.tif', 'image-eye'), 'OS');
      assert.equal(await column('12R.tif', 'image-eye'), 'OD');
      assert.equal(await column('13_test.tif', 'image-eye'), '–');
      assert.equal(await column('11L.tif', 'image-patient'), '–');

      const eye = (e: string) => page.getByTestId(`eye-filter-${e}`);
      await eye('OS').click();
      assert.equal(await eye('OS').getAttribute('aria-pressed'), 'true');
      await showsRows('left eyes only', ['11L.tif']);
      await eye('OD').click();
      await showsRows('both eyes', ['11L.tif', '12R.tif']);
      await eye('OS').click();
      await eye('OD').click();
      await eye('unknown').click();
      await showsRows('eye unknown only', ['13_test.tif']);
      await eye('unknown').click();
      await showsRows('every image again', ['11L.tif', '12R.tif', '13_test.tif']);
    });

    test('every row checkbox is labelled; select-all selects the rows shown and clears them', async () => {
      for (const [, name] of FILES)
        assert.equal(await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).count(), 1);
      const all = page.getByRole('checkbox', { name: 'Select all images shown' });
      await all.check();
      for (const [, name] of FILES)
        assert.equal(
          await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).isChecked(),
          true,
        );
      assert.match((await page.getByTestId('predict-selected').textContent()) ?? '', /\(3\)/);
      await all.uncheck();
      for (const [, name] of FILES)
        assert.equal(
          await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).isChecked(),
          false,
        );
      // With only some selected the header box is indeterminate.
      await page.getByRole('checkbox', { name: 'Select 11L.tif', exact: true }).check();
      assert.equal(await all.evaluate((el) => (el as { indeterminate: boolean }).indeterminate), true);
      await page.getByRole('checkbox', { name: 'Select 11L.tif', exact: true }).uncheck();
    });

    test('patient data for a selection: saved, grouped under patient and visit, still there after a reload', async () => {
      await page.getByRole('checkbox', { name: 'Select 11L.tif', exact: true }).check();
      await page.getByRole('checkbox', { name: 'Select 12R.tif', exact: true }).check();
      await page.getByTestId('clinical-details').click();
      const dialog = page.getByRole('dialog', { name: 'Clinical details' });
      await dialog.waitFor();
      assert.match((await dialog.locator('h3').textContent()) ?? '', /2 images/);
      // The two images' eyes differ: the eye shows "several values" and is left alone.
      assert.equal(await page.getByTestId('clinical-eye').inputValue(), 'mixed');
      await page.getByTestId('clinical-patientId').fill('P-0001');
      await page.getByTestId('clinical-patientName').fill('Jane Roe');
      await page.getByTestId('clinical-birthYear').fill('1961');
      await page.getByTestId('clinical-visitDate').fill('2024-03-15');
      await page.getByTestId('clinical-camera').fill('Topcon TRC-50');
      await page.getByTestId('clinical-fieldAngleDeg').fill('45');
      // The whole dialog fits a 1280x720 window: Save is on screen.
      const save = await page.getByTestId('clinical-save').boundingBox();
      assert.ok(
        save && save.y >= 0 && save.y + save.height <= 720,
        `Save is off screen: ${JSON.stringify(save)}`,
      );
      await page.screenshot({ path: await screenshotPath('clinical-01-dialog') });
      await page.getByTestId('clinical-save').click();
      await dialog.waitFor({ state: 'detached' });

      const grouped = async () => {
        // Patient order inside a visit: OD before OS; images without a patient last.
        await showsRows('the patient order', ['12R.tif', '11L.tif', '13_test.tif']);
        const headers = (await page.getByTestId('group-header').allTextContents()).map((s) => s.trim());
        // A visit's header ends in its report's link; the no-patient group has none.
        assert.deepEqual(headers, [
          'P-00012024-03-15 · Topcon TRC-502 image(s)Report',
          'No patient1 image(s)',
        ]);
        assert.equal(await column('11L.tif', 'image-patient'), 'P-0001');
        assert.equal(await column('12R.tif', 'image-patient'), 'P-0001');
        assert.equal(await column('11L.tif', 'image-eye'), 'OS', 'the eye was not asked to change');
        assert.equal(await column('12R.tif', 'image-eye'), 'OD');
        assert.equal(await column('13_test.tif', 'image-patient'), '–');
      };
      await grouped();
      await page.screenshot({ path: await screenshotPath('clinical-02-grouped') });

      const ids = Object.fromEntries(
        await Promise.all(
          FILES.map(async ([, name]) => [name, (await row(name).getAttribute('data-image-id')) as string]),
        ),
      );
      assert.deepEqual(await client.invoke('getClinicalInfo', { imageId: ids['11L.tif'] }), {
        patientId: 'P-0001',
        patientName: 'Jane Roe',
        birthYear: 1961,
        eye: 'OS',
        visitDate: '2024-03-15',
        camera: 'Topcon TRC-50',
        fieldAngleDeg: 45,
      });

      await page.reload();
      await page.getByTestId('worklist').waitFor();
      await grouped();

      // One image's dialog shows its stored values (nothing checked: the dialog edits the row under the cursor).
      for (const name of ['11L.tif', '12R.tif'])
        await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).uncheck();
      await row('11L.tif').click();
      await page.getByTestId('clinical-details').click();
      await page.getByRole('dialog', { name: 'Clinical details' }).waitFor();
      assert.match((await page.getByRole('dialog').locator('h3').textContent()) ?? '', /· 1 image$/);
      await waitFor(
        'the stored values',
        async () => (await page.getByTestId('clinical-camera').inputValue()) !== '',
      );
      assert.equal(await page.getByTestId('clinical-patientId').inputValue(), 'P-0001');
      assert.equal(await page.getByTestId('clinical-patientName').inputValue(), 'Jane Roe');
      assert.equal(await page.getByTestId('clinical-eye').inputValue(), 'OS');
      assert.equal(await page.getByTestId('clinical-visitDate').inputValue(), '2024-03-15');
      await page.getByRole('button', { name: 'Cancel' }).click();
    });

    test('a visit date for an image with no patient asks for a patient ID and saves nothing', async () => {
      await page.getByRole('checkbox', { name: 'Select 13_test.tif', exact: true }).check();
      await page.getByTestId('clinical-details').click();
      await page.getByRole('dialog', { name: 'Clinical details' }).waitFor();
      await page.getByTestId('clinical-visitDate').fill('2025-01-02');
      await page.getByTestId('clinical-save').click();
      const error = (await page.getByTestId('clinical-error').textContent()) ?? '';
      assert.match(error, /^Enter a patient ID/);
      await page.getByRole('button', { name: 'Cancel' }).click();
      const imageId = (await row('13_test.tif').getAttribute('data-image-id')) as string;
      assert.equal((await client.invoke('getClinicalInfo', { imageId })).visitDate, null);
      await page.getByRole('checkbox', { name: 'Select 13_test.tif', exact: true }).uncheck();
    });

    test('the patient data entered in the dialog is in the export downloaded from the app', async () => {
      for (const name of ['11L.tif', '12R.tif'])
        await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
      await page.getByTestId('export-open').click();
      await page.getByTestId('export-dialog').waitFor();
      await page.getByTestId('export-part-clinical').check();
      await page.getByTestId('export-part-coco').check();
      const download = page.waitForEvent('download');
      await page.getByTestId('export-start').click();
      const saved = path.join(uploads, 'export.zip');
      await (await download).saveAs(saved);
      const files = unzipSync(new Uint8Array(await readFile(saved)));
      const [head, ...lines] = Buffer.from(files['images.csv']).toString('utf8').trim().split('\n');
      const keys = head.split(',');
      const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
      assert.deepEqual(
        rows.map((r) => [
          r.file_name,
          r.patient_id,
          r.eye,
          r.birth_year,
          r.visit_date,
          r.camera,
          r.field_angle_deg,
        ]),
        [
          ['11L.tif', 'P-0001', 'OS', '1961', '2024-03-15', 'Topcon TRC-50', '45'],
          ['12R.tif', 'P-0001', 'OD', '1961', '2024-03-15', 'Topcon TRC-50', '45'],
        ].sort((a, b) => a[0].localeCompare(b[0])),
      );
      // Pseudonymous unless names are asked for.
      assert.ok(!keys.includes('patient_name'));
      assert.ok(!Buffer.from(files['coco.json']).toString('utf8').includes('Jane Roe'));
      assert.deepEqual(pageErrors, []);
    });
  },
);
