// Netpbm decoder (PBM/PGM/PPM, ASCII and binary). libvips builds without it in sharp, and STARE ships PPM/PGM
// whose headers carry '#' comment lines (written by XV) between the magic number and the sizes.
import type { RasterImage } from '../types.js';

export class PnmFormatError extends Error {}

export function isPnm(buf: Uint8Array): boolean {
  return buf.length >= 3 && buf[0] === 0x50 && buf[1] >= 0x31 && buf[1] <= 0x36 && isSpace(buf[2]);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Reads whitespace-separated ASCII tokens, skipping '#' comments (which run to the end of the line). */
class TokenReader {
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
  ) {}

  next(what: string): number {
    const b = this.buf;
    for (;;) {
      while (this.pos < b.length && isSpace(b[this.pos])) this.pos++;
      if (this.pos < b.length && b[this.pos] === 0x23) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    while (this.pos < b.length && b[this.pos] >= 0x30 && b[this.pos] <= 0x39) this.pos++;
    if (start === this.pos) {
      throw new PnmFormatError(
        this.pos >= b.length ? `truncated (missing ${what})` : `corrupt (bad ${what})`,
      );
    }
    return Number(Buffer.from(b.subarray(start, this.pos)).toString('latin1'));
  }

  /** PBM ASCII allows '0'/'1' without separators. */
  nextBit(): number {
    const b = this.buf;
    for (;;) {
      while (this.pos < b.length && isSpace(b[this.pos])) this.pos++;
      if (this.pos < b.length && b[this.pos] === 0x23) {
        while (this.pos < b.length && b[this.pos] !== 0x0a) this.pos++;
        continue;
      }
      break;
    }
    const c = b[this.pos++];
    if (c === 0x30 || c === 0x31) return c - 0x30;
    throw new PnmFormatError(c === undefined ? 'truncated (pixel data ends early)' : 'corrupt (bad PBM bit)');
  }
}

/**
 * Decodes P1..P6. maxval 255 / 65535 are kept as is; other maxvals are rescaled to the full 8- or 16-bit range
 * so thresholds mean the same whatever the file chose. PBM's 1 (black) becomes 0, its 0 (white) 255.
 */
export function decodePnm(buf: Uint8Array): RasterImage {
  if (!isPnm(buf)) throw new PnmFormatError('not a PNM file (bad magic number)');
  const kind = buf[1] - 0x30;
  const tokens = new TokenReader(buf, 2);
  const width = tokens.next('width');
  const height = tokens.next('height');
  if (width <= 0 || height <= 0) throw new PnmFormatError(`corrupt (size ${width}x${height})`);
  const isBitmap = kind === 1 || kind === 4;
  const maxval = isBitmap ? 1 : tokens.next('maxval');
  if (maxval < 1 || maxval > 65535) throw new PnmFormatError(`corrupt (maxval ${maxval})`);
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const bitDepth = maxval > 255 ? 16 : 8;
  const count = width * height * channels;
  const data = bitDepth === 16 ? new Uint16Array(count) : new Uint8Array(count);
  const full = bitDepth === 16 ? 65535 : 255;

  if (kind === 1) {
    for (let i = 0; i < count; i++) data[i] = tokens.nextBit() ? 0 : 255;
  } else if (kind === 2 || kind === 3) {
    for (let i = 0; i < count; i++) data[i] = tokens.next('pixel value');
  } else {
    // Exactly one whitespace byte separates the header from binary data.
    const start = tokens.pos + 1;
    if (kind === 4) {
      const rowBytes = Math.ceil(width / 8);
      if (start + rowBytes * height > buf.length) throw truncated(rowBytes * height, buf.length - start);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const bit = (buf[start + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
          data[y * width + x] = bit ? 0 : 255;
        }
      }
      return { width, height, channels: 1, bitDepth: 8, data };
    }
    const bytes = count * (bitDepth === 16 ? 2 : 1);
    if (start + bytes > buf.length) throw truncated(bytes, buf.length - start);
    if (bitDepth === 16) {
      for (let i = 0; i < count; i++) data[i] = (buf[start + 2 * i] << 8) | buf[start + 2 * i + 1];
    } else {
      data.set(buf.subarray(start, start + count));
    }
  }
  if (isBitmap) return { width, height, channels: 1, bitDepth: 8, data };
  for (let i = 0; i < count; i++) {
    if (data[i] > maxval) throw new PnmFormatError(`corrupt (sample ${data[i]} above maxval ${maxval})`);
  }
  if (maxval !== full) {
    for (let i = 0; i < count; i++) data[i] = Math.round((data[i] * full) / maxval);
  }
  return { width, height, channels, bitDepth, data };
}

function truncated(expected: number, got: number): PnmFormatError {
  return new PnmFormatError(`truncated (pixel data has ${Math.max(0, got)} of ${expected} bytes)`);
}
