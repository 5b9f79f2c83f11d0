// The photographs `retina segment` and `retina measure` are given: a folder stands for the image files directly
// inside it, in natural order; two inputs whose outputs would land on the same file are refused before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inputFiles, OUTPUT_SUFFIXES, outputStems } from '../../main/cli/input-files.js';
import { UsageError } from '../../main/cli/errors.js';
import { planFolder } from '../../main/store/import-plan.js';

test('a folder gives its image files in natural order, skipping other files and subfolders', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-inputs-'));
  try {
    for (const name of ['10.png', '2.jpg', 'notes.txt', '1.TIF', 'scan.dcm', 'series.dicom'])
      await writeFile(path.join(dir, name), '');
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', '0.png'), '');
    const files = await inputFiles([dir, 'missing.png']);
    assert.deepEqual(
      files.map((f) => path.relative(dir, f)),
      ['1.TIF', '2.jpg', '10.png', 'scan.dcm', 'series.dicom', path.relative(dir, 'missing.png')],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a photograph linked into the folder counts like a copy; a broken link does not; a folder import follows a linked folder', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-inputs-'));
  try {
    await mkdir(path.join(dir, 'originals'));
    await mkdir(path.join(dir, 'work'));
    await writeFile(path.join(dir, 'originals', 'eye.png'), '');
    await writeFile(path.join(dir, 'work', 'a.png'), '');
    await symlink(path.join(dir, 'originals', 'eye.png'), path.join(dir, 'work', 'b.png'));
    await symlink(path.join(dir, 'nowhere.png'), path.join(dir, 'work', 'c.png'));
    await symlink(path.join(dir, 'originals'), path.join(dir, 'work', 'linked'));
    const files = await inputFiles([path.join(dir, 'work')]);
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ['a.png', 'b.png'],
    );
    // A folder import (recursive) follows the linked folder too, each real folder once, and names the broken link.
    const plan = await planFolder(path.join(dir, 'work'));
    assert.deepEqual(
      plan.sources.map((s) => path.basename(s.imagePath)),
      ['a.png', 'b.png', 'eye.png'],
    );
    assert.ok(
      plan.skipped.some((s) => path.basename(s.source) === 'c.png' && /no longer there/.test(s.reason)),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder without images is a usage error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-inputs-'));
  try {
    await writeFile(path.join(dir, 'readme.txt'), '');
    await assert.rejects(inputFiles([dir]), UsageError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('output stems are the names without extension', () => {
  assert.deepEqual(outputStems(['a/01_test.tif', 'b/photo.v2.jpg']), ['01_test', 'photo.v2']);
});

test('a stem too long for its outputs is shortened by bytes, whole characters kept, told apart by a hash', () => {
  const long = '眼底写真'.repeat(20); // 240 bytes: with .tif a legal name, with _uncertainty.png not
  // 300 bytes, each a letter and a combining accent that Unicode has no single character for (a decomposed é is
  // composed first, as every stem is).
  const accented = 'q\u0301'.repeat(100);
  const stems = outputStems([`a/${long}.tif`, `b/${long}x.tif`, `${accented}.png`, 'short.jpg']);
  for (const stem of stems.slice(0, 3))
    for (const suffix of OUTPUT_SUFFIXES)
      assert.ok(Buffer.byteLength(stem + suffix) <= 255, `${stem}${suffix}`);
  assert.match(stems[0], /^(眼底写真)+眼?底?写?~[0-9a-f]{8}$/);
  assert.notEqual(stems[0], stems[1], 'names sharing their start stay apart');
  assert.match(stems[2], /^(q\u0301)+~[0-9a-f]{8}$/u, 'no accent cut from its letter');
  assert.equal(stems[3], 'short');
});

test('two inputs that would write the same outputs are refused, whatever the case', () => {
  for (const files of [
    ['a.jpg', 'a.png'],
    ['left/eye.png', 'right/eye.png'],
    ['Eye.jpg', 'eye.jpg'],
  ])
    assert.throws(
      () => outputStems(files),
      (e: unknown) => e instanceof UsageError && /share the stem/.test(String(e)),
    );
  // Both inputs are named, so the user knows which two.
  assert.throws(
    () => outputStems(['left/eye.png', 'x.png', 'right/eye.png']),
    /share the stem 'eye' \(left\/eye\.png and right\/eye\.png\).*separate --out folders/,
  );
});
