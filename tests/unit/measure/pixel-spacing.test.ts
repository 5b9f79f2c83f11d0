// A DICOM pixel spacing whose rows and columns differ: the measures take the mean pixel size, and say how far that
// may be off, in the engine's notes (the app and `retina measure` alike), rather than leave it unsaid. And a field of
// view the header gives in a unit that cannot be degrees is not used as the field angle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pixelSizeFromSpacing } from '../../../shared/measure/pixel-spacing.js';
import { dicomHeader } from '../../../main/ml/io/dicom-pixels.js';
import { imageScale } from '../../../main/ml/measure/photograph-measures.js';
import { writeDicom } from '../../integration/dicom-fixture.js';

test('square pixels (within 1%): their size, no note', () => {
  assert.deepEqual(pixelSizeFromSpacing([0.01, 0.01]), { pixelSizeUm: 10, note: null });
  assert.equal(pixelSizeFromSpacing([0.01, 0.01005]).note, null);
});

test('pixels 20% taller than wide: the mean, and a note saying by how much lengths may be off', () => {
  const s = pixelSizeFromSpacing([0.012, 0.01]);
  assert.ok(Math.abs(s.pixelSizeUm - 11) < 1e-9);
  assert.equal(
    s.note,
    'the pixels are not square (0.012 mm between rows, 0.01 mm between columns): lengths take their mean, ' +
      '11 µm, and are off by up to 10% along a row or a column',
  );
});

test("a DICOM header's anisotropic spacing reaches the pixel size the CLI measures with, note and all", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-spacing-'));
  try {
    const file = path.join(dir, 'eye.dcm');
    const [width, height] = [8, 6];
    writeDicom(
      file,
      { width, height, rgb: new Uint8Array(width * height * 3) },
      { pixelSpacing: '0.012\\0.010' },
    );
    const header = await dicomHeader(file);
    assert.ok(header);
    assert.ok(Math.abs(header.pixelSizeUm! - 11) < 1e-9);
    assert.match(header.pixelSizeNote ?? '', /the pixels are not square/);
    const scale = imageScale(
      { pixelSizeUm: header.pixelSizeUm, pixelSizeNote: header.pixelSizeNote },
      { apertureDiameterPx: null, width, height },
    );
    assert.equal(scale.note, header.pixelSizeNote);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a DICOM's field of view below 1 degree (radians written as degrees, say) is not taken as the field angle", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-fov-'));
  try {
    const rgb = new Uint8Array(8 * 6 * 3);
    const header = async (deg: number) => {
      const file = path.join(dir, `${deg}.dcm`);
      writeDicom(file, { width: 8, height: 6, rgb }, { fieldOfViewDeg: deg, pixelSpacing: '' });
      return (await dicomHeader(file))!;
    };
    // 45 degrees is 0.785 radians: taken as degrees, every micrometre would be 57 times too small.
    assert.equal((await header(0.785)).fieldAngleDeg, null);
    assert.equal((await header(45)).fieldAngleDeg, 45);
    assert.equal((await header(1)).fieldAngleDeg, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
