// Images as the browser shows them: PNG/JPEG/WebP originals pass through untouched; TIFF, PPM, GIF, BMP and
// DICOM are re-encoded losslessly as PNG (fast settings: the bytes cross a local pipe, size hardly matters).
// Recent encodings are kept in a small LRU so stepping back and forth through a worklist costs nothing.
import sharp from 'sharp';
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

  constructor(private readonly store: Store) {}

  async image(imageId: number): Promise<EncodedImage> {
    const record = getImage(this.store, imageId);
    const key = record.rasterHash ?? record.fileHash;
    const cached = this.full.get(key);
    if (cached) return cached;
    const mime = record.rasterHash === null ? PASS_THROUGH[record.format] : undefined;
    let encoded: EncodedImage;
    if (mime) {
      encoded = {
        width: record.width,
        height: record.height,
        mime,
        bytes: await readOriginalBytes(this.store, record),
      };
    } else {
      const png = await rasterToSharp(await this.raster(record))
        .png({ compressionLevel: 1, adaptiveFiltering: false })
        .toBuffer();
      encoded = { width: record.width, height: record.height, mime: 'image/png', bytes: png };
    }
    this.full.set(key, encoded);
    return encoded;
  }

  async thumbnail(imageId: number, maxSize: number): Promise<EncodedImage> {
    const record = getImage(this.store, imageId);
    const key = `${record.rasterHash ?? record.fileHash}@${maxSize}`;
    const cached = this.thumbs.get(key);
    if (cached) return cached;
    const { data, info } = await rasterToSharp(await this.raster(record))
      .resize({ width: maxSize, height: maxSize, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const thumb: EncodedImage = { width: info.width, height: info.height, mime: 'image/jpeg', bytes: data };
    this.thumbs.set(key, thumb);
    return thumb;
  }

  private raster(record: ImageRecord): Promise<RasterImage> {
    return loadImageRaster(this.store, record);
  }
}
