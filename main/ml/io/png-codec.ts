// Our own PNG codec, the only one in the app (engine and store): exact sample values for every colour type and bit
// depth (sharp/libvips widens grey to RGB, drops grey+alpha at 8 bits and needs colour-space hints to keep 16 bits),
// masks round-trip bit-exactly, and every chunk's CRC is checked on read so a damaged file is refused rather than
// decoded into wrong pixels.
import { constants, crc32, deflate, deflateSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { endianness } from 'node:os';
import type { RasterImage } from '../types.js';

const deflateAsync = promisify(deflate);

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** Thrown for malformed PNG data; the caller prefixes the file name. */
export class PngFormatError extends Error {}

export function isPng(buf: Uint8Array): boolean {
  return buf.length >= 8 && SIGNATURE.every((b, i) => buf[i] === b);
}

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

const SAMPLES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Decodes a PNG into a RasterImage. Low-bit grey is scaled to 0..255; palettes expand to grey, RGB or RGBA. */
export function decodePng(buf: Uint8Array): RasterImage {
  if (!isPng(buf)) throw new PngFormatError('not a PNG (bad signature)');
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Buffer[] = [];
  let pos = 8;
  let ended = false;
  while (pos < view.length) {
    if (pos + 12 > view.length) throw new PngFormatError('truncated (incomplete chunk header)');
    const length = view.readUInt32BE(pos);
    const type = view.toString('latin1', pos + 4, pos + 8);
    const end = pos + 8 + length;
    if (end + 4 > view.length) throw new PngFormatError(`truncated (chunk ${type} runs past end of file)`);
    const stored = view.readUInt32BE(end);
    if (crc32(view.subarray(pos + 4, end)) !== stored)
      throw new PngFormatError(`corrupt (bad CRC in ${type} chunk)`);
    const data = view.subarray(pos + 8, end);
    if (type === 'IHDR') header = parseHeader(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos = end + 4;
  }
  if (!header) throw new PngFormatError('corrupt (no IHDR chunk)');
  if (idat.length === 0) throw new PngFormatError('truncated (no image data)');
  if (!ended) throw new PngFormatError('truncated (no IEND chunk)');
  if (header.colourType === 3 && !palette) throw new PngFormatError('corrupt (palette image without PLTE)');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (err) {
    throw new PngFormatError(`corrupt or truncated image data (${(err as Error).message})`);
  }
  const samples = unfilterAll(raw, header);
  return toRaster(samples, header, palette, transparency);
}

function parseHeader(d: Buffer): Header {
  if (d.length !== 13) throw new PngFormatError('corrupt (bad IHDR length)');
  const h: Header = {
    width: d.readUInt32BE(0),
    height: d.readUInt32BE(4),
    bitDepth: d[8],
    colourType: d[9],
    interlace: d[12],
  };
  if (h.width === 0 || h.height === 0) throw new PngFormatError('corrupt (zero width or height)');
  const depths = ALLOWED_DEPTHS[h.colourType];
  if (!depths) throw new PngFormatError(`unsupported colour type ${h.colourType}`);
  if (!depths.includes(h.bitDepth)) {
    throw new PngFormatError(`unsupported bit depth ${h.bitDepth} for colour type ${h.colourType}`);
  }
  if (h.interlace > 1) throw new PngFormatError(`unsupported interlace method ${h.interlace}`);
  return h;
}

// Adam7 passes: x0, y0, dx, dy.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Unfilters (and de-interlaces) into one sample per array element, at the PNG's own bit depth. Rows are unfiltered
 * in place in `raw` (freshly inflated, ours to overwrite); 8-bit non-interlaced rows, which is every mask and
 * probability map the store keeps, are then copied whole instead of sample by sample.
 */
function unfilterAll(raw: Buffer, h: Header): Uint16Array | Uint8Array {
  const spp = SAMPLES_PER_PIXEL[h.colourType];
  const out =
    h.bitDepth === 16 ? new Uint16Array(h.width * h.height * spp) : new Uint8Array(h.width * h.height * spp);
  let offset = 0;
  const passes = h.interlace === 1 ? ADAM7 : [[0, 0, 1, 1]];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((h.width - x0) / dx);
    const ph = Math.ceil((h.height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * spp * h.bitDepth) / 8);
    const bpp = Math.max(1, (spp * h.bitDepth) >> 3);
    const wholeRows = h.bitDepth === 8 && dx === 1;
    let prev: Uint8Array = new Uint8Array(rowBytes);
    for (let py = 0; py < ph; py++) {
      if (offset + 1 + rowBytes > raw.length)
        throw new PngFormatError('truncated (image data shorter than expected)');
      const filter = raw[offset];
      const cur = raw.subarray(offset + 1, offset + 1 + rowBytes);
      offset += 1 + rowBytes;
      unfilterRow(filter, cur, prev, bpp);
      prev = cur;
      const y = y0 + py * dy;
      if (wholeRows) {
        out.set(cur, y * rowBytes);
        continue;
      }
      for (let px = 0; px < pw; px++) {
        const x = x0 + px * dx;
        const dst = (y * h.width + x) * spp;
        for (let s = 0; s < spp; s++) out[dst + s] = readSample(cur, px * spp + s, h.bitDepth);
      }
    }
  }
  return out;
}

function readSample(row: Uint8Array, index: number, depth: number): number {
  if (depth === 8) return row[index];
  if (depth === 16) return (row[index * 2] << 8) | row[index * 2 + 1];
  const bitPos = index * depth;
  const shift = 8 - depth - (bitPos & 7);
  return (row[bitPos >> 3] >> shift) & ((1 << depth) - 1);
}

function unfilterRow(filter: number, cur: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = cur.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) cur[i] = (cur[i] + cur[i - bpp]) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) cur[i] = (cur[i] + prev[i]) & 255;
      return;
    case 3:
      for (let i = 0; i < n; i++) cur[i] = (cur[i] + (((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1)) & 255;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? cur[i - bpp] : 0;
        const c = i >= bpp ? prev[i - bpp] : 0;
        cur[i] = (cur[i] + paeth(a, prev[i], c)) & 255;
      }
      return;
    default:
      throw new PngFormatError(`corrupt (unknown row filter ${filter})`);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function toRaster(
  samples: Uint8Array | Uint16Array,
  h: Header,
  palette: Uint8Array | null,
  trns: Uint8Array | null,
): RasterImage {
  const { width, height } = h;
  if (h.colourType === 3 && palette)
    return expandPalette(samples as Uint8Array, width, height, palette, trns);
  const channels = SAMPLES_PER_PIXEL[h.colourType] as 1 | 2 | 3 | 4;
  if (h.bitDepth === 16) return { width, height, channels, bitDepth: 16, data: samples };
  if (h.bitDepth < 8) {
    // Low-bit grey: scale to the full 8-bit range so a 1-bit mask reads as 0/255 like any other mask.
    const scale = 255 / ((1 << h.bitDepth) - 1);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(samples[i] * scale);
  }
  return { width, height, channels, bitDepth: 8, data: samples };
}

/** Expands palette indices; an opaque, all-grey palette yields one channel (masks are often stored that way). */
export function expandPalette(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
  trns: Uint8Array | null,
): RasterImage {
  const entries = Math.floor(palette.length / 3);
  for (const idx of indices) {
    if (idx >= entries) throw new PngFormatError(`corrupt (palette index ${idx} beyond ${entries} entries)`);
  }
  const hasAlpha = trns !== null && trns.some((a, i) => i < entries && a !== 255);
  let grey = !hasAlpha;
  for (let e = 0; e < entries && grey; e++) {
    grey = palette[e * 3] === palette[e * 3 + 1] && palette[e * 3] === palette[e * 3 + 2];
  }
  const channels = grey ? 1 : hasAlpha ? 4 : 3;
  const out = new Uint8Array(indices.length * channels);
  for (let i = 0; i < indices.length; i++) {
    const e = indices[i];
    if (channels === 1) {
      out[i] = palette[e * 3];
      continue;
    }
    const o = i * channels;
    out[o] = palette[e * 3];
    out[o + 1] = palette[e * 3 + 1];
    out[o + 2] = palette[e * 3 + 2];
    if (channels === 4) out[o + 3] = trns && e < trns.length ? trns[e] : 255;
  }
  return { width, height, channels, bitDepth: 8, data: out };
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

const COLOUR_TYPE_FOR_CHANNELS: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/**
 * Maps (one channel: probabilities, masks, uncertainty; and palette class maps) compress with zlib's run-length
 * strategy: their filtered rows are long runs of zeros, which it finds at a third of the default's cost. On
 * `segment --av`'s 3504x2336 outputs: the 16-bit probability 475 -> 163 ms of deflate for a file 3% larger, the mask
 * 45 -> 10 ms and the artery/vein map 19 -> 4 ms, both smaller. Photographs keep the default strategy: run-length
 * coding leaves them 3-8% larger (the CC0 sample, a DRIVE image), and the store keeps imported ones.
 */
const MAP_DEFLATE: ZlibOptions = { level: 6, strategy: constants.Z_RLE };
const PHOTO_DEFLATE: ZlibOptions = { level: 6 };

/**
 * One-channel maps take Paeth on every row, what the per-row choice picks for nearly all of a probability map's
 * rows: the same file (5.17 MB) without the choosing, 576 -> 423 ms to encode the 16-bit probability above, and a
 * smaller mask (87 -> 81 kB).
 */
const MAP_FILTER = 4;

/**
 * Encodes 8- or 16-bit grey, grey+alpha, RGB or RGBA. A one-channel image is a map (MAP_FILTER, MAP_DEFLATE); the
 * others' rows use the per-row minimum-sum filter heuristic.
 */
export async function encodePngBuffer(img: RasterImage): Promise<Buffer> {
  const { width, height, channels, bitDepth, data } = img;
  const bytesPerSample = bitDepth === 16 ? 2 : 1;
  const bpp = channels * bytesPerSample;
  const rowBytes = width * bpp;
  const packed = new Uint8Array(rowBytes * height);
  if (bitDepth === 16) {
    // PNG's samples are big-endian: the host's bytes, swapped natively where the host is little-endian.
    packed.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (endianness() === 'LE') Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).swap16();
  } else {
    packed.set(data);
  }
  const map = channels === 1;
  const compressed = await deflateAsync(
    filterRows(packed, rowBytes, height, bpp, map ? MAP_FILTER : undefined),
    map ? MAP_DEFLATE : PHOTO_DEFLATE,
  );
  return assemble(width, height, bitDepth, COLOUR_TYPE_FOR_CHANNELS[channels], compressed);
}

/**
 * Encodes palette indices (each below palette.length / 3) as a palette PNG at the smallest bit depth that holds
 * them: a class map (artery/vein) of an 8-megapixel photograph packs into 2 MB of rows rather than 24 MB of RGB,
 * and every reader decodes it to the palette's colours.
 */
export async function encodeIndexedPngBuffer(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
): Promise<Buffer> {
  const entries = palette.length / 3;
  if (!Number.isInteger(entries) || entries < 1 || entries > 256)
    throw new RangeError(`indexed PNG: a palette of ${palette.length} bytes is not 1..256 RGB entries`);
  if (indices.length !== width * height)
    throw new RangeError(`indexed PNG: ${indices.length} indices for ${width}x${height}`);
  const depth = entries <= 2 ? 1 : entries <= 4 ? 2 : entries <= 16 ? 4 : 8;
  const perByte = 8 / depth;
  const rowBytes = Math.ceil(width / perByte);
  const packed = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const out = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const v = indices[row + x];
      if (v >= entries)
        throw new RangeError(`indexed PNG: index ${v} beyond the palette's ${entries} entries`);
      packed[out + Math.floor(x / perByte)] |= v << (8 - depth * ((x % perByte) + 1));
    }
  }
  const compressed = await deflateAsync(filterRows(packed, rowBytes, height, 1), MAP_DEFLATE);
  return assemble(width, height, depth, 3, compressed, [chunk('PLTE', palette)]);
}

/**
 * Every third byte of a row is enough to pick its filter, and choosing on whole rows was most of the encoder's own
 * work. On `segment`'s 3504x2336 maps, deflate included: the 16-bit probability 1.35 s -> 1.20 s (file 0.01%
 * larger), the mask 0.26 s -> 0.21 s (4% larger). Three, not a power of two, so that 16-bit samples are scored on
 * both their bytes.
 */
const FILTER_CHOICE_STRIDE = 3;

/** The filter (None, Sub, Up or Paeth) of the smallest absolute residual sum over a sample of the row. */
function chooseFilter(cur: Uint8Array, prev: Uint8Array, bpp: number, scratch: Uint8Array): number {
  let best = 0;
  let bestScore = Infinity;
  for (const f of [0, 1, 2, 4]) {
    const score = filterRow(f, cur, prev, bpp, scratch, bestScore, FILTER_CHOICE_STRIDE);
    if (score < bestScore) {
      bestScore = score;
      best = f;
    }
  }
  return best;
}

/** Rows prefixed with their filter: `fixed` on every row, or each row's own choice (chooseFilter). */
function filterRows(
  packed: Uint8Array,
  rowBytes: number,
  height: number,
  bpp: number,
  fixed?: number,
): Buffer {
  const filtered = Buffer.alloc((rowBytes + 1) * height);
  const zero = new Uint8Array(rowBytes);
  const scratch = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const cur = packed.subarray(y * rowBytes, (y + 1) * rowBytes);
    const prev = y > 0 ? packed.subarray((y - 1) * rowBytes, y * rowBytes) : zero;
    const f = fixed ?? chooseFilter(cur, prev, bpp, scratch);
    filterRow(
      f,
      cur,
      prev,
      bpp,
      filtered.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1)),
      Infinity,
      1,
    );
    filtered[y * (rowBytes + 1)] = f;
  }
  return filtered;
}

/**
 * Signature, IHDR (no interlace), any chunks that must precede the data (PLTE), one IDAT and IEND: nothing that
 * varies between runs (no time, no text).
 */
function assemble(
  width: number,
  height: number,
  bitDepth: number,
  colourType: number,
  idat: Buffer,
  before: Buffer[] = [],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colourType;
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    ...before,
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** 8-bit single-channel pixels: the store's masks, FOVs and probability maps. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The store's deterministic 8-bit grey encoding: same pixels, same bytes (so a blob's hash identifies its pixels,
 * and the bytes must never change between releases). Fixed filters rather than the per-row heuristic: None on the
 * first row, Up on every other, which suits masks (long vertical runs) and is quick; synchronous, as the store's
 * callers are.
 */
export function encodeGreyPng(img: GreyImage): Buffer {
  const { width, height, data } = img;
  if (data.length !== width * height) {
    throw new RangeError(`grey PNG: ${data.length} bytes for ${width}x${height}`);
  }
  const filtered = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width + 1);
    const row = y * width;
    if (y === 0) {
      filtered.set(data.subarray(0, width), o + 1);
      continue;
    }
    filtered[o] = 2;
    for (let x = 0; x < width; x++) filtered[o + 1 + x] = (data[row + x] - data[row - width + x]) & 255;
  }
  return assemble(width, height, 8, 0, deflateSync(filtered, { level: 6 }));
}

/**
 * Writes filter `f` of `cur` into `out` at every `stride`-th byte (all of them with stride 1); returns the sum of
 * absolute signed residuals there, or any sum of at least `limit` as soon as it gets there (a filter that cannot
 * beat the best so far need not finish: a blank row of an 8-megapixel map is settled by the first). One loop per
 * filter: hot.
 */
function filterRow(
  f: number,
  cur: Uint8Array,
  prev: Uint8Array,
  bpp: number,
  out: Uint8Array,
  limit: number,
  stride: number,
): number {
  const n = cur.length;
  let sum = 0;
  let v = 0;
  if (f === 0) {
    for (let i = 0; i < n; i += stride) {
      v = cur[i];
      out[i] = v;
      sum += v < 128 ? v : 256 - v;
      if (sum >= limit) return sum;
    }
  } else if (f === 1) {
    for (let i = 0; i < n; i += stride) {
      v = (cur[i] - (i >= bpp ? cur[i - bpp] : 0)) & 255;
      out[i] = v;
      sum += v < 128 ? v : 256 - v;
      if (sum >= limit) return sum;
    }
  } else if (f === 2) {
    for (let i = 0; i < n; i += stride) {
      v = (cur[i] - prev[i]) & 255;
      out[i] = v;
      sum += v < 128 ? v : 256 - v;
      if (sum >= limit) return sum;
    }
  } else {
    for (let i = 0; i < bpp && i < n; i += stride) {
      v = (cur[i] - prev[i]) & 255; // Paeth with a = c = 0 predicts b
      out[i] = v;
      sum += v < 128 ? v : 256 - v;
      if (sum >= limit) return sum;
    }
    for (let i = bpp; i < n; i += stride) {
      const a = cur[i - bpp];
      const b = prev[i];
      const c = prev[i - bpp];
      const pa = b > c ? b - c : c - b;
      const pb = a > c ? a - c : c - a;
      const pc = a + b - 2 * c > 0 ? a + b - 2 * c : 2 * c - a - b;
      const pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      v = (cur[i] - pred) & 255;
      out[i] = v;
      sum += v < 128 ? v : 256 - v;
      if (sum >= limit) return sum;
    }
  }
  return sum;
}
