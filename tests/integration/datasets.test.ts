import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DatasetError,
  STARE_TEST_IDS,
  STARE_TRAIN_IDS,
  loadSample,
  loadSecondObserver,
  openDataset,
} from '../../main/ml/data/datasets.js';
import { deriveFov } from '../../main/ml/image/fov.js';
import { planDataset } from '../../main/store/import-plan.js';
import { ImageReadError, readBinaryMap, readImage, writePng } from '../../main/ml/io/image-io.js';
import type { BinaryMap } from '../../main/ml/types.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const datasets = process.env.RETINA_DATASETS ?? resolve(repoRoot, '../shared/datasets');
const DRIVE = join(datasets, 'DRIVE');
const STARE = join(datasets, 'STARE');
const skip = existsSync(DRIVE) && existsSync(STARE) ? false : `datasets not found at ${datasets}`;

function dice(a: BinaryMap, b: BinaryMap): number {
  let tp = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.data.length; i++) {
    na += a.data[i];
    nb += b.data[i];
    tp += a.data[i] & b.data[i];
  }
  return (2 * tp) / (na + nb);
}

function fraction(m: BinaryMap): number {
  let s = 0;
  for (const v of m.data) s += v;
  return s / m.data.length;
}

function valueSet(data: ArrayLike<number>): number[] {
  return [...new Set(Array.from(data))].sort((x, y) => x - y);
}

describe('DRIVE', { skip }, () => {
  test('layout is detected and split 21-40 / 01-20 with the second observer on test', () => {
    const ref = openDataset(DRIVE);
    assert.equal(ref.kind, 'drive');
    const nums = (s: { id: string }[]): number[] => s.map((x) => Number(x.id.split('_')[0]));
    assert.deepEqual(
      nums(ref.splits.train),
      Array.from({ length: 20 }, (_, i) => i + 21),
    );
    assert.deepEqual(
      nums(ref.splits.test),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(ref.splits.all.length, 40);
    assert.ok(
      ref.splits.all.every((s) => s.maskPath && s.fovPath && existsSync(s.maskPath) && existsSync(s.fovPath)),
    );
    assert.ok(
      ref.splits.test.every((s) => s.secondObserverPath?.endsWith(`${s.id.split('_')[0]}_manual2.gif`)),
    );
    assert.ok(ref.splits.train.every((s) => s.secondObserverPath === undefined));
  });

  test("a split folder on its own keeps its split: DRIVE's test/ is all test (imported as such, never trained on)", async () => {
    const test = openDataset(join(DRIVE, 'test'));
    assert.deepEqual([test.kind, test.splits.train.length, test.splits.test.length], ['generic', 0, 20]);
    const training = openDataset(join(DRIVE, 'training'));
    assert.deepEqual([training.splits.train.length, training.splits.test.length], [20, 0]);
    const plan = await planDataset(join(DRIVE, 'test'), undefined);
    assert.ok(plan.sources.every((s) => s.dataset?.split === 'test'));
  });

  test('every sample loads at 565x584 with 0/1 masks; the derived FOV matches the official masks', async () => {
    const ref = openDataset(DRIVE);
    const scores: number[] = [];
    for (const s of ref.splits.all) {
      const sample = await loadSample(s);
      assert.deepEqual(
        [sample.image.width, sample.image.height, sample.image.channels, sample.image.bitDepth],
        [565, 584, 3, 8],
      );
      assert.equal(sample.fovDerived, false);
      assert.ok(sample.mask);
      assert.deepEqual(valueSet(sample.mask.data), [0, 1]);
      assert.deepEqual(valueSet(sample.fov.data), [0, 1]);
      const vessels = fraction(sample.mask);
      assert.ok(vessels > 0.05 && vessels < 0.2, `${s.id} vessel fraction ${vessels}`);
      scores.push(dice(deriveFov(sample.image), sample.fov));
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    console.log(
      `DRIVE derived-vs-official FOV Dice: mean ${mean.toFixed(4)}, min ${Math.min(...scores).toFixed(4)}`,
    );
    assert.ok(Math.min(...scores) > 0.97, `min FOV Dice ${Math.min(...scores)}`);
  });

  test('the palette 2nd_manual GIFs binarise to the second observer, close to the first', async () => {
    const ref = openDataset(DRIVE);
    const first = ref.splits.test[0];
    const raw = await readImage(first.secondObserverPath!);
    // Two palette entries only (near-grey ~3 and ~253); binarisation must not depend on palette indices.
    assert.equal(valueSet(Array.from(raw.data).filter((_, i) => i % raw.channels === 0)).length, 2);
    for (const s of ref.splits.test) {
      const second = await loadSecondObserver(s, { width: 565, height: 584 });
      assert.ok(second);
      assert.deepEqual(valueSet(second.data), [0, 1]);
      const d = dice(second, await readBinaryMap(s.maskPath!));
      assert.ok(d > 0.7 && d < 0.95, `${s.id} observer agreement ${d}`);
    }
  });
});

describe('STARE', { skip }, () => {
  test('layout, README split and missing ah labels', () => {
    const ref = openDataset(STARE);
    assert.equal(ref.kind, 'stare');
    assert.deepEqual(
      ref.splits.train.map((s) => s.id),
      STARE_TRAIN_IDS,
    );
    assert.deepEqual(
      ref.splits.test.map((s) => s.id),
      STARE_TEST_IDS,
    );
    assert.equal(ref.splits.all.length, 20);
    const noAh = ref.splits.all.filter((s) => !s.maskPath).map((s) => s.id);
    assert.deepEqual(noAh, ['im0235', 'im0236']);
    assert.ok(ref.splits.all.every((s) => s.secondObserverPath?.endsWith(`${s.id}.vk.ppm`) && !s.fovPath));
  });

  test('P5 labels with XV header comments decode to 700x605 grey 0/255', async () => {
    const file = join(STARE, 'labels-ah', 'im0002.ah.ppm');
    assert.match(
      readFileSync(file).subarray(0, 80).toString('latin1'),
      /^P5\n#[^\n]*\n#/,
      'fixture has comment lines',
    );
    const img = await readImage(file);
    assert.deepEqual([img.width, img.height, img.channels, img.bitDepth], [700, 605, 1, 8]);
    assert.deepEqual(valueSet(img.data), [0, 255]);
  });

  test('every sample loads with a derived FOV of plausible area', async () => {
    const ref = openDataset(STARE);
    const areas: number[] = [];
    for (const s of ref.splits.all) {
      const sample = await loadSample(s);
      assert.deepEqual([sample.image.width, sample.image.height, sample.image.channels], [700, 605, 3]);
      assert.equal(sample.fovDerived, true);
      assert.equal(sample.mask === null, s.maskPath === undefined);
      const area = fraction(sample.fov);
      areas.push(area);
      assert.ok(area > 0.6 && area < 0.9, `${s.id} FOV area fraction ${area}`);
      if (sample.mask) {
        // Nearly all annotated vessel pixels lie inside the derived FOV.
        let inside = 0;
        let total = 0;
        for (let i = 0; i < sample.mask.data.length; i++) {
          total += sample.mask.data[i];
          inside += sample.mask.data[i] & sample.fov.data[i];
        }
        assert.ok(inside / total > 0.97, `${s.id}: ${inside}/${total} vessel pixels inside FOV`);
      }
    }
    console.log(
      `STARE derived FOV area fraction: min ${Math.min(...areas).toFixed(3)}, max ${Math.max(...areas).toFixed(3)}`,
    );
  });

  test('asking for the wrong kind fails clearly', () => {
    assert.throws(
      () => openDataset(STARE, 'drive'),
      /STARE|training\/images or test\/images \(DRIVE layout\)/,
    );
  });
});

describe('generic folders', { skip }, () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'datasets-test-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** images/{01,02,03} from DRIVE test in three formats; masks with suffixes; one FOV; returns the root. */
  async function build(name: string): Promise<string> {
    const root = join(tmp, name);
    for (const d of ['images', 'masks', 'fov']) await mkdir(join(root, d), { recursive: true });
    const t = join(DRIVE, 'test');
    await copyFile(join(t, 'images', '01_test.tif'), join(root, 'images', '01.tif'));
    await writePng(join(root, 'images', '02.png'), await readImage(join(t, 'images', '02_test.tif')));
    await copyFile(join(t, 'images', '03_test.tif'), join(root, 'images', '03.tif'));
    await copyFile(join(t, '1st_manual', '01_manual1.gif'), join(root, 'masks', '01_manual1.gif'));
    await copyFile(join(t, '1st_manual', '02_manual1.gif'), join(root, 'masks', '02.gif'));
    await copyFile(join(t, 'mask', '01_test_mask.gif'), join(root, 'fov', '01_fov.gif'));
    return root;
  }

  test('pairs by stem and suffix; without lists, train = samples with masks and test is empty', async () => {
    const root = await build('plain');
    const ref = openDataset(root);
    assert.equal(ref.kind, 'generic');
    assert.deepEqual(
      ref.splits.all.map((s) => [s.id, s.maskPath?.split('/').pop(), s.fovPath?.split('/').pop()]),
      [
        ['01', '01_manual1.gif', '01_fov.gif'],
        ['02', '02.gif', undefined],
        ['03', undefined, undefined],
      ],
    );
    assert.deepEqual(
      ref.splits.train.map((s) => s.id),
      ['01', '02'],
    );
    assert.deepEqual(ref.splits.test, []);
    // What is left out is said (train and evaluate print it): it was dropped without a word.
    await copyFile(join(DRIVE, 'test', '1st_manual', '04_manual1.gif'), join(root, 'masks', '99.gif'));
    assert.deepEqual(openDataset(root).notes, [
      '1 image(s) without a label, not used for training or scores: 03',
      '1 label file(s) in masks/ with no image to pair with: 99.gif',
    ]);
    const [one, two, three] = await Promise.all(ref.splits.all.map((s) => loadSample(s)));
    assert.equal(one.fovDerived, false);
    assert.equal(two.fovDerived, true);
    assert.ok(dice(two.fov, await readBinaryMap(join(DRIVE, 'test', 'mask', '02_test_mask.gif'))) > 0.97);
    assert.equal(three.mask, null);
  });

  test('train.txt / test.txt define the splits; an unknown stem is an error', async () => {
    const root = await build('lists');
    await writeFile(join(root, 'train.txt'), '# training images\n01\n02.png\n');
    let ref = openDataset(root);
    assert.deepEqual(
      [ref.splits.train.map((s) => s.id), ref.splits.test.map((s) => s.id)],
      [['01', '02'], ['03']],
    );
    await writeFile(join(root, 'test.txt'), '03\n');
    await writeFile(join(root, 'train.txt'), '01\n');
    ref = openDataset(root);
    assert.deepEqual(
      [ref.splits.train.map((s) => s.id), ref.splits.test.map((s) => s.id), ref.splits.all.length],
      [['01'], ['03'], 3],
    );
    await writeFile(join(root, 'test.txt'), '03\n04\n');
    assert.throws(
      () => openDataset(root),
      new DatasetError(join(root, 'test.txt'), 'lists "04", which is not an image stem in images/'),
    );
  });

  test('an image both train.txt and test.txt list is refused: it would be trained on and scored as unseen', async () => {
    const root = await build('overlap');
    await writeFile(join(root, 'train.txt'), '01\n02\n');
    await writeFile(join(root, 'test.txt'), '02.png\n03\n');
    assert.throws(
      () => openDataset(root),
      new DatasetError(
        root,
        'train.txt and test.txt both list "02": a test image must not be trained on; list it in one of them',
      ),
    );
  });

  test("a published split's files (LES-AV's split_test_rmaphoh.txt) define the splits when there is no test.txt", async () => {
    const root = await build('published');
    await writeFile(join(root, 'split_train_paper.txt'), '01\n02\n');
    await writeFile(join(root, 'split_test_paper.txt'), '03\n');
    const ref = openDataset(root);
    assert.deepEqual(
      [ref.splits.train.map((s) => s.id), ref.splits.test.map((s) => s.id)],
      [['01', '02'], ['03']],
    );
  });

  test('two masks for one image is an error, not a guess', async () => {
    const root = await build('ambiguous');
    await copyFile(join(root, 'masks', '01_manual1.gif'), join(root, 'masks', '01_mask.gif'));
    assert.throws(() => openDataset(root), /several files match image "01": 01_manual1\.gif, 01_mask\.gif/);
  });

  test('a mask of the wrong size names the file and both sizes', async () => {
    const root = await build('mismatch');
    const bad = join(root, 'masks', '02.gif');
    await rm(bad);
    await writePng(join(root, 'masks', '02.png'), {
      width: 100,
      height: 80,
      channels: 1,
      bitDepth: 8,
      data: new Uint8Array(8000),
    });
    const ref = openDataset(root);
    await assert.rejects(
      loadSample(ref.splits.all[1]),
      (err: unknown) =>
        err instanceof ImageReadError &&
        err.message === `${join(root, 'masks', '02.png')}: size 100x80 does not match the expected 565x584`,
    );
  });

  test('missing, empty, image-less and unrecognised folders', async () => {
    const missing = join(tmp, 'nope');
    assert.throws(() => openDataset(missing), new DatasetError(missing, 'dataset folder not found'));
    const empty = join(tmp, 'empty');
    await mkdir(empty);
    assert.throws(() => openDataset(empty), /empty: dataset folder is empty/);
    const noImages = join(tmp, 'no-images');
    await mkdir(join(noImages, 'images'), { recursive: true });
    await writeFile(join(noImages, 'images', 'readme.txt'), 'x');
    assert.throws(
      () => openDataset(noImages),
      new DatasetError(join(noImages, 'images'), 'no image files found'),
    );
    const other = join(tmp, 'other');
    await mkdir(join(other, 'stuff'), { recursive: true });
    assert.throws(() => openDataset(other), /other: unrecognised layout \(expected images\//);
  });
});
