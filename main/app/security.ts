// Window security, in one place: what every webContents may do (nothing beyond showing the renderer), the CSP,
// and the check that an IPC message comes from our own page.
import { app, session, type IpcMainInvokeEvent, type WebContents } from 'electron';

import { isAppPageUrl } from './app-url.js';

export { APP_HOST, APP_ORIGIN, APP_SCHEME } from './app-url.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True when the message comes from the main frame of one of our windows, showing our own page. */
export function isTrustedSender(event: IpcMainInvokeEvent, trusted: (wc: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  if (!trusted(event.sender)) return false;
  return isAppPageUrl(frame.url);
}

/** Denies every permission, navigation, new window and <webview> for all webContents, present and future. */
export function lockDown(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
