// One CSV value, for every CSV the product writes (exports, measures). Pure: used by main and shared code alike.

/**
 * Text a user or a file named (a camera, a patient name, a file name) that starts like a formula is prefixed with
 * an apostrophe, so a spreadsheet opening the file shows it rather than evaluating it (CSV injection). Numbers are
 * written as they are (a negative one is a number, not a formula).
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
