// What the viewer is sent to open an image: a large lossless photograph as a visually lossless JPEG copy of the
// right size (small ones and JPEG originals as they are), each encoded once however many requests race for it,
// and mask pixels decoded once per blob.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DISPLAY_JPEG_MIN_PIXELS, PictureService } from '../../main/handlers/pictures.js';
import { MaskPixels } from '../../main/handlers/maskPixels.js';
import { importImageFiles, openStore, saveMaskVersion, type Store } from '../../main/store/index.js';

/** An RGB picture with detail everywhere (a smooth gradient would hide a poor encoding). */
async function picture(file: string, width: number, height: number): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 7 + y) & 255;
      data[i + 1] = 128 + Math.round(100 * Math.sin(x / 9) * Math.cos(y / 13));
      data[i + 2] = (x ^ y) & 255;
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

describe('display images and mask pixels for the viewer', () => {
  let dir: string;
  let store: Store;
  const ids: Record<'large' | 'small', number> = { large: 0, small: 0 };
  const files: Record<'large' | 'small', string> = { large: '', small: '' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'retina-display-'));
    store = openStore(join(dir, 'study.db'));
    files.large = join(dir, 'large.png');
    files.small = join(dir, 'small.png');
    await picture(files.large, 2560, 1600);
    await picture(files.small, 565, 584);
    for (const k of ['large', 'small'] as const) {
      const r = await importImageFiles(store, [{ imagePath: files[k] }], { actor: 'tester' });
      ids[k] = r.imported[0].imageId;
    }
  });

  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a large PNG is shown from a JPEG copy close to it; a small one is sent as it is', async () => {
    assert.ok(2560 * 1600 >= DISPLAY_JPEG_MIN_PIXELS);
    const pictures = new PictureService(store);
    const large = await pictures.image(ids.large);
    assert.equal(large.mime, 'image/jpeg');
    assert.deepEqual([large.width, large.height], [2560, 1600]);
    const original = await sharp(files.large).raw().toBuffer();
    const { data, info } = await sharp(large.bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [2560, 1600, 3]);
    let sum = 0;
    for (let i = 0; i < data.length; i++) {
      sum += Math.abs(data[i] - original[i]);
    }
    assert.ok(sum / data.length < 2, `mean error ${(sum / data.length).toFixed(2)} grey levels`);
    assert.ok(large.bytes.length < (await readFile(files.large)).length / 2, 'the copy is not smaller');

    const small = await pictures.image(ids.small);
    assert.equal(small.mime, 'image/png');
    assert.ok(Buffer.from(small.bytes).equals(await readFile(files.small)), 'the small PNG was re-encoded');
  });

  test('requests racing for an image share one encoding; a later one is answered from the cache', async () => {
    const pictures = new PictureService(store);
    const [a, b] = await Promise.all([pictures.image(ids.large), pictures.image(ids.large)]);
    assert.equal(a, b, 'two encodings for one image');
    assert.equal(await pictures.image(ids.large), a);
  });

  test('mask pixels are decoded once per blob, as 0/1', async () => {
    const mask = new Uint8Array(565 * 584);
    for (let i = 0; i < mask.length; i += 7) mask[i] = 255;
    const v = await saveMaskVersion(store, {
      imageId: ids.small,
      kind: 'draft',
      author: 'tester',
      mask: { width: 565, height: 584, data: mask },
    });
    const pixels = new MaskPixels(store);
    const [a, b] = await Promise.all([pixels.mask(v), pixels.mask(v)]);
    assert.equal(a, b);
    assert.equal(await pixels.mask(v), a);
    assert.deepEqual(
      a,
      mask.map((x) => (x ? 1 : 0)),
    );
    assert.equal(await pixels.prob8(v), null, 'a draft has no probabilities');
  });
});
