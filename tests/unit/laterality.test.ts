// The eye read from the optic disc and fovea (shared/laterality.ts), as the disc search and the viewer use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eyeConflict, lateralityFromDiscAndFovea } from '../../shared/laterality.js';

const disc = (x: number) => ({ x, y: 100, diameter: 40 });
const fovea = (x: number, confidence = 0.8) => ({ x, y: 110, confidence });

test('the disc right of the fovea is a right eye, left of it a left eye', () => {
  assert.equal(lateralityFromDiscAndFovea({ disc: disc(300), fovea: fovea(150) }), 'R');
  assert.equal(lateralityFromDiscAndFovea({ disc: disc(100), fovea: fovea(250) }), 'L');
});

test('nothing is read from a missing or unsure fovea, or from markers less than a diameter apart across', () => {
  assert.equal(lateralityFromDiscAndFovea({ disc: disc(300), fovea: null }), null);
  assert.equal(lateralityFromDiscAndFovea({ disc: null, fovea: fovea(150) }), null);
  assert.equal(lateralityFromDiscAndFovea({ disc: disc(300), fovea: fovea(150, 0.2) }), null);
  assert.equal(lateralityFromDiscAndFovea({ disc: disc(300), fovea: fovea(265) }), null);
});

test('an eye recorded against the markers is named with both sides; agreement or an unknown says nothing', () => {
  assert.equal(
    eyeConflict('OD', 'L', 'the DICOM header'),
    'the DICOM header says right eye (OD), but the optic disc lies left of the fovea, as in a left eye: ' +
      'the photograph may be mirrored or rotated, or the eye recorded wrongly',
  );
  assert.match(
    eyeConflict('OS', 'R', 'the file name') ?? '',
    /^the file name says left eye \(OS\), .* right of/,
  );
  assert.equal(eyeConflict('OD', 'R', 'x'), null);
  assert.equal(eyeConflict('OS', 'L', 'x'), null);
  assert.equal(eyeConflict(null, 'L', 'x'), null);
  assert.equal(eyeConflict('OD', null, 'x'), null);
});
