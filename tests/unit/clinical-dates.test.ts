// The dates of a patient's record checked against the calendar, at a given moment: a year or a visit beyond the day's
// grace is refused, and a newborn on New Year's morning east of UTC (where UTC is still in the old year) is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clinicalDateProblem } from '../../shared/clinical-dates.js';

test('a birth year that is this year somewhere is taken: 1 January, 08:00 in Auckland is 31 December in UTC', () => {
  const now = new Date('2027-01-01T08:00:00+13:00');
  assert.equal(clinicalDateProblem({ birthYear: 2027, visitDate: '2027-01-01' }, now), null);
  assert.equal(clinicalDateProblem({ birthYear: 2027 }, now), null);
  assert.equal(clinicalDateProblem({ birthYear: 2028 }, now), 'Birth year 2028 is in the future');
});

test('a year or a visit beyond the day of grace is in the future; a visit before the birth is a slip', () => {
  const now = new Date('2026-06-15T12:00:00Z');
  assert.equal(clinicalDateProblem({ birthYear: 2027 }, now), 'Birth year 2027 is in the future');
  assert.equal(clinicalDateProblem({ visitDate: '2026-06-16' }, now), null);
  assert.equal(
    clinicalDateProblem({ visitDate: '2026-06-17' }, now),
    'Visit date 2026-06-17 is in the future',
  );
  assert.equal(
    clinicalDateProblem({ birthYear: 2000, visitDate: '1999-12-31' }, now),
    'Visit date 1999-12-31 is before the birth year 2000',
  );
  // More than a day before New Year in UTC, next year is still ahead in every time zone.
  assert.equal(
    clinicalDateProblem({ birthYear: 2027 }, new Date('2026-12-30T12:00:00Z')),
    'Birth year 2027 is in the future',
  );
});
