// The viewer status bar's anatomy note (renderer/src/viewer/anatomyNote.ts): a missing disc while the layer is
// shown, else an eye recorded against the disc and fovea, whichever layer is on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anatomyNote,
  avNote,
  DISC_REMOVED_NOTE,
  NO_DISC_NOTE,
} from '../../renderer/src/viewer/anatomyNote.js';
import { eyeConflict } from '../../shared/laterality.js';

const disc = { x: 400, y: 200, diameter: 80 };

test('a missing disc is named only while the layer is shown, removed by hand or not found', () => {
  const base = { anatomy: { disc: null, laterality: null }, eye: 'OD' as const };
  assert.equal(anatomyNote({ ...base, layerShown: true, discRemovedByHand: false }), NO_DISC_NOTE);
  assert.equal(anatomyNote({ ...base, layerShown: true, discRemovedByHand: true }), DISC_REMOVED_NOTE);
  assert.equal(anatomyNote({ ...base, layerShown: false, discRemovedByHand: false }), null);
});

test('an eye the markers contradict is named with the layer shown or hidden; agreement or no anatomy says nothing', () => {
  const said = eyeConflict('OS', 'R', "The image's record");
  for (const layerShown of [true, false])
    assert.equal(
      anatomyNote({ layerShown, anatomy: { disc, laterality: 'R' }, discRemovedByHand: false, eye: 'OS' }),
      said,
    );
  assert.equal(
    anatomyNote({
      layerShown: true,
      anatomy: { disc, laterality: 'R' },
      discRemovedByHand: false,
      eye: 'OD',
    }),
    null,
  );
  assert.equal(anatomyNote({ layerShown: true, anatomy: null, discRemovedByHand: false, eye: 'OS' }), null);
});

test("the artery/vein note says why there is no layer, and that a prediction's map comes with the next opening", () => {
  const base = {
    loaded: true,
    labelled: false,
    hasPrediction: true,
    predictionHasAv: false,
    anatomyModels: true,
  };
  assert.equal(avNote({ ...base, loaded: false }), null);
  assert.equal(avNote({ ...base, labelled: true }), null);
  assert.equal(avNote({ ...base, anatomyModels: null }), null);
  assert.match(avNote({ ...base, anatomyModels: false })!, /not installed/);
  assert.match(avNote({ ...base, hasPrediction: false })!, /predict \(P\) to get one/);
  assert.match(avNote(base)!, /predict again \(P\)/);
  // Edited before the prediction with a map arrived: predicting again would not help, opening again does.
  const edited = avNote({ ...base, predictionHasAv: true })!;
  assert.match(edited, /open the image again/);
  assert.doesNotMatch(edited, /predict again/);
});
