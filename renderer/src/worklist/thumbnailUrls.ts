// Object URLs of thumbnails: kept for quick scrolling back, but bounded, and each revoked once no row shows it
// and it is either out of date (the image changed) or pushed out of the cache. The URL factory is injected so
// the bookkeeping is testable without a DOM.

interface Entry {
  url: string;
  version: string;
}

export class ThumbnailUrls {
  private readonly current = new Map<string, Entry>();
  private readonly users = new Map<string, number>();
  private readonly retired = new Set<string>();

  constructor(
    private readonly revoke: (url: string) => void,
    private readonly capacity = 400,
  ) {}

  /** The cached URL of `imageId` at `version`, or null. */
  get(imageId: string, version: string): string | null {
    const e = this.current.get(imageId);
    if (!e || e.version !== version) return null;
    this.current.delete(imageId);
    this.current.set(imageId, e);
    return e.url;
  }

  /** Stores a new URL; an older version of the same image, and the least recently used beyond capacity, retire. */
  put(imageId: string, version: string, url: string): void {
    const old = this.current.get(imageId);
    this.current.delete(imageId);
    if (old && old.url !== url) this.retire(old.url);
    this.current.set(imageId, { url, version });
    for (const [id, e] of this.current) {
      if (this.current.size <= this.capacity) break;
      this.current.delete(id);
      this.retire(e.url);
    }
  }

  /** A row shows `url` from now on; returns the matching release. */
  acquire(url: string): () => void {
    this.users.set(url, (this.users.get(url) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.users.get(url) ?? 1) - 1;
      if (n > 0) this.users.set(url, n);
      else {
        this.users.delete(url);
        if (this.retired.delete(url)) this.revoke(url);
      }
    };
  }

  /** URLs created and not yet revoked (for tests and diagnostics). */
  get live(): number {
    return this.current.size + this.retired.size;
  }

  private retire(url: string): void {
    if (this.users.has(url)) this.retired.add(url);
    else this.revoke(url);
  }
}
