// Minimal, deliberately naive writers for test fixtures in formats and modes that neither sharp nor the engine's
// own writer produce (1-bit and palette PNG, BMP variants, Netpbm with comments). Independent of the code under test.
import { crc32, deflateSync } from 'node:zlib';

function pngChunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG from already-packed rows (filter byte 0 is added), with optional PLTE/tRNS. */
export function rawPng(opts: {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  rows: number[][];
  palette?: number[];
  trns?: number[];
}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(opts.width, 0);
  ihdr.writeUInt32BE(opts.height, 4);
  ihdr[8] = opts.bitDepth;
  ihdr[9] = opts.colourType;
  const raw = Buffer.concat(opts.rows.map((r) => Buffer.from([0, ...r])));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    ...(opts.palette ? [pngChunk('PLTE', Uint8Array.from(opts.palette))] : []),
    ...(opts.trns ? [pngChunk('tRNS', Uint8Array.from(opts.trns))] : []),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * A BMP with a 40-byte info header. `pixels` is row-major top-to-bottom: RGB triples for 24-bit, RGBX for 32-bit,
 * palette indices for 1/8-bit. `topDown` stores a negative height instead of flipping the rows.
 */
export function rawBmp(opts: {
  width: number;
  height: number;
  bitCount: 1 | 8 | 24 | 32;
  pixels: number[];
  palette?: [number, number, number][];
  topDown?: boolean;
}): Buffer {
  const { width, height, bitCount } = opts;
  const stride = Math.ceil((width * bitCount) / 32) * 4;
  const palette = opts.palette ?? [];
  const dataOffset = 14 + 40 + palette.length * 4;
  const buf = Buffer.alloc(dataOffset + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(dataOffset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(opts.topDown ? -height : height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bitCount, 28);
  buf.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => {
    buf[54 + i * 4] = b;
    buf[54 + i * 4 + 1] = g;
    buf[54 + i * 4 + 2] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (opts.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (bitCount === 24 || bitCount === 32) {
        const c = bitCount / 8;
        const src = i * (c === 3 ? 3 : 4);
        buf[row + x * c] = opts.pixels[src + 2];
        buf[row + x * c + 1] = opts.pixels[src + 1];
        buf[row + x * c + 2] = opts.pixels[src];
        if (c === 4) buf[row + x * c + 3] = opts.pixels[src + 3];
      } else if (bitCount === 8) {
        buf[row + x] = opts.pixels[i];
      } else if (opts.pixels[i]) {
        buf[row + (x >> 3)] |= 0x80 >> (x & 7);
      }
    }
  }
  return buf;
}
