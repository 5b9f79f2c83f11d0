// Picks the transport once at start: Electron's preload bridge when present, else HTTP + WebSocket to the
// browser-mode server this page was loaded from, authenticated by the token in the URL (single-user) or by the
// login session's cookie (a team server, see team/TeamGate.tsx).
import type { RetinaBridge, RetinaClient } from '../../shared/transport.js';
import { TOKEN_QUERY } from '../../shared/transport.js';
import { createElectronClient } from './transport/electronClient.js';
import { windowClientId } from './viewer/windowClientId.js';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from './transport/httpClient.js';

declare global {
  interface Window {
    retina?: RetinaBridge;
  }
}

const TOKEN_KEY = 'retina.token';

/** Reads the token from #token=… or ?token=…, keeps it for reloads, and removes it from the address bar. */
function takeToken(): string | null {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search);
  const fromUrl = hash.get(TOKEN_QUERY) ?? query.get(TOKEN_QUERY);
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', location.pathname);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * The folder this page was served from, which every call, the event socket and the report go under: the site's
 * root, or a reverse proxy's sub-path (https://intranet.example/retina/). The app's own routes are in the hash.
 */
export function pageFolder(): string {
  return new URL('.', location.href).href;
}

/** Whether this page runs the single-user way: in Electron, or opened with the server's token. */
export function singleUserStart(): boolean {
  return window.retina !== undefined || takeToken() !== null;
}

/** The client of a team server: the session cookie goes with every request; `onUnauthenticated` on a refusal. */
export function createTeamClient(onUnauthenticated: () => void): HttpClient {
  return createHttpClient({
    baseUrl: pageFolder(),
    token: '',
    fetch: window.fetch.bind(window) as unknown as FetchLike,
    WebSocket: window.WebSocket as unknown as WebSocketCtor,
    windowId: windowClientId(),
    onUnauthenticated,
  });
}

export function createClient(): RetinaClient {
  if (window.retina) return createElectronClient(window.retina);
  const token = takeToken();
  if (!token) {
    throw new Error(
      'No access token: open RetinaStudio with the URL printed by `retina serve` (it ends in ?token=…).',
    );
  }
  return createHttpClient({
    baseUrl: pageFolder(),
    token,
    fetch: window.fetch.bind(window) as unknown as FetchLike,
    WebSocket: window.WebSocket as unknown as WebSocketCtor,
    windowId: windowClientId(),
  });
}
