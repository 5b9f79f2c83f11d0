// Dates a person types into a patient's record, checked against the calendar: a birth year or a visit in the future,
// or a visit before the birth, is a slip (2030 for 2003), and it would print "Born 2030" on a 2024 report and make a
// future visit the "later" one in every comparison. A day's grace: the server's and the user's time zones differ.

const DAY_MS = 86_400_000;

/** The earliest birth year taken (the store's and the request check's range starts there). */
export const FIRST_BIRTH_YEAR = 1880;

/** The earliest visit year taken (fundus photography is a 20th-century art; an earlier year is a slip). */
const FIRST_VISIT_YEAR = 1900;

/**
 * Whether `v` is a real calendar day, YYYY-MM-DD, from 1900 on. (Date.parse alone takes 2023-02-30 as 2 March.)
 */
export function isCalendarDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number(v.slice(0, 4)) < FIRST_VISIT_YEAR) return false;
  const day = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === v;
}

/** Why the dates cannot be right as of `now`, or null when they can. Absent values are not checked. */
export function clinicalDateProblem(
  dates: { birthYear?: number | null; visitDate?: string | null },
  now: Date,
): string | null {
  const { birthYear, visitDate } = dates;
  // The same day's grace as a visit's: 1 January in Auckland is still 31 December in UTC.
  if (birthYear != null && birthYear > new Date(now.getTime() + DAY_MS).getUTCFullYear())
    return `Birth year ${birthYear} is in the future`;
  if (visitDate != null) {
    const visit = Date.parse(visitDate);
    if (!Number.isNaN(visit) && visit > now.getTime() + DAY_MS)
      return `Visit date ${visitDate} is in the future`;
    if (!Number.isNaN(visit) && birthYear != null && new Date(visit).getUTCFullYear() < birthYear)
      return `Visit date ${visitDate} is before the birth year ${birthYear}`;
  }
  return null;
}

/**
 * The dates of a header (a DICOM file's) that can be right as of `now`: a visit in the future or a birth year after
 * it or in the future is left unknown, not stored; with a birth year after the visit the birth year goes, since the
 * visit date orders visits.
 */
export function plausibleDates(
  dates: { birthYear: number | null; visitDate: string | null },
  now: Date,
): { birthYear: number | null; visitDate: string | null } {
  const visitDate =
    dates.visitDate !== null && clinicalDateProblem({ visitDate: dates.visitDate }, now) === null
      ? dates.visitDate
      : null;
  const birthYear =
    dates.birthYear !== null && clinicalDateProblem({ birthYear: dates.birthYear, visitDate }, now) === null
      ? dates.birthYear
      : null;
  return { birthYear, visitDate };
}
