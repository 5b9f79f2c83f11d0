// A DICOM photograph whose pixel spacing differs between rows and columns, measured in the app (the handler table,
// a real database, DRIVE 02's pixels in the DICOM, RITE's labels and DRIVE-OD's disc as its prediction): micrometres
// from the mean spacing, and a note that says how far they may be off, as `retina measure` says it; square pixels
// get none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { importImageFiles, registerModel, saveMaskVersion } from '../../main/store/index.js';
import { readImage } from '../../main/ml/io/image-io.js';
import { pixelSizeFromSpacing } from '../../shared/measure/pixel-spacing.js';
import { driveTestImagePath, referenceAnatomy, type ReferenceAnatomy } from './measure-fixture.js';
import { writeDicom } from './dicom-fixture.js';
import { handlerCaller } from '../support/handler-call.js';

let dir: string;
let ws: Workstation;
let ref: ReferenceAnatomy;
const call = handlerCaller(() => ws, { shell: 'browser', sender: 'test' });

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'retina-pixel-spacing-'));
  ws = await createWorkstation({ dbPath: path.join(dir, 'retina.db'), shell: 'browser', user: 'ann' });
  ref = await referenceAnatomy('02');
});

after(async () => {
  await ws.close();
  await rm(dir, { recursive: true, force: true });
});

/** DRIVE 02 as a DICOM of this pixel spacing, predicted as its reference vessels, labels and disc. */
async function dicomImage(name: string, spacing: string): Promise<string> {
  const photo = await readImage(driveTestImagePath('02'));
  const file = path.join(dir, `${name}.dcm`);
  writeDicom(
    file,
    { width: photo.width, height: photo.height, rgb: photo.data as Uint8Array },
    { pixelSpacing: spacing },
  );
  const report = await importImageFiles(ws.store, [{ imagePath: file }], { actor: 'ann' });
  const imageId = report.imported[0].imageId;
  const modelId = registerModel(
    ws.store,
    { name: `m-${name}`, dirPath: '/none', architecture: {} },
    'ann',
  ).id;
  await saveMaskVersion(ws.store, {
    imageId,
    kind: 'prediction',
    author: 'model:observer',
    modelId,
    mask: { width: ref.width, height: ref.height, data: ref.mask },
    av: ref.av,
    anatomy: { disc: ref.disc, fovea: null, laterality: null },
  });
  return String(imageId);
}

test('pixels 20% taller than wide: micrometres at their mean size, with the note', async () => {
  const m = await call('getMeasurements', { imageId: await dicomImage('tall', '0.012\\0.010') });
  assert.ok(m);
  assert.equal(m.scaleSource, 'dicom');
  assert.equal(m.measures.scale.unit, 'µm');
  assert.ok(Math.abs(m.measures.scale.perPixel - 11) < 1e-9);
  const expected = pixelSizeFromSpacing([0.012, 0.01]).note!;
  assert.ok(m.measures.notes.includes(expected), JSON.stringify(m.measures.notes));
});

test('square pixels: no note on the pixel size', async () => {
  const m = await call('getMeasurements', { imageId: await dicomImage('square', '0.011\\0.011') });
  assert.ok(m);
  assert.ok(Math.abs(m!.measures.scale.perPixel - 11) < 1e-9);
  assert.ok(!m.measures.notes.some((n) => /not square/.test(n)), JSON.stringify(m.measures.notes));
});
