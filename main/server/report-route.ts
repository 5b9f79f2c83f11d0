// GET /report?image=ID (or ?study=ID), &download=1 to save it: the measurement report as a page of its own, for a
// new tab that prints it (Print / save as PDF) or saves it. Authorised like the renderer's pages (the caller checks
// the token); the document goes through the same handler as the getReport channel. Its policy lets it fetch
// nothing: images are data URLs, and the only script allowed is the print button's, by its hash.
import type { ServerResponse } from 'node:http';
import { dispatchRequest, type ReportDocument, type RequestHandlers } from '../../shared/contract.js';
import type { CallerContext } from '../handlers/index.js';
import { REPORT_CSP } from '../handlers/report-policy.js';

export { REPORT_CSP } from '../handlers/report-policy.js';

export const REPORT_PATH = '/report';

const STATUS: Record<string, number> = { 'invalid-request': 400, 'not-found': 404, forbidden: 403 };

export async function sendReport(
  handlers: RequestHandlers<CallerContext>,
  url: URL,
  ctx: CallerContext,
  res: ServerResponse,
  headers: Record<string, string>,
  /** A HEAD request: the headers only. */
  headOnly = false,
): Promise<void> {
  const image = url.searchParams.get('image');
  const study = url.searchParams.get('study');
  const request = {
    ...(image !== null ? { imageId: image } : {}),
    ...(study !== null ? { studyId: study } : {}),
  };
  const result = await dispatchRequest(handlers, 'getReport', request, ctx);
  if (!result.ok) {
    res.writeHead(STATUS[result.error.code] ?? 500, {
      ...headers,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(`Cannot make the report: ${result.error.message}\n`);
    return;
  }
  const doc = result.value as ReportDocument;
  const body = Buffer.from(doc.html, 'utf8');
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'content-security-policy': REPORT_CSP,
    'x-frame-options': 'DENY',
    ...(url.searchParams.get('download') === '1'
      ? { 'content-disposition': `attachment; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"` }
      : {}),
  });
  res.end(headOnly ? undefined : body);
}
