// What the viewer is sent to open an image: a large lossless photograph as a visually lossless JPEG copy of the
// right size (small ones and JPEG originals as they are), each encoded once however many requests race for it;
// a screen-sized preview; mask pixels decoded once per blob, and packed 8 a byte with the probabilities apart.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DISPLAY_JPEG_MIN_PIXELS, PictureService } from '../../main/handlers/pictures.js';
import { MaskPixels } from '../../main/handlers/maskPixels.js';
import { getMasks, getProbabilities } from '../../main/handlers/masks.js';
import { packBits, unpackBits } from '../../shared/mask-bits.js';
import { thresholdProbabilities } from '../../renderer/src/editing/threshold.js';
import {
  importImageFiles,
  openStore,
  registerModel,
  saveMaskVersion,
  type Store,
} from '../../main/store/index.js';

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

  test('a PNG or WebP with an orientation tag is sent as the turned pixels the masks are made on, with no tag left', async () => {
    const pictures = new PictureService(store);
    for (const format of ['png', 'webp'] as const) {
      const file = join(dir, `turned.${format}`);
      await sharp(files.small)
        .toFormat(format, format === 'webp' ? { lossless: true } : {})
        .withMetadata({ orientation: 6 })
        .toFile(file);
      const id = (await importImageFiles(store, [{ imagePath: file }], { actor: 'tester' })).imported[0]
        .imageId;
      const shown = await pictures.image(id);
      assert.deepEqual([shown.width, shown.height], [584, 565], `${format}: recorded turned`);
      const meta = await sharp(shown.bytes).metadata();
      assert.deepEqual([meta.width, meta.height, meta.orientation ?? 1], [584, 565, 1], format);
      // The stored top-left pixel is shown top-right, as any viewer turns the file.
      const { data } = await sharp(shown.bytes).raw().toBuffer({ resolveWithObject: true });
      const stored = await sharp(files.small).raw().toBuffer();
      assert.deepEqual([...data.subarray((584 - 1) * 3, 584 * 3)], [...stored.subarray(0, 3)], format);
    }
  });

  test('requests racing for an image share one encoding; a later one is answered from the cache', async () => {
    const pictures = new PictureService(store);
    const [a, b] = await Promise.all([pictures.image(ids.large), pictures.image(ids.large)]);
    assert.equal(a, b, 'two encodings for one image');
    assert.equal(await pictures.image(ids.large), a);
  });

  test('a preview is the photograph downscaled to fit, cached; a small one is never enlarged', async () => {
    const pictures = new PictureService(store);
    const preview = await pictures.preview(ids.large, 1280);
    assert.equal(preview.mime, 'image/jpeg');
    assert.deepEqual([preview.width, preview.height], [1280, 800]);
    const want = await sharp(files.large).resize(1280, 800).raw().toBuffer();
    const got = await sharp(preview.bytes).raw().toBuffer();
    let sum = 0;
    for (let i = 0; i < got.length; i++) sum += Math.abs(got[i] - want[i]);
    assert.ok(sum / got.length < 4, `mean error ${(sum / got.length).toFixed(2)} grey levels`);
    assert.equal(await pictures.preview(ids.large, 1280), preview, 'encoded again');
    const small = await pictures.preview(ids.small, 1280);
    assert.deepEqual([small.width, small.height], [565, 584]);
  });

  test('getMasks with bits: masks 8 pixels a byte, the prediction as the viewer thresholds it', async () => {
    const n = 565 * 584;
    const probability = Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) % 256);
    const prediction = await saveMaskVersion(store, {
      imageId: ids.small,
      kind: 'prediction',
      author: 'model',
      modelId: registerModel(
        store,
        { name: 'm', dirPath: '/none', architecture: { kind: 'observer' } },
        'tester',
      ).id,
      mask: { width: 565, height: 584, data: thresholdProbabilities(probability, 0.37) },
      probability,
      threshold: 0.37,
    });
    const draft = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
    await saveMaskVersion(store, {
      imageId: ids.small,
      kind: 'draft',
      author: 'tester',
      mask: { width: 565, height: 584, data: draft },
    });
    const pixels = new MaskPixels(store);
    const m = await getMasks(store, String(ids.small), pixels, false, undefined, true);
    assert.deepEqual(m.draft?.data, packBits(draft));
    assert.equal(m.prediction?.encoding, 'bits');
    assert.equal(m.prediction?.probabilities, true);
    assert.deepEqual(unpackBits(m.prediction!.data, n), thresholdProbabilities(probability, 0.37));
    const full = await getMasks(store, String(ids.small), pixels);
    assert.equal(full.prediction?.encoding, 'prob8', 'the plain answer changed');

    const probs = await getProbabilities(store, {
      imageId: String(ids.small),
      versionId: String(prediction.id),
    });
    assert.deepEqual(probs?.data, probability);
    await assert.rejects(
      getProbabilities(store, { imageId: String(ids.large), versionId: String(prediction.id) }),
      /not a prediction of image/,
    );
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
