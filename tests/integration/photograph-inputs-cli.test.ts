// Photographs as clinics have them, through the real CLI and a real import: the engine sees what a viewer shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { retinaCli } from '../support/retina-cli.js';
import { SAMPLE_PHOTO } from '../support/sample-photos.js';
import { readImage } from '../../main/ml/io/image-io.js';
import { importImageFiles, loadFov, loadImageRaster, openStore } from '../../main/store/index.js';

const SIDE = 360;
const RADIUS = 150;
const outside = (i: number) => Math.hypot((i % SIDE) - SIDE / 2, Math.floor(i / SIDE) - SIDE / 2) > RADIUS;

/** The sample with everything beyond RADIUS transparent, its hidden pixels white (as an editor exports it). */
async function transparentSurround(file: string): Promise<void> {
  const { data } = await sharp(SAMPLE_PHOTO)
    .resize(SIDE, SIDE)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 0; i < SIDE * SIDE; i++)
    if (outside(i)) data.fill(255, i * 4, i * 4 + 3).fill(0, i * 4 + 3, i * 4 + 4);
  await sharp(data, { raw: { width: SIDE, height: SIDE, channels: 4 } })
    .png()
    .toFile(file);
}

/** The sample as a camera's two-page TIFF: colour, then red-free. */
async function twoPageTiff(file: string): Promise<void> {
  const colour = await sharp(SAMPLE_PHOTO).resize(SIDE, SIDE).png().toBuffer();
  const redFree = await sharp(colour).extractChannel(1).toColourspace('srgb').png().toBuffer();
  await sharp([colour, redFree], { join: { animated: true } })
    .tiff()
    .toFile(file);
}

/** A failed capture: a black JPEG. */
async function blackFrame(file: string): Promise<void> {
  await sharp({ create: { width: 320, height: 240, channels: 3, background: '#000' } })
    .jpeg()
    .toFile(file);
}

test('a PNG with a transparent surround: no vessels where the viewer shows nothing, the field found, imported alike', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'retina-alpha-'));
  try {
    const photo = join(dir, 'cut-out.png');
    await transparentSurround(photo);
    const r = retinaCli('segment', photo, '--out', join(dir, 'out'));
    assert.equal(r.code, 0, r.stderr);
    // The hidden white surround was read as the picture: no field edge, and vessels drawn over it.
    assert.doesNotMatch(r.stderr, /no field-of-view edge found/);
    const mask = await readImage(join(dir, 'out', 'cut-out_mask.png'));
    assert.deepEqual([mask.width, mask.height], [SIDE, SIDE]);
    let hidden = 0;
    let shown = 0;
    for (let i = 0; i < SIDE * SIDE; i++) {
      if (!mask.data[i]) continue;
      if (outside(i)) hidden++;
      else shown++;
    }
    assert.ok(shown > 2000, `${shown} vessel pixels in the visible field`);
    assert.ok(hidden < 50, `${hidden} vessel pixels where the photograph is transparent`);

    // The app (an import, then a prediction): the field of view excludes the transparent surround, and the
    // engine's pixels are those the stage shows.
    const store = openStore(join(dir, 'study.db'));
    try {
      const id = (await importImageFiles(store, [{ imagePath: photo }], { actor: 't' })).imported[0].imageId;
      const fov = await loadFov(store, id);
      let fovHidden = 0;
      for (let i = 0; i < SIDE * SIDE; i++) if (fov.data[i] && outside(i)) fovHidden++;
      assert.ok(fovHidden < SIDE, `${fovHidden} field-of-view pixels where the photograph is transparent`);
      const raster = await loadImageRaster(store, id);
      assert.equal(raster.channels, 3);
      assert.deepEqual([...raster.data.subarray(0, 3)], [0, 0, 0]);
    } finally {
      store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a black frame (a failed capture) beside a photograph: its mask is said to be no vessel tree; the photograph is not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'retina-black-'));
  try {
    const black = join(dir, 'black.jpg');
    const photo = join(dir, 'photo.jpg');
    await blackFrame(black);
    await sharp(SAMPLE_PHOTO).resize(SIDE, SIDE).jpeg().toFile(photo);
    const r = retinaCli('segment', black, photo, '--out', join(dir, 'out'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const results = (JSON.parse(r.stdout) as { results: { input: string; warnings?: string[] }[] }).results;
    const warningsOf = (file: string) => results.find((x) => x.input === file)?.warnings ?? [];
    // Before, only 'no field-of-view edge found', over a mask with vessels across 91% of the frame.
    assert.ok(
      warningsOf(black).some((w) => /ungradable photograph: too dark.*the mask is not a vessel tree/.test(w)),
      warningsOf(black).join('; '),
    );
    assert.match(r.stderr, /black\.jpg: warning: ungradable photograph/);
    assert.deepEqual(warningsOf(photo), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a multi-page TIFF (colour and red-free in one file): its first page segmented, the others said to be left out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'retina-pages-'));
  try {
    const file = join(dir, 'visit.tif');
    await twoPageTiff(file);
    const r = retinaCli('segment', file, '--out', join(dir, 'out'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const [result] = (JSON.parse(r.stdout) as { results: { width: number; warnings?: string[] }[] }).results;
    assert.equal(result.width, SIDE);
    // Before, the second page was passed over without a word.
    assert.ok(
      result.warnings?.some((w) => /holds 2 pages: only the first was segmented/.test(w)),
      String(result.warnings),
    );
    assert.match(r.stderr, /visit\.tif: warning: the file holds 2 pages/);
    // Their help says so (before, neither did).
    for (const command of ['segment', 'measure'])
      assert.match(
        retinaCli(command, '--help').stdout.replace(/\s+/g, ' '),
        /multi-page TIFF or animated GIF/,
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

interface ImportJson {
  imported: { imageId: number; source: string }[];
  skipped: { source: string; reason: string }[];
  warnings: { source: string; kind: string; message: string }[];
}

test('retina db import: a two-page TIFF and a black frame are imported and each said to be so; the photograph is not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'retina-import-odd-'));
  try {
    const visit = join(dir, 'visit.tif');
    const black = join(dir, 'black.jpg');
    const photo = join(dir, 'photo.jpg');
    await twoPageTiff(visit);
    await blackFrame(black);
    await sharp(SAMPLE_PHOTO).resize(SIDE, SIDE).jpeg().toFile(photo);
    // A camera's dark frame: black with sensor noise, a handful of values.
    const noisy = join(dir, 'noisy.jpg');
    const dark = Buffer.alloc(320 * 240 * 3);
    for (let i = 0; i < dark.length; i++) dark[i] = (i * 7919) % 7;
    await sharp(dark, { raw: { width: 320, height: 240, channels: 3 } })
      .jpeg()
      .toFile(noisy);
    const db = join(dir, 'study.db');
    const r = retinaCli('db', 'import', '--db', db, '--json', visit, black, noisy, photo);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ImportJson;
    // Before, the black frame was skipped as 'looks like a label' and the TIFF's second page passed over.
    assert.deepEqual(report.imported.map((i) => i.source).sort(), [black, noisy, photo, visit]);
    assert.deepEqual(report.skipped, []);
    const said = (file: string) => report.warnings.filter((w) => w.source === file).map((w) => w.message);
    assert.match(said(visit).join('; '), /holds 2 pages: only the first was imported/);
    assert.match(said(black).join('; '), /ungradable photograph: too dark/);
    assert.match(said(noisy).join('; '), /ungradable photograph: too dark/);
    assert.deepEqual(said(photo), []);
    // The summary a person reads says the same.
    const text = retinaCli('db', 'import', '--db', join(dir, 'again.db'), visit, black, photo);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /warning: .*visit\.tif \(image \d+\): the file holds 2 pages/);
    assert.match(text.stdout, /warning: .*black\.jpg \(image \d+\): ungradable photograph: too dark/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
