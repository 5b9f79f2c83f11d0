// Where the renderer is served from, and the test that a URL is one of its pages. Kept apart from security.ts
// (which imports electron) so that the test runs without Electron.

/** The scheme the renderer is served from (a privileged standard scheme rather than file://, which can read disk). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * True for a page of the renderer (app://renderer/...). Compared by scheme and host: Node's URL, which the main
 * process has, gives every custom scheme the opaque origin "null", so comparing origins refused every request.
 */
export function isAppPageUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
