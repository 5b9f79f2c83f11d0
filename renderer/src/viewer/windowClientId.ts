// This window's id for edit leases (and its event socket). Random, made once per tab and handed on to the same tab's
// next page (a reload), so a reloaded viewer renews its own lease instead of finding the image "being edited" by
// itself. The hand-over goes through sessionStorage only while the page goes: a live page keeps it out, because a
// duplicated tab starts with a copy of its sessionStorage and would otherwise take the same id, both tabs then
// editing the image under one lease.
const KEY = 'retina.clientId';
let cached: string | null = null;

/** The id the previous page of this tab left, taken out so that no copy of the storage carries it on. */
function handedOver(): string | null {
  try {
    const id = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return id;
  } catch {
    return null;
  }
}

function handOver(): void {
  try {
    if (cached) sessionStorage.setItem(KEY, cached);
  } catch {
    // Storage refused (private mode): the next page takes a new id, its lease asked for afresh.
  }
}

function takeBack(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // As above.
  }
}

export function windowClientId(): string {
  if (cached) return cached;
  cached = handedOver();
  if (!cached) {
    // getRandomValues, not randomUUID: the page may be served over plain HTTP to a network (not a secure context).
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    cached = `w-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }
  addEventListener('pagehide', handOver);
  // Back from the back/forward cache: live again, so the id leaves the storage again.
  addEventListener('pageshow', (e) => {
    if (e.persisted) takeBack();
  });
  return cached;
}
