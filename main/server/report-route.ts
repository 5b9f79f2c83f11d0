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

/** One character in ASCII: a letter without its accents (é: e), else '_' (山, 김 and م have no ASCII form). */
function asciiStandIn(char: string): string {
  const bare = char.normalize('NFKD').replace(/\p{M}/gu, '');
  return /^[\w.-]+$/.test(bare) ? bare : '_';
}

/**
 * `attachment` naming `fileName` as RFC 6266 says: `filename*` carries it whole in UTF-8 (every browser reads it),
 * `filename` an ASCII stand-in for a client that does not (accents dropped, anything else '_').
 */
function attachmentDisposition(fileName: string): string {
  const ascii = Array.from(fileName.normalize('NFC'), asciiStandIn).join('');
  // encodeURIComponent leaves ' ( ) * and ! bare; RFC 5987's attr-char allows only ! of them.
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

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
      ? { 'content-disposition': attachmentDisposition(doc.fileName) }
      : {}),
  });
  res.end(headOnly ? undefined : body);
}
