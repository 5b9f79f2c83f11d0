// Dates and times as this machine's clock reads them. toISOString() is UTC's: at UTC+14 in the morning its date is
// yesterday's, so a date a person reads (a folder's name, "compacted on") is taken from the local calendar.

const pad = (n: number): string => String(n).padStart(2, '0');

/** "YYYY-MM-DD" of `d` on this machine's calendar. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** This machine's short name for its zone at `d` ("UTC", "GMT+14", "PST"), or null where Intl has none. */
export function zoneName(d: Date): string | null {
  return (
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(d)
      .find((p) => p.type === 'timeZoneName')?.value ?? null
  );
}

/** "YYYY-MM-DD HH:MM" of an ISO time on this machine's clock (with `seconds`, "HH:MM:SS"); the input when not a time. */
export function localDateTime(iso: string, opts: { seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const secs = opts.seconds ? `:${pad(d.getSeconds())}` : '';
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}${secs}`;
}

/**
 * localDateTime and this machine's zone ("2026-12-07 09:00 GMT+14"): for words main writes, which may be read in
 * another zone (a team server run in UTC). With `seconds`, "09:00:41": for a cut-off, where the minute is not exact.
 */
export function zonedDateTime(iso: string, opts: { seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const zone = zoneName(d);
  const at = localDateTime(iso, opts);
  return zone ? `${at} ${zone}` : at;
}
