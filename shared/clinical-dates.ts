// Dates a person types into a patient's record, checked against the calendar: a birth year or a visit in the future,
// or a visit before the birth, is a slip (2030 for 2003), and it would print "Born 2030" on a 2024 report and make a
// future visit the "later" one in every comparison. A day's grace: the server's and the user's time zones differ.

const DAY_MS = 86_400_000;

/** Why the dates cannot be right as of `now`, or null when they can. Absent values are not checked. */
export function clinicalDateProblem(
  dates: { birthYear?: number | null; visitDate?: string | null },
  now: Date,
): string | null {
  const { birthYear, visitDate } = dates;
  if (birthYear != null && birthYear > now.getUTCFullYear())
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
