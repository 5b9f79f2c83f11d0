// The Clinical details dialog of a DICOM photograph with its own pixel spacing says, beside the field angle, that its
// measurements use the spacing: a field angle entered there is kept but never used (the spacing wins), which the
// dialog did not say. In a real browser (browser mode), on a DICOM and a TIFF uploaded as a clinic would.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage } from './model-fixture.js';
import { readImage } from '../../main/ml/io/image-io.js';
import { writeDicom } from '../integration/dicom-fixture.js';

describe(
  'clinical details of a DICOM with its own pixel spacing (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let uploads = '';
    const app = useWorkstation({
      afterStop: async () => {
        if (uploads) await rm(uploads, { recursive: true, force: true });
      },
    });

    before(async () => {
      uploads = await mkdtemp(path.join(tmpdir(), 'retina-e2e-clinical-dicom-'));
      const photo = await readImage(driveTestImage('02'));
      writeDicom(
        path.join(uploads, 'spaced.dcm'),
        { width: photo.width, height: photo.height, rgb: photo.data as Uint8Array },
        { pixelSpacing: '0.0125\\0.0125' },
      );
      await copyFile(driveTestImage('01'), path.join(uploads, 'plain.tif'));
    });

    const row = (name: string) => app.page.getByTestId('image-row').filter({ hasText: name });
    const note = () => app.page.getByTestId('clinical-field-angle-note');
    /** Opens the dialog for what is selected (else the row under the cursor) and waits for its values. */
    const openDialog = async () => {
      await app.page.getByTestId('clinical-details').click();
      await app.page.getByRole('dialog', { name: 'Clinical details' }).waitFor();
      await app.page.getByTestId('clinical-fieldAngleDeg').waitFor();
    };
    const cancel = async () => {
      await app.page.getByRole('button', { name: 'Cancel' }).click();
      await app.page.getByRole('dialog', { name: 'Clinical details' }).waitFor({ state: 'detached' });
    };

    test('the field angle of a DICOM with pixel spacing is said to go unused; a TIFF has no such note', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      const chooser = app.page.waitForEvent('filechooser');
      await app.page.getByTestId('import-files').click();
      await (await chooser).setFiles([path.join(uploads, 'spaced.dcm'), path.join(uploads, 'plain.tif')]);
      await row('spaced.dcm').waitFor();
      await row('plain.tif').waitFor();

      await row('spaced.dcm').click();
      await openDialog();
      await note().waitFor();
      assert.equal(
        await note().textContent(),
        'This DICOM image has its own pixel spacing (12.5 µm per pixel): its measurements use it, not the field angle.',
      );
      await cancel();

      await row('plain.tif').click();
      await openDialog();
      assert.equal(await note().count(), 0);
      await cancel();

      for (const name of ['spaced.dcm', 'plain.tif'])
        await app.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
      await openDialog();
      await note().waitFor();
      assert.equal(
        await note().textContent(),
        '1 of 2 images are DICOM with their own pixel spacing: their measurements use it, not the field angle.',
      );
      await cancel();
    });
  },
);
