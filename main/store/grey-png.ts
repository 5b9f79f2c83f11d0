// A minimal, deterministic PNG codec for the store's own 8-bit single-channel blobs (masks, FOVs, probability
// maps). Same pixels always give the same bytes (no timestamps, fixed filter and deflate settings), so a mask's
// blob hash identifies its pixels and exports are byte-identical run after run.
import { deflateSync, inflateSync } from 'node:zlib';
import { StoreError } from './errors.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Encodes 8-bit grey pixels; each row uses the Up filter, which suits masks (long vertical runs). */
export function encodeGreyPng(img: GreyImage): Buffer {
  const { width, height, data } = img;
  if (data.length !== width * height)
    throw new StoreError(`grey PNG: ${data.length} bytes for ${width}x${height}`);
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width + 1);
    raw[o] = y === 0 ? 0 : 2;
    const row = y * width;
    if (y === 0) raw.set(data.subarray(0, width), o + 1);
    else for (let x = 0; x < width; x++) raw[o + 1 + x] = (data[row + x] - data[row - width + x]) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an 8-bit greyscale, non-interlaced PNG; returns null for any other PNG flavour. */
export function decodeGreyPng(buf: Uint8Array, name = 'PNG'): GreyImage | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 8).equals(SIGNATURE)) throw new StoreError(`${name}: not a PNG`);
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (pos + 8 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 0 || data[12] !== 0) return null;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (width === 0 || height === 0) throw new StoreError(`${name}: PNG without a header`);
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < (width + 1) * height) throw new StoreError(`${name}: truncated PNG data`);
  const out = new Uint8Array(width * height);
  // One tight loop per filter type: masks and probability maps are megapixels, decoded on every viewer open.
  for (let y = 0; y < height; y++) {
    const f = raw[y * (width + 1)];
    const src = y * (width + 1) + 1;
    const dst = y * width;
    const prev = dst - width; // the row above (unused on row 0, where "up" is 0)
    if (f === 0 || (f === 2 && y === 0)) out.set(raw.subarray(src, src + width), dst);
    else if (f === 1) {
      let a = 0;
      for (let x = 0; x < width; x++) a = out[dst + x] = (raw[src + x] + a) & 0xff;
    } else if (f === 2) {
      for (let x = 0; x < width; x++) out[dst + x] = (raw[src + x] + out[prev + x]) & 0xff;
    } else if (f === 3 || f === 4) {
      for (let x = 0; x < width; x++) {
        const a = x > 0 ? out[dst + x - 1] : 0;
        const up = y > 0 ? out[prev + x] : 0;
        const c = x > 0 && y > 0 ? out[prev + x - 1] : 0;
        out[dst + x] = (raw[src + x] + (f === 3 ? (a + up) >> 1 : paeth(a, up, c))) & 0xff;
      }
    } else throw new StoreError(`${name}: bad PNG filter ${f}`);
  }
  return { width, height, data: out };
}
