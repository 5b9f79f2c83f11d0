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

const PASS_THROUGH: Record<string, EncodedImage['mime']> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

class Lru<V extends { bytes: Uint8Array }> {
  private readonly map = new Map<string, V>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    if (v.bytes.length > this.maxBytes) return;
    this.map.set(key, v);
    this.bytes += v.bytes.length;
    for (const [k, old] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= old.bytes.length;
    }
  }
}

function rasterToSharp(raster: RasterImage): ReturnType<typeof sharp> {
  const rgb = raster.bitDepth === 8 && raster.channels !== 2 ? raster : toRgb8(raster);
  const data = rgb.data as Uint8Array;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width: rgb.width, height: rgb.height, channels: rgb.channels as 1 | 3 | 4 },
  });
}

export class PictureService {
  private readonly full = new Lru<EncodedImage>(256 * 1024 * 1024);
  private readonly thumbs = new Lru<EncodedImage>(32 * 1024 * 1024);

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
