// Windows BMP decoder (sharp/libvips cannot read BMP). Uncompressed 1/4/8-bit palette, 16/24/32-bit direct colour
// (with or without BI_BITFIELDS masks), bottom-up or top-down. RLE-compressed files are reported as unsupported.
import { expandPalette } from './png-codec.js';
import type { RasterImage } from '../types.js';

export class BmpFormatError extends Error {}

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function decodeBmp(buf: Uint8Array): RasterImage {
  if (!isBmp(buf)) throw new BmpFormatError('not a BMP (bad signature)');
  if (buf.length < 26) throw new BmpFormatError('truncated (incomplete header)');
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  if (14 + headerSize > buf.length) throw new BmpFormatError('truncated (incomplete info header)');
  let width: number;
  let rawHeight: number;
  let bitCount: number;
  let compression = BI_RGB;
  let coloursUsed = 0;
  if (headerSize === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit sizes, 3-byte palette entries.
    width = v.getUint16(18, true);
    rawHeight = v.getInt16(20, true);
    bitCount = v.getUint16(24, true);
  } else if (headerSize >= 40) {
    width = v.getInt32(18, true);
    rawHeight = v.getInt32(22, true);
    bitCount = v.getUint16(28, true);
    compression = v.getUint32(30, true);
    coloursUsed = v.getUint32(46, true);
  } else {
    throw new BmpFormatError(`unsupported info header size ${headerSize}`);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new BmpFormatError(`corrupt (size ${width}x${rawHeight})`);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new BmpFormatError(`unsupported compression ${compression} (RLE/JPEG/PNG-in-BMP)`);
  }
  const stride = Math.ceil((width * bitCount) / 32) * 4;
  if (dataOffset + stride * height > buf.length) {
    throw new BmpFormatError(
      `truncated (pixel data has ${buf.length - dataOffset} of ${stride * height} bytes)`,
    );
  }
  const rowStart = (y: number): number => dataOffset + (topDown ? y : height - 1 - y) * stride;

  if (bitCount === 1 || bitCount === 4 || bitCount === 8) {
    const entrySize = headerSize === 12 ? 3 : 4;
    const entries = coloursUsed || 1 << bitCount;
    const palStart = 14 + headerSize;
    if (palStart + entries * entrySize > dataOffset)
      throw new BmpFormatError('corrupt (palette overlaps pixel data)');
    const palette = new Uint8Array(entries * 3);
    for (let e = 0; e < entries; e++) {
      // BMP palettes are stored B, G, R.
      palette[e * 3] = buf[palStart + e * entrySize + 2];
      palette[e * 3 + 1] = buf[palStart + e * entrySize + 1];
      palette[e * 3 + 2] = buf[palStart + e * entrySize];
    }
    const indices = new Uint8Array(width * height);
    const mask = (1 << bitCount) - 1;
    for (let y = 0; y < height; y++) {
      const r = rowStart(y);
      for (let x = 0; x < width; x++) {
        const bit = x * bitCount;
        indices[y * width + x] = (buf[r + (bit >> 3)] >> (8 - bitCount - (bit & 7))) & mask;
      }
    }
    try {
      return expandPalette(indices, width, height, palette, null);
    } catch (err) {
      throw new BmpFormatError((err as Error).message);
    }
  }

  if (bitCount !== 16 && bitCount !== 24 && bitCount !== 32) {
    throw new BmpFormatError(`unsupported bit count ${bitCount}`);
  }
  let masks: [number, number, number, number] | null = null;
  if (bitCount !== 24) {
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks follow a 40-byte header, or sit inside V2+ headers at the same offsets.
      const hasAlphaMask = compression === BI_ALPHABITFIELDS || headerSize >= 56;
      masks = [
        v.getUint32(54, true),
        v.getUint32(58, true),
        v.getUint32(62, true),
        hasAlphaMask ? v.getUint32(66, true) : 0,
      ];
    } else if (bitCount === 16) {
      masks = [0x7c00, 0x03e0, 0x001f, 0];
    } else {
      // 32-bit BI_RGB: the fourth byte is unused padding, not alpha.
      masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
    }
  }
  const channels = masks && masks[3] !== 0 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const fields = masks ? masks.map(maskField) : [];
  for (let y = 0; y < height; y++) {
    const r = rowStart(y);
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bitCount === 24) {
        const p = r + x * 3;
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
        continue;
      }
      const px = bitCount === 32 ? v.getUint32(r + x * 4, true) : v.getUint16(r + x * 2, true);
      for (let c = 0; c < channels; c++) out[o + c] = fields[c](px);
    }
  }
  return { width, height, channels, bitDepth: 8, data: out };
}

/** Returns a function extracting one masked field of a pixel word, scaled to 0..255. */
function maskField(mask: number): (px: number) => number {
  if (mask === 0) return () => 255;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (px) => Math.round((((px & mask) >>> shift) * 255) / max);
}
