import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  ImageReadError,
  decodeImage,
  encodePng,
  extensionOf,
  readBinaryMap,
  readImage,
  sniffFormat,
  toRgb8,
  writePng,
} from '../../main/ml/io/image-io.js';
import type { RasterImage } from '../../main/ml/types.js';
import { rawBmp, rawPng } from './image-fixtures.js';
import { writeDicom } from '../integration/dicom-fixture.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-io-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic pseudo-random samples (LCG) so failures reproduce. */
function samples(n: number, max: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 8) % (max + 1);
  });
}

function raster(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  bitDepth: 8 | 16,
  seed = 7,
): RasterImage {
  const n = width * height * channels;
  const values = samples(n, bitDepth === 16 ? 65535 : 255, seed);
  return {
    width,
    height,
    channels,
    bitDepth,
    data: bitDepth === 16 ? Uint16Array.from(values) : Uint8Array.from(values),
  };
}

/** Asserts that `promise` rejects with a one-line ImageReadError naming `file` and matching `pattern`. */
async function rejectsNaming(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ImageReadError, `expected ImageReadError, got ${String(err)}`);
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'message must be one line');
    return true;
  });
}

describe('PNG writer and reader', () => {
  for (const bitDepth of [8, 16] as const) {
    for (const channels of [1, 2, 3, 4] as const) {
      test(`${bitDepth}-bit ${channels}-channel round-trip is exact`, async () => {
        const img = raster(37, 23, channels, bitDepth, bitDepth * 10 + channels);
        const file = join(dir, `rt-${bitDepth}-${channels}.png`);
        await writePng(file, img);
        const back = await readImage(file);
        assert.deepEqual(
          { w: back.width, h: back.height, c: back.channels, d: back.bitDepth },
          { w: 37, h: 23, c: channels, d: bitDepth },
        );
        assert.equal(back.data.constructor, bitDepth === 16 ? Uint16Array : Uint8Array);
        assert.deepEqual(back.data, img.data);
      });
    }
  }

  test('writePng leaves no temporary file behind and other decoders read the result', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const img = raster(64, 48, 3, 8);
    await writePng(join(sub, 'out.png'), img);
    assert.deepEqual(await readdir(sub), ['out.png']);
    const viaSharp = await sharp(join(sub, 'out.png')).raw().toBuffer();
    assert.deepEqual(new Uint8Array(viaSharp), img.data);
  });

  test('encodePng rejects a raster whose data does not fit its size', async () => {
    const bad: RasterImage = { width: 4, height: 4, channels: 3, bitDepth: 8, data: new Uint8Array(10) };
    await assert.rejects(encodePng(bad), /data has 10 samples, expected 48/);
  });

  test('interlaced (Adam7) PNG decodes to the same pixels as sharp', async () => {
    const img = raster(41, 29, 3, 8, 3);
    const png = await sharp(Buffer.from(img.data), { raw: { width: 41, height: 29, channels: 3 } })
      .png({ progressive: true })
      .toBuffer();
    assert.equal(png[28], 1, 'fixture must be interlaced');
    const back = await decodeImage(png, 'interlaced.png');
    assert.deepEqual(back.data, img.data);
  });

  test('1-bit and 2-bit grey PNG scale to the 8-bit range', async () => {
    const one = await decodeImage(
      rawPng({
        width: 10,
        height: 2,
        bitDepth: 1,
        colourType: 0,
        rows: [
          [0b10110000, 0b01000000],
          [0xff, 0xc0],
        ],
      }),
      'one.png',
    );
    assert.equal(one.channels, 1);
    assert.deepEqual([...one.data], [255, 0, 255, 255, 0, 0, 0, 0, 0, 255, ...Array(10).fill(255)]);
    const two = await decodeImage(
      rawPng({ width: 4, height: 1, bitDepth: 2, colourType: 0, rows: [[0b00011011]] }),
      'two.png',
    );
    assert.deepEqual([...two.data], [0, 85, 170, 255]);
  });

  test('palette PNG: grey palette gives one channel, colour gives RGB, tRNS gives RGBA', async () => {
    const rows = [[0b00011000]]; // indices 0,1,2,0 at 2 bits
    const grey = await decodeImage(
      rawPng({
        width: 4,
        height: 1,
        bitDepth: 2,
        colourType: 3,
        rows,
        palette: [3, 3, 3, 253, 253, 253, 90, 90, 90],
      }),
      'grey-palette.png',
    );
    assert.equal(grey.channels, 1);
    assert.deepEqual([...grey.data], [3, 253, 90, 3]);
    const palette = [3, 3, 3, 253, 253, 253, 255, 0, 0];
    const colour = await decodeImage(
      rawPng({ width: 4, height: 1, bitDepth: 2, colourType: 3, rows, palette }),
      'c.png',
    );
    assert.equal(colour.channels, 3);
    assert.deepEqual([...colour.data], [3, 3, 3, 253, 253, 253, 255, 0, 0, 3, 3, 3]);
    const alpha = await decodeImage(
      rawPng({ width: 4, height: 1, bitDepth: 2, colourType: 3, rows, palette, trns: [0, 255] }),
      'a.png',
    );
    assert.equal(alpha.channels, 4);
    assert.deepEqual([...alpha.data.slice(0, 12)], [3, 3, 3, 0, 253, 253, 253, 255, 255, 0, 0, 255]);
    // A palette-derived mask binarises on its values, not its indices.
    const maskFile = join(dir, 'palette-mask.png');
    await writeFile(
      maskFile,
      rawPng({
        width: 4,
        height: 1,
        bitDepth: 1,
        colourType: 3,
        rows: [[0b01100000]],
        palette: [3, 3, 3, 253, 253, 253],
      }),
    );
    assert.deepEqual([...(await readBinaryMap(maskFile)).data], [0, 1, 1, 0]);
  });

  test('grey+alpha 8-bit keeps two channels; 16-bit keeps full precision', async () => {
    const ga = await decodeImage(
      rawPng({ width: 2, height: 1, bitDepth: 8, colourType: 4, rows: [[10, 255, 200, 0]] }),
      'ga.png',
    );
    assert.deepEqual([ga.channels, [...ga.data]], [2, [10, 255, 200, 0]]);
    const g16 = await decodeImage(
      rawPng({ width: 2, height: 1, bitDepth: 16, colourType: 0, rows: [[0x12, 0x34, 0xff, 0xfe]] }),
      'g16.png',
    );
    assert.equal(g16.bitDepth, 16);
    assert.deepEqual([...g16.data], [0x1234, 0xfffe]);
  });
});

describe('BMP decoder', () => {
  const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90];
  test('24-bit bottom-up with row padding', async () => {
    const img = await decodeImage(rawBmp({ width: 3, height: 2, bitCount: 24, pixels: rgb }), 'a.bmp');
    assert.deepEqual([img.width, img.height, img.channels], [3, 2, 3]);
    assert.deepEqual([...img.data], rgb);
  });
  test('32-bit top-down ignores the padding byte', async () => {
    const px = [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 10, 11, 12, 0];
    const img = await decodeImage(
      rawBmp({ width: 2, height: 2, bitCount: 32, pixels: px, topDown: true }),
      'b.bmp',
    );
    assert.equal(img.channels, 3);
    assert.deepEqual([...img.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
  test('8-bit grey palette and 1-bit bitmaps', async () => {
    const pal: [number, number, number][] = Array.from({ length: 256 }, (_, i) => [i, i, i]);
    const eight = await decodeImage(
      rawBmp({
        width: 5,
        height: 2,
        bitCount: 8,
        pixels: [0, 1, 2, 3, 4, 250, 251, 252, 253, 254],
        palette: pal,
      }),
      'c.bmp',
    );
    assert.deepEqual([eight.channels, [...eight.data]], [1, [0, 1, 2, 3, 4, 250, 251, 252, 253, 254]]);
    const bits = [1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0];
    const file = join(dir, 'mask.bmp');
    await writeFile(
      file,
      rawBmp({
        width: 10,
        height: 2,
        bitCount: 1,
        pixels: bits,
        palette: [
          [0, 0, 0],
          [255, 255, 255],
        ],
      }),
    );
    assert.deepEqual([...(await readBinaryMap(file)).data], bits);
  });
  test('RLE compression is reported as unsupported', async () => {
    const bmp = rawBmp({ width: 2, height: 1, bitCount: 24, pixels: [0, 0, 0, 0, 0, 0] });
    bmp.writeUInt32LE(1, 30);
    await rejectsNaming(decodeImage(bmp, 'rle.bmp'), 'rle.bmp', /BMP unsupported compression 1/);
  });
});

describe('Netpbm decoder', () => {
  test('P2 with comments between every header token and among the pixels', async () => {
    const file = join(dir, 'ascii.pgm');
    await writeFile(
      file,
      'P2\n# made by hand\n3 # width\n2\n# maxval next\n255\n0 128 # row end\n255\n7 8 9\n',
    );
    const img = await readImage(file);
    assert.deepEqual([img.width, img.height, img.channels, img.bitDepth], [3, 2, 1, 8]);
    assert.deepEqual([...img.data], [0, 128, 255, 7, 8, 9]);
  });
  test('P5 with XV-style comment lines, as in STARE labels', async () => {
    const header = Buffer.from(
      'P5\n# CREATOR: XV Version 3.10a  Rev: 12/29/94\n# second comment\n4 2\n255\n',
    );
    const body = Buffer.from([0, 255, 0, 255, 10, 20, 35, 32]); // 35 is '#' and 32 ' ' : data, not comments
    const img = await decodeImage(Buffer.concat([header, body]), 'xv.ppm');
    assert.deepEqual([...img.data], [...body]);
  });
  test('16-bit big-endian P5 and a small maxval rescale to the full range', async () => {
    const wide = await decodeImage(
      Buffer.concat([Buffer.from('P5 2 1 65535\n'), Buffer.from([0x12, 0x34, 0xff, 0xff])]),
      'w.pgm',
    );
    assert.deepEqual([wide.bitDepth, [...wide.data]], [16, [0x1234, 0xffff]]);
    const tenBit = await decodeImage(
      Buffer.concat([Buffer.from('P5 2 1 1023\n'), Buffer.from([0x03, 0xff, 0x02, 0x00])]),
      't.pgm',
    );
    assert.deepEqual([tenBit.bitDepth, [...tenBit.data]], [16, [65535, Math.round((512 * 65535) / 1023)]]);
    const binary = await decodeImage(Buffer.from('P2 3 1 1\n0 1 1\n'), 'b.pgm');
    assert.deepEqual([...binary.data], [0, 255, 255]);
  });
  test('P3 and P6 colour, P1 and P4 bitmaps', async () => {
    const p3 = await decodeImage(Buffer.from('P3\n# c\n2 1\n255\n1 2 3 4 5 6\n'), 'a.ppm');
    assert.deepEqual([p3.channels, [...p3.data]], [3, [1, 2, 3, 4, 5, 6]]);
    const p6 = await decodeImage(
      Buffer.concat([Buffer.from('P6\n2 1\n255\n'), Buffer.from([9, 8, 7, 6, 5, 4])]),
      'b.ppm',
    );
    assert.deepEqual([...p6.data], [9, 8, 7, 6, 5, 4]);
    const p1 = await decodeImage(Buffer.from('P1\n3 2\n101\n0 1 0\n'), 'c.pbm');
    assert.deepEqual([...p1.data], [0, 255, 0, 255, 0, 255]);
    const p4 = await decodeImage(
      Buffer.concat([Buffer.from('P4\n3 1\n'), Buffer.from([0b10100000])]),
      'd.pbm',
    );
    assert.deepEqual([...p4.data], [0, 255, 0]);
  });
  test('truncated P6 names the missing bytes', async () => {
    const file = join(dir, 'short.ppm');
    await writeFile(file, Buffer.concat([Buffer.from('P6\n4 4\n255\n'), Buffer.alloc(20)]));
    await rejectsNaming(readImage(file), file, /PNM truncated \(pixel data has 20 of 48 bytes\)/);
  });
});

describe('sharp-decoded formats', () => {
  test('JPEG grey stays one channel; GIF grey palette collapses to one channel', async () => {
    const grey = Buffer.from(samples(64 * 64, 255, 5));
    const jpeg = await sharp(grey, { raw: { width: 64, height: 64, channels: 1 } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    const j = await decodeImage(jpeg, 'g.jpg');
    assert.deepEqual([j.width, j.height, j.channels, j.bitDepth], [64, 64, 1, 8]);
    const bw = Buffer.from(samples(32 * 16, 1, 9).map((v) => v * 255));
    const gif = await sharp(bw, { raw: { width: 32, height: 16, channels: 1 } })
      .gif()
      .toBuffer();
    const g = await decodeImage(gif, 'g.gif');
    assert.equal(g.channels, 1);
    assert.deepEqual([...g.data], [...bw]);
  });

  test('3504x2336 HRF-size LZW TIFF decodes exactly (timing printed)', async () => {
    const width = 3504;
    const height = 2336;
    // A gradient with pseudo-random noise: compresses like a photograph, not like a flat fill.
    const src = Buffer.alloc(width * height * 3);
    let seed = 12345;
    for (let i = 0; i < src.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const x = Math.floor(i / 3) % width;
      src[i] = (((x * 255) / width + (seed >>> 27)) | 0) & 255;
    }
    const file = join(dir, 'big.tif');
    await sharp(src, { raw: { width, height, channels: 3 } })
      .tiff({ compression: 'lzw' })
      .toFile(file);
    const t0 = performance.now();
    const img = await readImage(file);
    const ms = performance.now() - t0;
    console.log(`readImage 3504x2336 LZW TIFF: ${ms.toFixed(0)} ms`);
    assert.deepEqual([img.width, img.height, img.channels, img.bitDepth], [width, height, 3, 8]);
    assert.ok(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength).equals(src));
    const t1 = performance.now();
    const png = await encodePng(img);
    console.log(
      `encodePng 3504x2336 RGB: ${(performance.now() - t1).toFixed(0)} ms, ${(png.length / 1e6).toFixed(1)} MB`,
    );
  });
});

describe('DICOM photographs', () => {
  test('uncompressed and JPEG-compressed pixels are read like any image; other compressions say why not', async () => {
    const [w, h] = [40, 30];
    // Smooth, as a photograph is (a lossy JPEG of noise would be far from it).
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) rgb.set([80 + 2 * x, 60 + 2 * y, 100 + x + y], (y * w + x) * 3);
    const plain = join(dir, 'plain.dcm');
    writeDicom(plain, { width: w, height: h, rgb });
    const img = await readImage(plain);
    assert.deepEqual([img.width, img.height, img.channels, img.bitDepth], [w, h, 3, 8]);
    assert.deepEqual(Array.from(img.data), Array.from(rgb));

    const jpeg = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    const compressed = join(dir, 'compressed.dcm');
    writeDicom(compressed, { width: w, height: h, rgb }, { jpeg: { bytes: jpeg, fragments: 3 } });
    const decoded = await readImage(compressed);
    assert.deepEqual([decoded.width, decoded.height, decoded.channels], [w, h, 3]);
    let diff = 0;
    for (let i = 0; i < rgb.length; i++) diff += Math.abs(decoded.data[i] - rgb[i]);
    assert.ok(diff / rgb.length < 3, `mean difference ${diff / rgb.length}`);

    const j2k = join(dir, 'j2k.dcm');
    writeDicom(j2k, { width: w, height: h, rgb }, { transferSyntax: '1.2.840.10008.1.2.4.90' });
    await rejectsNaming(
      readImage(j2k),
      j2k,
      /transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90\) is not supported/,
    );
  });
});

describe('EXIF orientation', () => {
  for (const format of ['jpeg', 'png', 'webp'] as const)
    test(`a ${format.toUpperCase()} is read as the camera meant it: orientation 6 turns the stored pixels a quarter clockwise`, async () => {
      // 70x50 stored, a red square in the stored top-left corner, tagged "rotate 90 degrees clockwise to display".
      const [w, h] = [70, 50];
      const data = Buffer.alloc(w * h * 3, 40);
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) data.set([250, 10, 10], (y * w + x) * 3);
      const file = join(dir, `rotated.${format}`);
      await sharp(data, { raw: { width: w, height: h, channels: 3 } })
        .toFormat(format, { quality: 95 })
        .withMetadata({ orientation: 6 })
        .toFile(file);
      const img = await readImage(file);
      assert.deepEqual([img.width, img.height], [h, w], 'shown 50 wide and 70 high');
      const red = (x: number, y: number) =>
        img.data[(y * img.width + x) * 3] > 200 && img.data[(y * img.width + x) * 3 + 1] < 60;
      // The stored top-left corner is shown top-right.
      assert.ok(red(img.width - 5, 5), 'the red square is not in the top-right corner');
      assert.ok(!red(5, 5) && !red(5, img.height - 5) && !red(img.width - 5, img.height - 5));
    });
});

describe('errors', () => {
  test('a truncated TIFF', async () => {
    const full = await sharp({
      create: { width: 300, height: 200, channels: 3, background: { r: 9, g: 99, b: 199 } },
    })
      .tiff({ compression: 'lzw' })
      .toBuffer();
    const file = join(dir, 'cut.tif');
    await writeFile(file, full.subarray(0, full.length >> 1));
    await rejectsNaming(readImage(file), file, /TIFF corrupt or truncated/);
  });
  test("a JPEG cut after its header: libvips's repeated messages are said once", async () => {
    const file = join(dir, 'header-only.jpg');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 0x47)]));
    const err = await readImage(file).then(
      () => assert.fail('a JPEG without image data decoded'),
      (e: Error) => e,
    );
    assert.match(err.message, /JPEG corrupt or truncated \(libvips: /);
    const parts = err.message.split(/(?=\bVips[A-Za-z]+: )/).map((m) => m.trim());
    assert.equal(new Set(parts).size, parts.length, err.message);
  });
  test('a truncated or corrupted PNG', async () => {
    const png = await encodePng(raster(50, 50, 3, 8));
    const cut = join(dir, 'cut.png');
    await writeFile(cut, png.subarray(0, png.length - 40));
    await rejectsNaming(readImage(cut), cut, /PNG truncated/);
    const flipped = Buffer.from(png);
    flipped[60] ^= 0xff;
    await rejectsNaming(decodeImage(flipped, 'crc.png'), 'crc.png', /PNG corrupt \(bad CRC in IDAT chunk\)/);
  });
  test('a text file named .png', async () => {
    const file = join(dir, 'notes.png');
    await writeFile(file, 'this is not an image\n');
    await rejectsNaming(readImage(file), file, /unsupported or unrecognised image format/);
  });
  test('a photograph in a format that is not read is named, with what to do', async () => {
    const avif = join(dir, 'phone.avif');
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#a03020' } })
      .avif()
      .toFile(avif);
    await rejectsNaming(
      readImage(avif),
      avif,
      /AVIF photographs are not read: convert them to JPEG, PNG or TIFF/,
    );
    // The first bytes of an iPhone's HEIC and of a JPEG 2000 file (named .jpg: the content decides).
    const box = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}`)]);
    await rejectsNaming(
      decodeImage(box('heic'), 'IMG_0001.jpg'),
      'IMG_0001.jpg',
      /: HEIC photographs are not read/,
    );
    const jp2 = Buffer.from([0, 0, 0, 12, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 20]);
    await rejectsNaming(decodeImage(jp2, 'scan.jpg'), 'scan.jpg', /: JPEG 2000 photographs are not read/);
  });
  test('a missing file and an empty file', async () => {
    const missing = join(dir, 'nope.tif');
    await rejectsNaming(readImage(missing), missing, /file not found/);
    const empty = join(dir, 'empty.gif');
    await writeFile(empty, '');
    await rejectsNaming(readImage(empty), empty, /empty file/);
  });
  test('readBinaryMap with a size mismatch names the file and both sizes', async () => {
    const file = join(dir, 'small-mask.png');
    await writePng(file, { width: 4, height: 3, channels: 1, bitDepth: 8, data: new Uint8Array(12) });
    await rejectsNaming(
      readBinaryMap(file, { width: 565, height: 584 }),
      file,
      /size 4x3 does not match the expected 565x584/,
    );
  });
});

describe('helpers', () => {
  test('format is sniffed from content, not extension', async () => {
    const file = join(dir, 'really-a-png.tif');
    await writePng(file, raster(3, 3, 1, 8));
    assert.equal(sniffFormat(await readFile(file)), 'png');
    assert.equal((await readImage(file)).channels, 1);
  });
  test('readBinaryMap thresholds the brightest colour channel at > 127 (8-bit) and > 32767 (16-bit)', async () => {
    const f8 = join(dir, 'thr8.png');
    await writePng(f8, {
      width: 4,
      height: 1,
      channels: 3,
      bitDepth: 8,
      data: Uint8Array.from([127, 127, 127, 128, 0, 0, 0, 0, 0, 9, 9, 255]),
    });
    assert.deepEqual([...(await readBinaryMap(f8)).data], [0, 1, 0, 1]);
    const f16 = join(dir, 'thr16.png');
    await writePng(f16, {
      width: 2,
      height: 1,
      channels: 1,
      bitDepth: 16,
      data: Uint16Array.from([32767, 32768]),
    });
    assert.deepEqual([...(await readBinaryMap(f16)).data], [0, 1]);
  });
  test('toRgb8 replicates grey, rounds 16-bit and drops alpha', () => {
    const g16: RasterImage = {
      width: 2,
      height: 1,
      channels: 2,
      bitDepth: 16,
      data: Uint16Array.from([65535, 0, 128, 9]),
    };
    assert.deepEqual([...toRgb8(g16).data], [255, 255, 255, 0, 0, 0]);
    const rgba: RasterImage = {
      width: 1,
      height: 1,
      channels: 4,
      bitDepth: 8,
      data: Uint8Array.from([1, 2, 3, 4]),
    };
    const out = toRgb8(rgba);
    assert.deepEqual([out.channels, out.bitDepth, [...out.data]], [3, 8, [1, 2, 3]]);
  });
});

test('extensionOf names the extension a stored file is exported with, and nothing for an unknown format', () => {
  assert.deepEqual(['png', 'tiff', 'jpeg', 'pnm'].map(extensionOf), ['.png', '.tif', '.jpg', '.ppm']);
  // Formats come from the database as strings: an inherited property name is not a format.
  assert.equal(extensionOf('toString'), undefined);
  assert.equal(extensionOf('heic'), undefined);
});

describe('masks read as 0/1', () => {
  /** A 4x1 mask file in `format`, its pixels given as [r, g, b, a] (alpha dropped when `alpha` is false). */
  async function maskFile(name: string, pixels: number[][], alpha = false): Promise<string> {
    const channels = alpha ? 4 : 3;
    const data = Buffer.from(pixels.flatMap((p) => p.slice(0, channels)));
    const file = join(dir, name);
    await sharp(data, { raw: { width: pixels.length, height: 1, channels } })
      .png()
      .toFile(file);
    return file;
  }

  test('vessels drawn in any colour count, not only those with red in them', async () => {
    const file = await maskFile('blue.png', [
      [0, 0, 0],
      [0, 0, 255],
      [0, 200, 0],
      [255, 255, 255],
    ]);
    assert.deepEqual([...(await readBinaryMap(file)).data], [0, 1, 1, 1]);
  });

  test('a mask of 0 and 1 (as Python pipelines write it) is read as such, not as empty', async () => {
    const file = await maskFile('zero-one.png', [
      [0, 0, 0],
      [1, 1, 1],
      [1, 1, 1],
      [0, 0, 0],
    ]);
    assert.deepEqual([...(await readBinaryMap(file)).data], [0, 1, 1, 0]);
    // Faint grey in an ordinary 0-255 mask is still below half range.
    const faint = await maskFile('faint.png', [
      [0, 0, 0],
      [1, 1, 1],
      [40, 40, 40],
      [255, 255, 255],
    ]);
    assert.deepEqual([...(await readBinaryMap(faint)).data], [0, 0, 0, 1]);
  });

  test('alpha is not a colour: an opaque black pixel is background', async () => {
    const file = await maskFile(
      'alpha.png',
      [
        [0, 0, 0, 255],
        [255, 255, 255, 255],
        [0, 0, 0, 0],
        [0, 0, 255, 255],
      ],
      true,
    );
    assert.deepEqual([...(await readBinaryMap(file)).data], [0, 1, 0, 1]);
  });
});
