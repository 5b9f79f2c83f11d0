// Patients, eyes and visits in the worklist, in a real browser (browser mode, 1280x720): photographs uploaded under
// names that carry the eye show OD/OS, the eye filter narrows the list, select-all and labelled row checkboxes
// select rows, the Clinical details dialog sets patient and visit for a selection (leaving what it was not told
// alone), the list groups them under the patient and visit, and all of it is still there after a reload; a patient
// is erased from it.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
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
    let uploads = '';
    const app = useWorkstation({
      // A second person's window shows an image that the first one erases.
      pages: 2,
      afterStop: async () => {
        if (uploads) await rm(uploads, { recursive: true, force: true });
      },
    });

    before(async () => {
      uploads = await mkdtemp(path.join(tmpdir(), 'retina-e2e-clinical-'));
      for (const [n, name] of FILES) await copyFile(driveTestImage(n), path.join(uploads, name));
    });

    const row = (name: string) => app.page.getByTestId('image-row').filter({ hasText: name });
    const rowNames = async () =>
      (await app.page.locator('[data-testid="image-row"] .name').allTextContents()).map((s) => s.trim());
    /** Waits until the worklist shows exactly `names`, in this order. */
    const showsRows = (what: string, names: string[]) =>
      waitFor(what, async () => JSON.stringify(await rowNames()) === JSON.stringify(names));
    const column = async (name: string, testId: string) =>
      (await row(name).getByTestId(testId).textContent())?.trim();

    test('the eye from file names shows in the worklist, and the eye filter narrows it', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      const chooser = app.page.waitForEvent('filechooser');
      await app.page.getByTestId('import-files').click();
      await (await chooser).setFiles(FILES.map(([, name]) => path.join(uploads, name)));
      // Hang guard: about 10x the usual import time.
      await showsRows('three imported rows', ['11L.tif', '12R.tif', '13_test.tif']);

      assert.equal(await column('11L.tif', 'image-eye'), 'OS');
      assert.equal(await column('12R.tif', 'image-eye'), 'OD');
      assert.equal(await column('13_test.tif', 'image-eye'), '–');
      assert.equal(await column('11L.tif', 'image-patient'), '–');

      const eye = (e: string) => app.page.getByTestId(`eye-filter-${e}`);
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
        assert.equal(
          await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).count(),
          1,
        );
      const all = app.page.getByRole('checkbox', { name: 'Select all images shown' });
      await all.check();
      for (const [, name] of FILES)
        assert.equal(
          await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).isChecked(),
          true,
        );
      assert.match((await app.page.getByTestId('predict-selected').textContent()) ?? '', /\(3\)/);
      await all.uncheck();
      for (const [, name] of FILES)
        assert.equal(
          await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).isChecked(),
          false,
        );
      // With only some selected the header box is indeterminate.
      await app.page.getByRole('checkbox', { name: 'Select 11L.tif', exact: true }).check();
      assert.equal(await all.evaluate((el) => (el as { indeterminate: boolean }).indeterminate), true);
      await app.page.getByRole('checkbox', { name: 'Select 11L.tif', exact: true }).uncheck();
    });

    test('patient data for a selection: saved, grouped under patient and visit, still there after a reload', async () => {
      await app.page.getByRole('checkbox', { name: 'Select 11L.tif', exact: true }).check();
      await app.page.getByRole('checkbox', { name: 'Select 12R.tif', exact: true }).check();
      await app.page.getByTestId('clinical-details').click();
      const dialog = app.page.getByRole('dialog', { name: 'Clinical details' });
      await dialog.waitFor();
      assert.match((await dialog.locator('h3').textContent()) ?? '', /2 images/);
      // The two images' eyes differ: the eye shows "several values" and is left alone.
      assert.equal(await app.page.getByTestId('clinical-eye').inputValue(), 'mixed');
      await app.page.getByTestId('clinical-patientId').fill('P-0001');
      await app.page.getByTestId('clinical-patientName').fill('Jane Roe');
      await app.page.getByTestId('clinical-birthYear').fill('1961');
      await app.page.getByTestId('clinical-visitDate').fill('2024-03-15');
      await app.page.getByTestId('clinical-camera').fill('Topcon TRC-50');
      await app.page.getByTestId('clinical-fieldAngleDeg').fill('45');
      // The whole dialog fits a 1280x720 window: Save is on screen.
      const save = await app.page.getByTestId('clinical-save').boundingBox();
      assert.ok(
        save && save.y >= 0 && save.y + save.height <= 720,
        `Save is off screen: ${JSON.stringify(save)}`,
      );
      await app.page.screenshot({ path: await screenshotPath('clinical-01-dialog') });
      await app.page.getByTestId('clinical-save').click();
      await dialog.waitFor({ state: 'detached' });

      const grouped = async () => {
        // Patient order inside a visit: OD before OS; images without a patient last.
        await showsRows('the patient order', ['12R.tif', '11L.tif', '13_test.tif']);
        const headers = (await app.page.getByTestId('group-header').allTextContents()).map((s) => s.trim());
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
      await app.page.screenshot({ path: await screenshotPath('clinical-02-grouped') });

      const ids = Object.fromEntries(
        await Promise.all(
          FILES.map(async ([, name]) => [name, (await row(name).getAttribute('data-image-id')) as string]),
        ),
      );
      assert.deepEqual(await app.client.invoke('getClinicalInfo', { imageId: ids['11L.tif'] }), {
        patientId: 'P-0001',
        patientName: 'Jane Roe',
        birthYear: 1961,
        eye: 'OS',
        visitDate: '2024-03-15',
        camera: 'Topcon TRC-50',
        fieldAngleDeg: 45,
        // A TIFF: no pixel spacing of its own, so the field angle gives its micrometres.
        dicomPixelUm: null,
      });

      await app.page.reload();
      await app.page.getByTestId('worklist').waitFor();
      await grouped();

      // One image's dialog shows its stored values (nothing checked: the dialog edits the row under the cursor).
      for (const name of ['11L.tif', '12R.tif'])
        await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).uncheck();
      await row('11L.tif').click();
      await app.page.getByTestId('clinical-details').click();
      await app.page.getByRole('dialog', { name: 'Clinical details' }).waitFor();
      // It names the image it edits.
      assert.match((await app.page.getByRole('dialog').locator('h3').textContent()) ?? '', /· 11L\.tif$/);
      await waitFor(
        'the stored values',
        async () => (await app.page.getByTestId('clinical-camera').inputValue()) !== '',
      );
      assert.equal(await app.page.getByTestId('clinical-patientId').inputValue(), 'P-0001');
      assert.equal(await app.page.getByTestId('clinical-patientName').inputValue(), 'Jane Roe');
      assert.equal(await app.page.getByTestId('clinical-eye').inputValue(), 'OS');
      assert.equal(await app.page.getByTestId('clinical-visitDate').inputValue(), '2024-03-15');
      await app.page.getByRole('button', { name: 'Cancel' }).click();
    });

    test('a visit date for an image with no patient asks for a patient ID and saves nothing', async () => {
      await app.page.getByRole('checkbox', { name: 'Select 13_test.tif', exact: true }).check();
      await app.page.getByTestId('clinical-details').click();
      await app.page.getByRole('dialog', { name: 'Clinical details' }).waitFor();
      await app.page.getByTestId('clinical-visitDate').fill('2025-01-02');
      await app.page.getByTestId('clinical-save').click();
      const error = (await app.page.getByTestId('clinical-error').textContent()) ?? '';
      assert.match(error, /^Enter a patient ID/);
      await app.page.getByRole('button', { name: 'Cancel' }).click();
      const imageId = (await row('13_test.tif').getAttribute('data-image-id')) as string;
      assert.equal((await app.client.invoke('getClinicalInfo', { imageId })).visitDate, null);
      await app.page.getByRole('checkbox', { name: 'Select 13_test.tif', exact: true }).uncheck();
    });

    test('the patient data entered in the dialog is in the export downloaded from the app', async () => {
      for (const name of ['11L.tif', '12R.tif'])
        await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
      await app.page.getByTestId('export-open').click();
      await app.page.getByTestId('export-dialog').waitFor();
      await app.page.getByTestId('export-part-clinical').check();
      await app.page.getByTestId('export-part-coco').check();
      const download = app.page.waitForEvent('download');
      await app.page.getByTestId('export-start').click();
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
      assert.deepEqual(app.pageErrors, []);
    });

    test('the highlight stays on its image when the list regroups, and is there again back from the viewer, keys working', async () => {
      for (const name of ['11L.tif', '12R.tif'])
        await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).uncheck();
      const highlighted = async () =>
        (await app.page.locator('[data-testid="image-row"].cursor .name').textContent())?.trim();
      // 13_test.tif, last in the list, is given a patient that sorts first: the list regroups under it.
      await row('13_test.tif').click();
      assert.equal(await highlighted(), '13_test.tif');
      await app.page.getByTestId('clinical-details').click();
      await app.page.getByTestId('clinical-patientId').fill('A-0000');
      await app.page.getByTestId('clinical-save').click();
      await showsRows('13_test.tif first', ['13_test.tif', '12R.tif', '11L.tif']);
      assert.equal(await highlighted(), '13_test.tif', 'the highlight stayed at the row position');

      // Open 12R.tif with the keys, go on to 11L.tif in the viewer, and close it: the list has the keys again.
      const id11 = await row('11L.tif').getAttribute('data-image-id');
      await app.page.getByTestId('worklist').focus();
      await app.page.keyboard.press('ArrowDown');
      await app.page.keyboard.press('Enter');
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.keyboard.press('ArrowRight');
      await waitFor(
        '11L.tif open',
        async () => (await app.page.getByTestId('viewer').getAttribute('data-image-id')) === id11,
      );
      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('worklist').waitFor();
      // Not marked "being edited": the lease just given up was this window's own.
      await waitFor('11L.tif highlighted', async () => (await highlighted()) === '11L.tif');
      await app.page.keyboard.press('ArrowUp');
      assert.equal(await highlighted(), '12R.tif', 'the arrow keys act on the list');
    });

    test('a focused filter button takes Enter and Space itself; the list keeps the arrows and Enter for its rows', async () => {
      const eye = app.page.getByTestId('eye-filter-OD');
      const ticked = () => app.page.getByRole('checkbox', { checked: true }).count();
      const tickedBefore = await ticked();
      await eye.focus();
      await app.page.keyboard.press('Enter');
      assert.equal(await eye.getAttribute('aria-pressed'), 'true', 'Enter did not press the filter');
      assert.equal(await app.page.getByTestId('viewer').count(), 0, 'Enter opened an image');
      await app.page.keyboard.press(' ');
      assert.equal(await eye.getAttribute('aria-pressed'), 'false', 'Space did not press it again');
      assert.equal(await ticked(), tickedBefore, 'Space ticked a row');
      const order = app.page.getByTestId('worklist-order');
      await order.focus();
      const before = await order.inputValue();
      await app.page.keyboard.press('ArrowDown');
      assert.notEqual(await order.inputValue(), before, 'the arrow did not change the order');
      await order.selectOption(before);
    });

    test("the highlighted row's menu opens from the keyboard, and focus comes back to the list", async () => {
      const list = app.page.getByTestId('worklist');
      await list.focus();
      const name = (await app.page.locator('[data-testid="image-row"].cursor .name').textContent())?.trim();
      await app.page.keyboard.press('Shift+F10');
      const menu = app.page.getByTestId('row-menu');
      await menu.waitFor();
      assert.equal(await menu.getAttribute('aria-label'), `Actions for ${name}`);
      await app.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      assert.equal(
        await app.page.evaluate(`document.activeElement?.getAttribute('data-testid')`),
        'worklist',
        'focus was dropped',
      );
    });

    test("the list's filter outlives the viewer and a reload; the address names the open image (Back, Forward, reload)", async () => {
      const eye = (e: string) => app.page.getByTestId(`eye-filter-${e}`);
      const openId = () => app.page.getByTestId('viewer').getAttribute('data-image-id');
      const id12 = await row('12R.tif').getAttribute('data-image-id');
      await eye('OD').click();
      await showsRows('right eyes only', ['12R.tif']);
      await row('12R.tif').dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.equal(new URL(app.page.url()).hash, `#/image/${id12}`);

      await app.page.goBack();
      await app.page.getByTestId('worklist').waitFor();
      await showsRows('still right eyes only, back from the viewer', ['12R.tif']);
      assert.equal(await eye('OD').getAttribute('aria-pressed'), 'true');
      await app.page.goForward();
      await waitFor('12R.tif open again', async () => (await openId()) === id12);

      await app.page.reload();
      await app.page.getByTestId('mask-canvas').waitFor();
      assert.equal(await openId(), id12, 'the reload reopened the image');
      await app.page.keyboard.press('Escape');
      await showsRows('right eyes only after the reload', ['12R.tif']);
      assert.equal(await eye('OD').getAttribute('aria-pressed'), 'true');

      // An address naming an image the study does not have: the worklist, with the reason.
      await app.page.goto(`${new URL(app.serve.url).origin}/#/image/999`);
      await app.page.locator('.toast', { hasText: '999' }).waitFor();
      await app.page.getByTestId('worklist').waitFor();
      assert.equal(new URL(app.page.url()).hash, '');
      await eye('OD').click();
      await showsRows('every image again', ['13_test.tif', '12R.tif', '11L.tif']);
    });

    test("erasing a patient from the worklist: told what goes, typed confirmation, the patient's rows gone", async () => {
      const ids = Object.fromEntries(
        await Promise.all(
          FILES.map(async ([, name]) => [name, (await row(name).getAttribute('data-image-id')) as string]),
        ),
      );
      const other = app.pages[1];
      await other.goto(app.serve.url);
      await other.locator(`[data-testid="image-row"][data-image-id="${ids['11L.tif']}"]`).dblclick();
      await other.getByTestId('mask-canvas').waitFor();
      await app.page.getByRole('checkbox', { name: 'Select 12R.tif', exact: true }).check();
      await app.page.getByTestId('erase-open').click();
      const dialog = app.page.getByRole('alertdialog', { name: 'Erase for good' });
      await dialog.waitFor();
      const summary = app.page.getByTestId('erase-summary');
      await waitFor('the preview', async () => /^Erases 1 image,/.test((await summary.textContent()) ?? ''));
      assert.doesNotMatch((await summary.textContent()) ?? '', /patient/, 'P-0001 keeps 11L.tif');
      await app.page.getByTestId('erase-whole-patients').check();
      await waitFor('the whole patient', async () =>
        /^Erases 2 images, .*1 visit, patient P-0001 \(no visit left\)/.test(
          (await summary.textContent()) ?? '',
        ),
      );
      assert.match((await dialog.textContent()) ?? '', /Backups, exported folders .* are not reached/);
      const confirm = app.page.getByTestId('erase-confirm');
      assert.equal(await confirm.isDisabled(), true, 'erasable without typing the word');
      await app.page.getByTestId('erase-confirm-word').fill('erase');
      await app.page.screenshot({ path: await screenshotPath('clinical-03-erase') });
      await confirm.click();
      await dialog.waitFor({ state: 'detached' });
      await showsRows("only the other patient's image", ['13_test.tif']);
      // The window that had 11L.tif open is back on the worklist, told why.
      await other.locator('.toast', { hasText: '11L.tif is no longer in this study' }).waitFor();
      await other.getByTestId('worklist').waitFor();
      assert.equal(new URL(other.url()).hash, '');
      await app.page.locator('.toast', { hasText: 'Erased 2 images' }).waitFor();
      await assert.rejects(
        app.client.invoke('getClinicalInfo', { imageId: ids['11L.tif'] }),
        /does not exist/,
      );
      assert.equal(
        (await app.client.invoke('getClinicalInfo', { imageId: ids['13_test.tif'] })).patientId,
        'A-0000',
      );
      assert.deepEqual(app.pageErrors, []);
    });
  },
);
