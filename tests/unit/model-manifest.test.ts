// A model's manifest is checked in full when it is read: the bundled default passes, and a broken field gives one
// ModelLoadError naming the manifest and the field (the same validators training uses, plus the canonical frame).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  MANIFEST_FILE,
  ModelLoadError,
  defaultModelDir,
  parseManifest,
  readManifest,
} from '../../main/ml/model/model-dir.js';
import { CANONICAL_FRAME } from '../../main/ml/train/recipes.js';

const bundled = JSON.parse(await readFile(path.join(defaultModelDir(), MANIFEST_FILE), 'utf8')) as Record<
  string,
  unknown
>;

/** The bundled manifest with `edit` applied to a deep copy (plain JSON: edits may break any type on purpose). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function edited(edit: (m: Record<string, any>) => void): string {
  const m = structuredClone(bundled);
  edit(m);
  return JSON.stringify(m);
}

function refuses(text: string, message: RegExp): void {
  assert.throws(
    () => parseManifest(text, '/models/m/retina-model.json'),
    (err: unknown) => {
      assert.ok(err instanceof ModelLoadError, `expected ModelLoadError, got ${String(err)}`);
      assert.ok(err.message.startsWith('/models/m/retina-model.json: '), err.message);
      assert.match(err.message, message);
      return true;
    },
  );
}

describe('model manifest', () => {
  test('the bundled default passes, its configurations unchanged', () => {
    const m = parseManifest(JSON.stringify(bundled), 'default');
    assert.deepEqual(m, bundled);
  });

  test('a valid frame and augment blur/illumination pass', () => {
    const m = parseManifest(
      edited((x) => {
        x.frame = CANONICAL_FRAME;
        x.provenance.augment = { ...x.provenance.augment, blur: 1.5, illumination: 0.2 };
      }),
      'm',
    );
    assert.deepEqual(m.frame, CANONICAL_FRAME);
    assert.equal(m.provenance.augment?.blur, 1.5);
    assert.equal(m.provenance.augment?.illumination, 0.2);
  });

  test('a broken frame names its field', () => {
    const frame = (patch: Record<string, unknown>) =>
      edited((x) => (x.frame = { ...CANONICAL_FRAME, ...patch }));
    refuses(
      frame({ reference: 'image-width' }),
      /frame\.reference must be one of 'fov-diameter', got "image-width"/,
    );
    refuses(frame({ diameter: 0 }), /frame\.diameter must be a number > 0, got 0/);
    refuses(frame({ snap: -0.1 }), /frame\.snap must be a number >= 0, got -0\.1/);
    refuses(frame({ labelCalibre: '2.6' }), /frame\.labelCalibre must be a number > 0, got "2\.6"/);
    refuses(frame({ maskCalibre: 0 }), /frame\.maskCalibre must be a number > 0, got 0/);
    refuses(
      edited((x) => (x.frame = 'canonical')),
      /frame must be an object/,
    );
  });

  test('broken preprocessing, augmentation and architecture name their field', () => {
    refuses(
      edited((x) => (x.preprocess.clahe.tileGrid = 0)),
      /preprocess: clahe\.tileGrid must be an integer in 1\.\.64, got 0/,
    );
    refuses(
      edited((x) => (x.preprocess.sharpen = true)),
      /preprocess: unknown key sharpen/,
    );
    refuses(
      edited((x) => (x.provenance.augment.blur = -1)),
      /provenance\.augment: blur must be a number >= 0/,
    );
    refuses(
      edited((x) => (x.provenance.augment.illumination = 'strong')),
      /provenance\.augment: illumination must be a number >= 0/,
    );
    refuses(
      edited((x) => (x.provenance.augment.scale = [1.2, 0.8])),
      /provenance\.augment: scale must be/,
    );
    refuses(
      edited((x) => (x.architecture.depth = 9)),
      /architecture: depth must be an integer in 1\.\.6, got 9/,
    );
    refuses(
      edited((x) => delete x.architecture.residual),
      /architecture: residual must be true or false/,
    );
  });

  test('other fields', () => {
    refuses(
      edited((x) => (x.threshold = 1)),
      /threshold must be a number in \(0, 1\), got 1/,
    );
    refuses(
      edited((x) => (x.patchSize = 72)),
      /patchSize must be a multiple of 2\^depth = 16, got 72/,
    );
    refuses(
      edited((x) => (x.testTimeFlips = 'yes')),
      /testTimeFlips must be true or false/,
    );
    refuses(
      edited((x) => (x.provenance.loss = 'focal')),
      /provenance\.loss must be one of/,
    );
    refuses(
      edited((x) => (x.provenance.trainIds = [21])),
      /provenance\.trainIds must be a list of strings/,
    );
    refuses(
      edited((x) => (x.provenance.parentModel = 3)),
      /provenance\.parentModel must be a string/,
    );
    refuses(
      edited((x) => (x.provenance.trainedBy = { script: 'x.py' })),
      /provenance\.trainedBy must be a string/,
    );
    refuses(
      edited((x) => (x.onnx.file = '../../elsewhere.onnx')),
      /onnx\.file must be a file name in the model directory/,
    );
    refuses(
      edited((x) => (x.formatVersion = 2)),
      /model format version 2 is not supported/,
    );
  });

  test('readManifest refuses a broken manifest on disk, naming the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-manifest-'));
    await writeFile(
      path.join(dir, MANIFEST_FILE),
      edited((x) => (x.frame = { ...CANONICAL_FRAME, diameter: -536 })),
    );
    await assert.rejects(readManifest(dir), (err: unknown) => {
      assert.ok(err instanceof ModelLoadError);
      assert.equal(
        err.message,
        `${path.join(dir, MANIFEST_FILE)}: frame.diameter must be a number > 0, got -536`,
      );
      return true;
    });
  });
});
