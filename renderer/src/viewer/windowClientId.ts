// This window's id for edit leases. Random, made once per tab and kept across reloads (sessionStorage is per tab), so
// a reloaded viewer renews its own lease instead of finding the image "being edited" by itself.
const KEY = 'retina.clientId';
let cached: string | null = null;

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function windowClientId(): string {
  cached ??= stored();
  if (!cached) {
    // getRandomValues, not randomUUID: the page may be served over plain HTTP to a network (not a secure context).
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    cached = `w-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    try {
      sessionStorage.setItem(KEY, cached);
    } catch {
      // Storage refused (private mode): the id lives as long as the page.
    }
  }
  return cached;
}
