// An eye recorded for an image that its disc and fovea contradict, in a real browser (browser mode, 1280x720)
// against a real `retina serve`: DRIVE 02 (disc on the right, a right eye) with a draft whose disc is DRIVE-OD's and
// whose fovea lies left of it, recorded as a left eye (OS) by a person. The viewer's status bar says both, whichever
// layer is on; the record stays OS (the markers do not override it). Recording OD, in another window, clears it.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { eyeConflict } from '../../shared/laterality.js';
import { jobFinished, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImagePath, referenceAnatomy } from '../integration/measure-fixture.js';

describe(
  'an eye recorded against the disc and fovea (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let imageId: string;
    const app = useWorkstation();

    before(async () => {
      const imported = await app.client.invoke('importFiles', { paths: [driveTestImagePath('02')] });
      await jobFinished(app.client, imported.jobId);
      imageId = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items[0].id;
      const ref = await referenceAnatomy('02');
      const fovea = { x: ref.disc.x - 2.5 * ref.disc.diameter, y: ref.disc.y + 20, confidence: 1 };
      await app.client.invoke('saveDraft', {
        imageId,
        width: ref.width,
        height: ref.height,
        mask: ref.mask,
        parentVersionId: null,
        av: ref.av,
        anatomy: { disc: ref.disc, fovea, laterality: 'R' },
      });
      await app.client.invoke('setClinicalInfo', { imageIds: [imageId], info: { eye: 'OS' } });
    });

    test('the status bar names the recorded eye and the one the markers show; the record is not overridden', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      const note = app.page.getByTestId('anatomy-note');
      const said = eyeConflict('OS', 'R', "The image's record")!;
      await note.filter({ hasText: said }).waitFor();
      assert.equal(await note.getAttribute('title'), said);
      await app.page.screenshot({ path: await screenshotPath('eye-conflict-01') });
      // With the A/V layer hidden it still shows: the eye is the image's, not the layer's.
      await app.page.keyboard.press('v');
      await waitFor('the A/V layer hidden', async () => (await note.textContent()) === said);
      const listed = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items[0];
      assert.equal(listed.laterality, 'OS');

      await app.client.invoke('setClinicalInfo', { imageIds: [imageId], info: { eye: 'OD' } });
      await waitFor('the note gone once the eye agrees', async () => (await note.count()) === 0);
      assert.deepEqual(app.pageErrors, []);
    });
  },
);
