// The app's prediction job names what makes an image's labels less reliable in its progress note, as the CLI does
// on stderr: a grey photograph's artery/vein labels get the no-colour warning, a colour one's do not. Real store,
// real ONNX sessions (tiny networks in the bundled model's frame), real photographs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runPredictJob } from '../../main/jobs/predict.js';
import { NO_COLOUR_WARNING } from '../../main/ml/anatomy/artery-vein.js';
import { importImageFiles, openStore, registerModel } from '../../main/store/index.js';
import { driveTestImage, tinyAnatomyModelsDir, tinyFramedModelDir } from '../e2e/model-fixture.js';

test('a grey photograph is predicted with the no-colour warning in its note; a colour one without', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-predict-notes-'));
  const store = openStore(path.join(dir, 'retina.db'));
  try {
    const grey = path.join(dir, 'red-free.png');
    await sharp(driveTestImage('01')).greyscale().toColourspace('srgb').png().toFile(grey);
    const report = await importImageFiles(store, [{ imagePath: driveTestImage('02') }, { imagePath: grey }], {
      actor: 'ann',
    });
    const [colourId, greyId] = report.imported.map((r) => r.imageId);
    const modelDir = await tinyFramedModelDir();
    const modelId = registerModel(store, { name: 'vessel', dirPath: modelDir, architecture: {} }, 'ann').id;
    const anatomy = await tinyAnatomyModelsDir();
    const notes = new Map<number, string>();
    await runPredictJob(
      store,
      {
        imageIds: [colourId, greyId],
        modelId,
        modelDir,
        threads: 1,
        author: 'model',
        anatomy: {
          arteryVein: path.join(anatomy, 'artery-vein'),
          opticDisc: path.join(anatomy, 'optic-disc'),
        },
      },
      {
        isCancelled: () => false,
        progress: (_done, _total, note, imageId) => {
          if (imageId !== null && note !== null) notes.set(imageId, note);
        },
      },
    );
    assert.ok(notes.get(greyId)?.includes(NO_COLOUR_WARNING), notes.get(greyId));
    assert.ok(!notes.get(colourId)?.includes(NO_COLOUR_WARNING), notes.get(colourId));
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
