// What the viewer needs to show an image (the decoded photograph and its masks), fetched ahead for the images
// next to the open one, so stepping through a worklist with the arrow keys shows the next image at once.
//
// Photographs never change, so decoded ones are kept (a few, least recently used dropped). Masks do change: a
// prefetched MasksResponse is handed out once, dropped whenever main says the image changed, and a prefetch
// for an image first waits for that image's pending saves, so it never returns masks older than the last edit.
import type { Id, MasksResponse } from '../../../shared/contract.js';
import type { RetinaClient } from '../../../shared/transport.js';
import { decodeImage, releaseImage, type DecodedImage } from './imageSource.js';
import { unpackMasks } from './packedMasks.js';
import { previewSize } from './previewSize.js';
import { TakeOnce } from './takeOnce.js';

/** The screen the viewer fills (CSS pixels, and device pixels per CSS pixel): what a preview is sized for. */
export function viewerScreen(): { width: number; height: number; dpr: number } {
  return { width: window.innerWidth, height: window.innerHeight, dpr: window.devicePixelRatio || 1 };
}

/** Previews fetched ahead of an open and not yet shown, at most (each holds a decoded bitmap). */
const KEEP_PREVIEWS = 2;
/**
 * Masks fetched ahead and not yet opened, at most (each holds its masks unpacked, a byte a pixel: 8 MB a mask for
 * a camera frame): both neighbours of the open image, and a row or two the worklist's selection passed over.
 */
const KEEP_MASKS = 4;

export class OpenCache {
  private readonly images = new Map<Id, Promise<DecodedImage>>();
  private readonly masks = new TakeOnce<Promise<MasksResponse>>(KEEP_MASKS);
  private readonly previews = new Map<string, Promise<DecodedImage>>();
  private readonly saves = new Map<Id, Promise<unknown>>();
  /** Images whose photograph in `images` has decoded. */
  private readonly ready = new Set<Id>();
  private pinned: Id | null = null;
  private watching = 0;

  constructor(
    private readonly client: RetinaClient,
    /** Decoded photographs kept, the open one included. */
    private readonly keep = 4,
  ) {}

  /**
   * Drops prefetched masks whenever main says an image changed, until the returned function is called; that
   * also empties the cache. Call it from an effect (StrictMode may call it twice).
   */
  watch(): () => void {
    const off = this.client.on('imagesChanged', ({ imageIds }) => {
      for (const id of imageIds) this.masks.delete(id);
    });
    this.watching++;
    return () => {
      off();
      this.watching--;
      this.clear();
    };
  }

  /** The decoded photograph (shared; do not release it). `pin` keeps it while it is on screen. */
  image(imageId: Id, pin = false): Promise<DecodedImage> {
    if (pin) this.pinned = imageId;
    let p = this.images.get(imageId);
    if (p) this.images.delete(imageId);
    else {
      p = this.client.invoke('getImage', { imageId }).then(decodeImage);
      const decoding = p;
      // A failed fetch is not kept: the next open tries again.
      decoding.then(
        () => this.images.get(imageId) === decoding && this.ready.add(imageId),
        () => this.images.get(imageId) === decoding && this.images.delete(imageId),
      );
    }
    this.images.set(imageId, p);
    this.evict();
    return p;
  }

  /** Whether the image's photograph has decoded (opening it needs no preview). */
  decoded(imageId: Id): boolean {
    return this.ready.has(imageId);
  }

  /**
   * A copy of the photograph downscaled to fit `maxSize`, decoded: the one `prefetchOpen` started (handed out
   * once), else fetched now. The caller owns it.
   */
  preview(imageId: Id, maxSize: number): Promise<DecodedImage> {
    const key = `${imageId}@${maxSize}`;
    const p = this.previews.get(key);
    this.previews.delete(key);
    return p ?? this.client.invoke('getImagePreview', { imageId, maxSize }).then(decodeImage);
  }

  /**
   * Starts fetching what the first frame of opening `imageId` shows: its masks, and for a photograph large enough
   * to open with a preview (`size` as the worklist knows it) that preview instead of the photograph, whose
   * receiving and decoding would otherwise take a core from the first frame.
   */
  prefetchOpen(imageId: Id, size?: { width: number; height: number }): void {
    const maxSize = size && !this.decoded(imageId) ? previewSize(size, viewerScreen()) : null;
    if (maxSize === null) return this.prefetch([imageId]);
    this.prefetchMasks(imageId);
    const key = `${imageId}@${maxSize}`;
    if (this.previews.has(key)) return;
    const p = this.client.invoke('getImagePreview', { imageId, maxSize }).then(decodeImage);
    p.catch(() => this.previews.get(key) === p && this.previews.delete(key));
    this.previews.set(key, p);
    for (const [k, old] of this.previews) {
      if (this.previews.size <= KEEP_PREVIEWS) break;
      this.previews.delete(k);
      void old.then(releaseImage, () => {});
    }
  }

  /** The image's masks: a fresh prefetch when there is one (used once), else fetched now. */
  takeMasks(imageId: Id): Promise<MasksResponse> {
    return this.masks.take(imageId) ?? this.fetchMasks(imageId);
  }

  /** Starts fetching what opening each of `imageIds` needs (masks only while watching: else they could go stale). */
  prefetch(imageIds: Id[]): void {
    for (const id of imageIds) {
      void this.image(id).catch(() => {});
      this.prefetchMasks(id);
    }
  }

  private prefetchMasks(id: Id): void {
    if (this.watching > 0 && !this.masks.has(id)) {
      const p = this.fetchMasks(id);
      p.catch(() => this.masks.drop(id, p));
      this.masks.put(id, p);
    }
  }

  /** Registers a save of `imageId`'s masks: later fetches of its masks wait for it, and no prefetch predates it. */
  trackSave(imageId: Id, save: Promise<unknown>): void {
    this.masks.delete(imageId);
    const all = Promise.allSettled([this.saves.get(imageId), save]);
    this.saves.set(imageId, all);
    void all.then(() => this.saves.get(imageId) === all && this.saves.delete(imageId));
  }

  private clear(): void {
    for (const p of this.images.values()) void p.then(releaseImage, () => {});
    this.images.clear();
    for (const p of this.previews.values()) void p.then(releaseImage, () => {});
    this.previews.clear();
    this.ready.clear();
    this.masks.clear();
  }

  private async fetchMasks(imageId: Id): Promise<MasksResponse> {
    await this.saves.get(imageId);
    // Packed: the probabilities follow once the image is on screen (useViewerDocument).
    return unpackMasks(await this.client.invoke('getMasks', { imageId, bits: true }));
  }

  private evict(): void {
    for (const [id, p] of this.images) {
      if (this.images.size <= this.keep) break;
      if (id === this.pinned) continue;
      this.images.delete(id);
      this.ready.delete(id);
      void p.then(releaseImage, () => {});
    }
  }
}
