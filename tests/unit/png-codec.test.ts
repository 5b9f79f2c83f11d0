// The one PNG codec (main/ml/io/png-codec.ts), as the engine and the store use it: exact round trips, the store's
// deterministic grey encoding, and damaged files refused by their chunk CRCs with a message naming the chunk.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  PngFormatError,
  decodePng,
  encodeGreyPng,
  encodeIndexedPngBuffer,
  encodePngBuffer,
  type GreyImage,
} from '../../main/ml/io/png-codec.js';
import type { RasterImage } from '../../main/ml/types.js';
import { decodeGreyBlob } from '../../main/store/image-data.js';
import { StoreError } from '../../main/store/errors.js';

function noise(n: number, max: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s % (max + 1);
  });
}

function raster(width: number, height: number, channels: 1 | 3, bitDepth: 8 | 16): RasterImage {
  const values = noise(width * height * channels, bitDepth === 16 ? 65535 : 255, width + channels + bitDepth);
  const data = bitDepth === 16 ? Uint16Array.from(values) : Uint8Array.from(values);
  return { width, height, channels, bitDepth, data };
}

function grey(width: number, height: number): GreyImage {
  return { width, height, data: new Uint8Array(width * height).map((_, i) => (i * 7919) % 256) };
}

/** The file's chunks in order: type, where the data starts, and its length. */
function chunks(png: Buffer): { type: string; start: number; length: number }[] {
  const out = [];
  for (let pos = 8; pos < png.length;) {
    const length = png.readUInt32BE(pos);
    out.push({ type: png.toString('latin1', pos + 4, pos + 8), start: pos + 8, length });
    pos += 12 + length;
  }
  return out;
}

/** A copy of `png` with one byte inside chunk `type`'s data flipped (the stored CRC left as it was). */
function flipInChunk(png: Buffer, type: string): Buffer {
  const c = chunks(png).find((k) => k.type === type);
  assert.ok(c, `no ${type} chunk`);
  const bad = Buffer.from(png);
  bad[c.start + (c.length >> 1)] ^= 0x01;
  return bad;
}

describe('PNG codec round trips', () => {
  for (const [channels, bitDepth] of [
    [1, 8],
    [1, 16],
    [3, 8],
    [3, 16],
  ] as const) {
    test(`${bitDepth}-bit ${channels === 1 ? 'grey' : 'RGB'} is exact`, async () => {
      const img = raster(53, 31, channels, bitDepth);
      const back = decodePng(await encodePngBuffer(img));
      assert.deepEqual([back.width, back.height, back.channels, back.bitDepth], [53, 31, channels, bitDepth]);
      assert.deepEqual(back.data, img.data);
    });
  }

  test('one-channel maps (Paeth on every row, run-length deflate) decode bit for bit in libvips too', async () => {
    for (const bitDepth of [8, 16] as const) {
      const img = raster(53, 31, 1, bitDepth);
      // A map's shape: a smooth ramp with a blank band, noise only in places.
      for (let i = 0; i < img.data.length; i++) if (i % 53 < 20) img.data[i] = (i % 53) * 3;
      const png = await encodePngBuffer(img);
      const idat = chunks(png).filter((c) => c.type === 'IDAT');
      const rows = inflateSync(Buffer.concat(idat.map((c) => png.subarray(c.start, c.start + c.length))));
      const rowBytes = 1 + 53 * (bitDepth / 8);
      for (let y = 0; y < 31; y++) assert.equal(rows[y * rowBytes], 4, `row ${y}'s filter`);
      // Kept grey at its depth (libvips would otherwise widen it to 8-bit RGB).
      const { data, info } = await sharp(png)
        .toColourspace(bitDepth === 16 ? 'grey16' : 'b-w')
        .raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true });
      assert.equal(info.channels, 1);
      const values = bitDepth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
      assert.deepEqual([...values], [...img.data]);
    }
  });

  test('palette indices decode to their colours at 1, 2, 4 and 8 bits, and bad indices are refused', async () => {
    for (const entries of [2, 3, 9, 200]) {
      const [w, h] = [37, 11]; // rows that end mid-byte at every depth below 8
      const indices = Uint8Array.from(noise(w * h, entries - 1, entries));
      const palette = Uint8Array.from(noise(entries * 3, 255, 7 + entries));
      palette[0] = 1; // not grey, so the decoder keeps three channels
      const back = decodePng(await encodeIndexedPngBuffer(indices, w, h, palette));
      assert.deepEqual([back.width, back.height, back.channels], [w, h, 3]);
      const want = new Uint8Array(w * h * 3);
      indices.forEach((v, i) => want.set(palette.subarray(v * 3, v * 3 + 3), i * 3));
      assert.deepEqual(back.data, want, `${entries} entries`);
    }
    const rgb = Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 0, 255]);
    await assert.rejects(encodeIndexedPngBuffer(Uint8Array.from([0, 3]), 2, 1, rgb), /index 3 beyond/);
    await assert.rejects(encodeIndexedPngBuffer(new Uint8Array(3), 2, 1, rgb), /3 indices for 2x1/);
  });

  test("the store's grey encoding decodes exactly, also through the store's blob reader", () => {
    const img = grey(613, 29);
    const png = encodeGreyPng(img);
    const back = decodePng(png);
    assert.deepEqual([back.channels, back.bitDepth], [1, 8]);
    assert.deepEqual(back.data, img.data);
    assert.deepEqual(decodeGreyBlob(png, 'test blob'), img);
  });

  test("the store's grey encoding is pinned: blob hashes of existing masks stay valid", () => {
    // IHDR 37x23 8-bit grey, one IDAT, IEND; row 0 unfiltered, every other row Up. The hash is of the inflated
    // (filtered) rows, so it pins our layout whatever zlib's deflate output looks like.
    const png = encodeGreyPng(grey(37, 23));
    const list = chunks(png);
    assert.deepEqual(
      list.map((c) => c.type),
      ['IHDR', 'IDAT', 'IEND'],
    );
    assert.equal(png.toString('hex', list[0].start, list[0].start + 13), '00000025000000170800000000');
    const rows = inflateSync(png.subarray(list[1].start, list[1].start + list[1].length));
    assert.equal(
      createHash('sha256').update(rows).digest('hex'),
      '12762d07eb9b0c62c150bacf66710e076b978d2b0ee24319d70e96eba4309074',
    );
    assert.throws(() => encodeGreyPng({ width: 4, height: 4, data: new Uint8Array(15) }), /15 bytes for 4x4/);
  });
});

describe('PNG chunk CRCs', () => {
  test('one flipped byte in IDAT is refused, naming the chunk', async () => {
    const png = await encodePngBuffer(raster(40, 20, 3, 8));
    assert.throws(
      () => decodePng(flipInChunk(png, 'IDAT')),
      (err: unknown) =>
        err instanceof PngFormatError && /corrupt \(bad CRC in IDAT chunk\)/.test(err.message),
    );
  });

  test('a flipped byte in IHDR is refused too', async () => {
    const png = await encodePngBuffer(raster(40, 20, 1, 16));
    assert.throws(() => decodePng(flipInChunk(png, 'IHDR')), /bad CRC in IHDR chunk/);
  });

  test('the store names the blob and the chunk', () => {
    const bad = flipInChunk(encodeGreyPng(grey(64, 48)), 'IDAT');
    assert.throws(
      () => decodeGreyBlob(bad, 'mask version 7'),
      (err: unknown) =>
        err instanceof StoreError && err.message === 'mask version 7: PNG corrupt (bad CRC in IDAT chunk)',
    );
  });

  test('the store refuses a PNG that is not 8-bit grey, and a non-PNG', async () => {
    const rgb = await encodePngBuffer(raster(8, 8, 3, 8));
    assert.throws(() => decodeGreyBlob(rgb, 'FOV of image 2'), /FOV of image 2: not an 8-bit grey PNG/);
    assert.throws(() => decodeGreyBlob(Buffer.from('not a png at all'), 'x'), /x: PNG not a PNG/);
  });
});
