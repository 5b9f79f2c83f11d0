// The disc search on borderless photographs (no aperture edge to scale by), where the network runs at several
// scales and the candidates compete: two DRIONS-DB photographs whose bright cup, at a larger scale, looks like a
// disc of its own. The whole disc must win, at its size (within 15% of the reference's equivalent diameter) and
// place (within a quarter of its diameter). image_008 is held out from the disc network's training; image_102 is a
// training image, which the search sized at 0.84x before the candidates' score was reweighted.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openModel, type LoadedModel } from '../../main/ml/model/model-loader.js';
import { openAnatomyModel } from '../../main/ml/anatomy/anatomy-models.js';
import { opticDiscSplits } from '../../main/ml/anatomy/anatomy-datasets.js';
import { framePhotograph } from '../../main/ml/anatomy/anatomy-inputs.js';
import { locateDisc } from '../../main/ml/anatomy/optic-disc.js';
import { discError, referenceDisc } from '../../main/ml/anatomy/train-optic-disc.js';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';

describe('the optic disc on borderless photographs', () => {
  let vessel: LoadedModel;
  let disc: LoadedModel;
  const splits = opticDiscSplits(datasetsRoot());
  const refs = [splits.train, ...Object.values(splits.test)].flat();

  before(async () => {
    vessel = await openModel(undefined, { threads: 1 });
    disc = await openAnatomyModel('optic-disc', undefined, { threads: 1 });
  });

  after(async () => {
    await disc?.predictor.dispose();
    await vessel?.predictor.dispose();
  });

  for (const id of ['drions/image_008', 'drions/image_102']) {
    test(`${id}: the whole disc, not its cup`, async () => {
      const ref = refs.find((r) => r.id === id);
      assert.ok(ref, `${id} is not among the disc references`);
      const photo = await framePhotograph(ref, vessel);
      assert.equal(photo.frame.circle, null, 'the photograph was expected to show no aperture edge');
      const truth = referenceDisc((await readBinaryMap(ref.discPath!, photo.image)).data, photo.image.width)!;
      const found = await locateDisc(photo.image, photo.seg, disc);
      const e = discError(found.disc, truth);
      assert.ok(e.centre <= 0.25, `centre ${e.centre.toFixed(3)} disc diameters off`);
      assert.ok(Math.abs(e.diameter) <= 0.15, `diameter ${(1 + e.diameter).toFixed(3)}x the reference's`);
    });
  }
});
