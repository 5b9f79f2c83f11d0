// The study a database location names, the same however it was written (a relative path, a link): what the
// single-user server keeps its access token under, and the identity a browser keeps an undelivered edit under.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isPostgresUrl, redactUrl } from './sql.js';

export function studyKey(location: string): string {
  if (isPostgresUrl(location)) return redactUrl(location);
  try {
    return realpathSync(location);
  } catch {
    return location;
  }
}

/** A name for the study that says nothing of where it lives (sent to the renderer). */
export function studyIdentity(location: string): string {
  return createHash('sha256')
    .update(`retina-study\n${studyKey(location)}`)
    .digest('hex')
    .slice(0, 32);
}
