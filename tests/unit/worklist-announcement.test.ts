import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowAnnouncement, type AnnouncedImage } from '../../renderer/src/worklist/rowAnnouncement.js';

const image: AnnouncedImage = {
  fileName: '01_test.tif',
  patientPseudonym: 'P7',
  laterality: 'OS',
  status: 'draft',
  reopened: false,
  quality: { expectedF1: 0.8123, meanUncertainty: 0.02, fragments: 4, gaps: 3 },
};

test('the highlighted row is read out with its place in the list and the columns a reader decides on', () => {
  assert.equal(
    rowAnnouncement(image, 2, 20),
    '01_test.tif, 3 of 20, patient P7, left eye (OS), draft, expected F1 0.812',
  );
});

test('unknown patient, eye and quality are left out rather than read as dashes', () => {
  const bare = { ...image, patientPseudonym: null, laterality: null, quality: null };
  assert.equal(rowAnnouncement(bare, 0, 1), '01_test.tif, 1 of 1, draft');
});

test('an approval edited since says so', () => {
  assert.match(
    rowAnnouncement({ ...image, status: 'approved', reopened: true }, 0, 1),
    /approved, edited after approval/,
  );
});
