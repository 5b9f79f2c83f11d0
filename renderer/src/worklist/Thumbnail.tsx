import { useEffect, useRef, useState } from 'react';
import { useApp } from '../appContext.js';
import { ThumbnailUrls } from './thumbnailUrls.js';

// Object URLs of thumbnails, shared by all rows: bounded, and revoked once out of date and off screen.
const urls = new ThumbnailUrls((u) => URL.revokeObjectURL(u));

/** Loads its thumbnail only once scrolled into view. */
export function Thumbnail({ imageId, version }: { imageId: string; version: string }) {
  const { client } = useApp();
  const [url, setUrl] = useState(() => urls.get(imageId, version));
  const ref = useRef<HTMLDivElement>(null);

  // A new version of the image (new masks change updatedAt) shows its cached thumbnail, if any.
  useEffect(() => setUrl(urls.get(imageId, version)), [imageId, version]);

  useEffect(() => {
    if (url || !ref.current) return;
    let cancelled = false;
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      client.invoke('getImageThumbnail', { imageId, maxSize: 96 }).then(
        (t) => {
          const u = URL.createObjectURL(new Blob([t.bytes as BlobPart], { type: t.mime }));
          urls.put(imageId, version, u);
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
  }, [client, imageId, version, url]);

  useEffect(() => (url ? urls.acquire(url) : undefined), [url]);

  return (
    <div ref={ref} className="thumb">
      {url && <img src={url} alt="" />}
    </div>
  );
}
