import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashForImage, imageIdFromHash } from '../../renderer/src/imageRoute.js';
import { DEFAULT_FILTERS, listImagesQuery, parseFilters } from '../../renderer/src/worklist/worklistQuery.js';

test('the open image in the address: written and read back; anything else is the worklist', () => {
  assert.equal(hashForImage('12'), '#/image/12');
  assert.equal(imageIdFromHash(hashForImage('12')), '12');
  assert.equal(hashForImage(null), '');
  for (const hash of [
    '',
    '#',
    '#/image/',
    '#/image/0',
    '#/image/-3',
    '#/image/1x',
    '#token=abc',
    '#/images/4',
  ])
    assert.equal(imageIdFromHash(hash), null, hash);
});

test('filters kept in storage come back as saved; unknown or damaged values fall back to the defaults', () => {
  const saved = {
    search: '01_',
    status: ['draft'],
    eye: ['OD'],
    grouped: false,
    order: 'review-next',
    visitFrom: '2024-03-01',
    visitTo: '2024-03-31',
    awaitingReview: true,
  };
  assert.deepEqual(parseFilters(JSON.stringify(saved)), saved);
  // Saved by a version without the visit range and hand-off filters: those start off.
  const older = { search: '01_', status: ['draft'], eye: ['OD'], grouped: false, order: 'review-next' };
  assert.deepEqual(parseFilters(JSON.stringify(older)), { ...DEFAULT_FILTERS, ...older });
  assert.deepEqual(parseFilters(null), DEFAULT_FILTERS);
  assert.deepEqual(parseFilters('{not json'), DEFAULT_FILTERS);
  assert.deepEqual(
    parseFilters(
      JSON.stringify({
        search: 3,
        status: ['draft', 'lost'],
        eye: 'OD',
        order: 'sideways',
        visitFrom: '2024-02-30',
        visitTo: 20240301,
        awaitingReview: 'yes',
      }),
    ),
    { ...DEFAULT_FILTERS, status: ['draft'] },
  );
});

test('the filters as a listImages request: grouping sorts by patient, other orders are the sort', () => {
  assert.deepEqual(listImagesQuery(DEFAULT_FILTERS, 0, 100), { offset: 0, limit: 100, sort: 'patient' });
  assert.deepEqual(listImagesQuery({ ...DEFAULT_FILTERS, grouped: false }, 100, 100), {
    offset: 100,
    limit: 100,
  });
  assert.deepEqual(
    listImagesQuery(
      { ...DEFAULT_FILTERS, search: 'x', eye: ['OS'], status: ['new'], order: 'review-next' },
      0,
      5,
    ),
    { offset: 0, limit: 5, search: 'x', status: ['new'], eye: ['OS'], sort: 'review-next' },
  );
});

test('the visit range and "Submitted for review" as a listImages request; a range typed backwards is put in order', () => {
  const base = { ...DEFAULT_FILTERS, grouped: false };
  assert.deepEqual(listImagesQuery({ ...base, visitFrom: '2024-03-01', awaitingReview: true }, 0, 5), {
    offset: 0,
    limit: 5,
    visitFrom: '2024-03-01',
    awaitingReview: true,
  });
  assert.deepEqual(listImagesQuery({ ...base, visitFrom: '2024-04-01', visitTo: '2024-03-01' }, 0, 5), {
    offset: 0,
    limit: 5,
    visitFrom: '2024-03-01',
    visitTo: '2024-04-01',
  });
});
