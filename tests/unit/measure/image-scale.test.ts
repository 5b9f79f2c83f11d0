// Micrometres per pixel from what is known of a photograph, and the note when they rest on an assumption: a field
// angle spread over the frame's diagonal because no aperture edge shows (a wide-field or borderless photograph).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageScale, MICROMETRES_PER_DEGREE } from '../../../main/ml/measure/photograph-measures.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { ring } from './phantoms.js';

const frame = { width: 1200, height: 900 };

test('a given pixel size wins, with no note', () => {
  assert.deepEqual(
    imageScale({ pixelSizeUm: 7, fieldAngleDeg: 45 }, { ...frame, apertureDiameterPx: 1000 }),
    {
      pixelSizeUm: 7,
      note: null,
    },
  );
});

test('a field angle over the aperture: no note', () => {
  const s = imageScale({ fieldAngleDeg: 45 }, { ...frame, apertureDiameterPx: 1000 });
  assert.equal(s.pixelSizeUm, (45 * MICROMETRES_PER_DEGREE) / 1000);
  assert.equal(s.note, null);
});

test('no aperture edge: the diagonal, and a note saying so that the measures carry', () => {
  const s = imageScale({ fieldAngleDeg: 45 }, { ...frame, apertureDiameterPx: null });
  assert.equal(s.pixelSizeUm, (45 * MICROMETRES_PER_DEGREE) / 1500);
  assert.match(
    s.note ?? '',
    /no edge of the camera's aperture shows, so the 45-degree field angle was taken across/,
  );
  const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
  const m = measureImage({ ...ph, av, disc, draws: 20, pixelSizeUm: s.pixelSizeUm, scaleNote: s.note! });
  assert.deepEqual(m.notes, [s.note]);
});

test('neither: no micrometres', () => {
  assert.deepEqual(imageScale({}, { ...frame, apertureDiameterPx: 1000 }), { pixelSizeUm: null, note: null });
});
