import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { encodeGreyPng } from '../../main/ml/io/png-codec.js';
import { decodeGreyBlob } from '../../main/store/image-data.js';
import { areaAndBbox, decodeCocoRle, encodeCocoRle } from '../../main/store/rle.js';
import { homedir } from 'node:os';
import { defaultDatabasePath } from '../../main/store/default-path.js';
import { encodeMaskPng } from '../../main/store/masks.js';

function randomMask(
  width: number,
  height: number,
  seed: number,
): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 28 > 9 ? 1 : 0;
  }
  return { width, height, data };
}

describe('grey PNG codec', () => {
  test('round-trips arbitrary grey pixels and an independent decoder agrees', async () => {
    const width = 37;
    const height = 23;
    const data = new Uint8Array(width * height).map((_, i) => (i * 7919) % 256);
    const png = encodeGreyPng({ width, height, data });
    assert.deepEqual(decodeGreyBlob(png, 'test.png').data, data);
    const { data: viaSharp, info } = await sharp(png)
      .toColourspace('b-w') // libvips widens grey to sRGB unless told
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 1);
    assert.deepEqual(new Uint8Array(viaSharp), data);
  });

  test('same pixels give the same bytes; different pixels different bytes', () => {
    const a = randomMask(64, 48, 1);
    const b = randomMask(64, 48, 1);
    assert.ok(encodeMaskPng(a).equals(encodeMaskPng(b)));
    b.data[100] ^= 1;
    assert.ok(!encodeMaskPng(a).equals(encodeMaskPng(b)));
  });

  test('0/1 and 0/255 masks encode identically', () => {
    const m = randomMask(20, 10, 5);
    const m255 = { ...m, data: m.data.map((v) => v * 255) };
    assert.ok(encodeMaskPng(m).equals(encodeMaskPng(m255)));
  });

  test('rejects a non-PNG', () => {
    assert.throws(() => decodeGreyBlob(Buffer.from('not a png at all'), 'blob'), /not a PNG/);
  });
});

describe('COCO RLE', () => {
  test('column-major counts starting with zeros, as COCO defines', () => {
    // 3 wide, 2 high: rows [0 1 1] / [1 1 0]; column-major order: 0,1 | 1,1 | 1,0
    const mask = { width: 3, height: 2, data: Uint8Array.from([0, 1, 1, 1, 1, 0]) };
    const rle = encodeCocoRle(mask);
    assert.deepEqual(rle, { size: [2, 3], counts: [1, 4, 1] });
    const first = encodeCocoRle({ width: 2, height: 1, data: Uint8Array.from([1, 0]) });
    assert.deepEqual(first.counts, [0, 1, 1]);
  });

  test('decode inverts encode', () => {
    const m = randomMask(31, 17, 9);
    assert.deepEqual(decodeCocoRle(encodeCocoRle(m)).data, m.data);
  });

  test('area and bounding box', () => {
    const data = new Uint8Array(5 * 4);
    data[1 * 5 + 2] = 1;
    data[3 * 5 + 4] = 1;
    assert.deepEqual(areaAndBbox({ width: 5, height: 4, data }), { area: 2, bbox: [2, 1, 3, 3] });
  });
});

describe('default database path', () => {
  test('per platform, RETINA_DB first', () => {
    assert.equal(defaultDatabasePath({ RETINA_DB: '/x/y.db', HOME: '/h' }, 'linux'), '/x/y.db');
    assert.equal(defaultDatabasePath({ HOME: '/h' }, 'linux'), '/h/.local/share/RetinaStudio/retina.db');
    assert.equal(
      defaultDatabasePath({ HOME: '/h', XDG_DATA_HOME: '/d' }, 'linux'),
      '/d/RetinaStudio/retina.db',
    );
    assert.equal(
      defaultDatabasePath({ HOME: '/h' }, 'darwin'),
      '/h/Library/Application Support/RetinaStudio/retina.db',
    );
    assert.match(
      defaultDatabasePath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32'),
      /^C:\\Users\\u\\AppData\\Roaming.RetinaStudio.retina\.db$/,
    );
  });

  test('an empty HOME or a relative XDG_DATA_HOME is passed over, never read against the current folder', () => {
    assert.equal(
      defaultDatabasePath({ HOME: '/h', XDG_DATA_HOME: 'rel' }, 'linux'),
      '/h/.local/share/RetinaStudio/retina.db',
    );
    const noHome = defaultDatabasePath({ HOME: '' }, 'linux');
    assert.ok(
      noHome.startsWith(homedir()) && noHome.endsWith('/.local/share/RetinaStudio/retina.db'),
      noHome,
    );
  });
});
