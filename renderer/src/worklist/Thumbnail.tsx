import { useEffect, useRef, useState } from 'react';
import { useApp } from '../appContext.js';

// Object URLs of thumbnails, kept for the session so scrolling back is instant.
const cache = new Map<string, string>();

/** Loads its thumbnail only once scrolled into view. */
export function Thumbnail({ imageId, version }: { imageId: string; version: string }) {
  const { client } = useApp();
  const key = `${imageId}@${version}`;
  const [url, setUrl] = useState(cache.get(key) ?? null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (url || !ref.current) return;
    let cancelled = false;
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      client.invoke('getImageThumbnail', { imageId, maxSize: 96 }).then(
        (t) => {
          const u = URL.createObjectURL(new Blob([t.bytes as BlobPart], { type: t.mime }));
          cache.set(key, u);
          if (!cancelled) setUrl(u);
        },
        () => {}, // a missing thumbnail is not worth a message; the row still opens
      );
    });
    io.observe(ref.current);
    return () => {
      cancelled = true;
      io.disconnect();
    };
  }, [client, imageId, key, url]);
  return (
    <div ref={ref} className="thumb">
      {url && <img src={url} alt="" />}
    </div>
  );
}
