// Images as the browser shows them: PNG/JPEG/WebP originals pass through untouched; TIFF, PPM, GIF, BMP and
// DICOM are re-encoded losslessly as PNG (fast settings: the bytes cross a local pipe, size hardly matters).
// Large lossless images (a 3504x2336 camera frame) are shown from a visually lossless JPEG copy instead: the
// browser receives several times fewer bytes (a seventh for the bench's frame) and decodes them in about half
// the time, a large part of what opening such an image costs; the pixels the engine and the exports use are the
// originals, untouched.
// Recent encodings are kept in a small LRU so stepping back and forth through a worklist costs nothing, and a
// request for an image already being encoded (a prefetch racing the open) waits for that encoding.
import sharp, { type JpegOptions, type Sharp } from 'sharp';
import type { EncodedImage } from '../../shared/contract.js';
import { toRgb8 } from '../ml/io/image-io.js';
import type { RasterImage } from '../ml/types.js';
import {
  getImage,
  loadImageRaster,
  readOriginalBytes,
  type ImageRecord,
  type Store,
} from '../store/index.js';
import { ByteLru } from './lru.js';

/** From this many pixels on, a lossless image is displayed from a JPEG copy. */
export const DISPLAY_JPEG_MIN_PIXELS = 4_000_000;
/** Quality 95 without chroma subsampling: no visible difference, even zoomed in on capillaries. */
const DISPLAY_JPEG = { quality: 95, chromaSubsampling: '4:4:4' } as const;

const PASS_THROUGH: Record<string, EncodedImage['mime']> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

function rasterToSharp(raster: RasterImage): ReturnType<typeof sharp> {
  const rgb = raster.bitDepth === 8 && raster.channels !== 2 ? raster : toRgb8(raster);
  const data = rgb.data as Uint8Array;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width: rgb.width, height: rgb.height, channels: rgb.channels as 1 | 3 | 4 },
  });
}

export class PictureService {
  private readonly full = new ByteLru<EncodedImage>(256 * 1024 * 1024, (e) => e.bytes.length);
  private readonly thumbs = new ByteLru<EncodedImage>(32 * 1024 * 1024, (e) => e.bytes.length);

  private readonly encoding = new Map<string, Promise<EncodedImage>>();

  constructor(private readonly store: Store) {}

  async image(imageId: number): Promise<EncodedImage> {
    const record = getImage(this.store, imageId);
    const key = record.rasterHash ?? record.fileHash;
    const cached = this.full.get(key);
    if (cached) return cached;
    let pending = this.encoding.get(key);
    if (!pending) {
      pending = this.encode(record);
      this.encoding.set(key, pending);
      const settle = () => void this.encoding.delete(key);
      pending.then(settle, settle);
    }
    const encoded = await pending;
    this.full.set(key, encoded);
    return encoded;
  }

  private async encode(record: ImageRecord): Promise<EncodedImage> {
    const { width, height } = record;
    const mime = record.rasterHash === null ? await this.passThrough(record) : undefined;
    const large = width * height >= DISPLAY_JPEG_MIN_PIXELS;
    if (mime && !(large && mime === 'image/png')) {
      return { width, height, mime, bytes: await readOriginalBytes(this.store, record) };
    }
    if (large) {
      // A PNG original is decoded by sharp itself (native, off the event loop); other formats go through the
      // store's raster, as for the lossless copy.
      const source = mime
        ? sharp(await readOriginalBytes(this.store, record))
        : rasterToSharp(await this.raster(record));
      // Transparency over black, as the viewer's stage shows it (JPEG has no alpha).
      const jpeg = await source.flatten({ background: '#000000' }).jpeg(DISPLAY_JPEG).toBuffer();
      return { width, height, mime: 'image/jpeg', bytes: jpeg };
    }
    const png = await rasterToSharp(await this.raster(record))
      .png({ compressionLevel: 1, adaptiveFiltering: false })
      .toBuffer();
    return { width, height, mime: 'image/png', bytes: png };
  }

  /**
   * The displayed image downscaled to fit `maxSize` (never enlarged): resized from the display encoding, which a
   * JPEG decoder can shrink while decoding. Quality as the display copy's, so the first frame looks as the full
   * image would at that size.
   */
  async preview(imageId: number, maxSize: number): Promise<EncodedImage> {
    return this.shrunk(imageId, `preview${maxSize}`, maxSize, DISPLAY_JPEG, async () =>
      // Oriented as the display image shows (a JPEG passed through keeps its EXIF orientation; the copy would not).
      sharp((await this.image(imageId)).bytes, { autoOrient: true }).flatten({ background: '#000000' }),
    );
  }

  async thumbnail(imageId: number, maxSize: number): Promise<EncodedImage> {
    return this.shrunk(imageId, String(maxSize), maxSize, { quality: 80 }, async (record) =>
      rasterToSharp(await this.raster(record)),
    );
  }

  /** The image from `source` fitted inside maxSize (never enlarged) as a JPEG, cached under its content and `tag`. */
  private async shrunk(
    imageId: number,
    tag: string,
    maxSize: number,
    jpeg: JpegOptions,
    source: (record: ImageRecord) => Promise<Sharp>,
  ): Promise<EncodedImage> {
    const record = getImage(this.store, imageId);
    const key = `${record.rasterHash ?? record.fileHash}@${tag}`;
    const cached = this.thumbs.get(key);
    if (cached) return cached;
    const { data, info } = await (
      await source(record)
    )
      .resize({ width: maxSize, height: maxSize, fit: 'inside', withoutEnlargement: true })
      .jpeg(jpeg)
      .toBuffer({ resolveWithObject: true });
    const shrunk: EncodedImage = { width: info.width, height: info.height, mime: 'image/jpeg', bytes: data };
    this.thumbs.set(key, shrunk);
    return shrunk;
  }

  /**
   * The MIME type to send the original as it is, or undefined to send a copy of the decoded pixels. A JPEG goes as
   * it is (browsers apply its EXIF orientation, as the engine does); a PNG or WebP with an orientation tag does not:
   * browsers disagree on those (Chromium turns a PNG by its eXIf, not a WebP), and the viewer must show exactly
   * the pixels the masks were made on.
   */
  private async passThrough(record: ImageRecord): Promise<EncodedImage['mime'] | undefined> {
    const mime = PASS_THROUGH[record.format];
    if (!mime || mime === 'image/jpeg') return mime;
    const bytes = await readOriginalBytes(this.store, record);
    const orientation = (await sharp(bytes, { limitInputPixels: false }).metadata()).orientation ?? 1;
    return orientation === 1 ? mime : undefined;
  }

  private raster(record: ImageRecord): Promise<RasterImage> {
    return loadImageRaster(this.store, record);
  }
}
