// What a measurement report may do wherever it is shown (a browser tab, the desktop report window): fetch
// nothing (its images are data URLs) and run only the print button's script, allowed by its hash.
import { createHash } from 'node:crypto';
import { REPORT_SCRIPT } from '../../shared/measure/report-html.js';

const SCRIPT_HASH = createHash('sha256').update(REPORT_SCRIPT).digest('base64');

export const REPORT_CSP = [
  "default-src 'none'",
  'img-src data:',
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The report with its policy in the document itself, for a window that loads it from a file (no response header
 * to carry it): a file:// page may otherwise read other files and reach the network. (frame-ancestors has no
 * effect in a meta element; the desktop report window is never framed.)
 */
export function withReportPolicy(html: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;
  if (!/<head>/i.test(html)) throw new Error('a report without <head>');
  return html.replace(/<head>/i, `<head>${meta}`);
}
