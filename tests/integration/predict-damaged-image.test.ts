// A prediction batch holding an image whose stored photograph is damaged predicts the others and names the
// skipped one with its reason, as an import lists its bad files: the job is done with that one listed (failures),
// the worklist does not show it as predicted, and only a batch where no image could be read fails. Real store
// (its files folder truncated as a disk fault would), real ONNX session, real DRIVE photographs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runJob } from '../../main/jobs/run-job.js';
import {
  getImage,
  imageFilePath,
  importImageFiles,
  listImages,
  openStore,
  registerModel,
  type Store,
} from '../../main/store/index.js';
import { driveTestImage, tinyModelDir } from '../e2e/model-fixture.js';

async function truncatePhotograph(store: Store, imageId: number): Promise<void> {
  const file = imageFilePath(store, getImage(store, imageId));
  await writeFile(file, (await readFile(file)).subarray(0, 2000));
}

async function predict(store: Store, imageIds: number[]) {
  const modelDir = await tinyModelDir();
  const modelId = registerModel(store, { name: 'tiny', dirPath: modelDir, architecture: {} }, 't').id;
  const notes: string[] = [];
  const reported: number[] = [];
  const result = await runJob(
    store,
    { kind: 'predict', imageIds, modelId, modelDir, threads: 1, author: 'model', anatomy: null },
    {
      isCancelled: () => false,
      progress: (_done, _total, note, imageId) => {
        if (note !== null) notes.push(note);
        if (imageId !== null) reported.push(imageId);
      },
    },
  );
  return { result, notes, reported };
}

test('a damaged photograph in a prediction batch is skipped and named; the images after it are predicted', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-predict-damaged-'));
  const store = openStore(path.join(dir, 'retina.db'));
  try {
    const { imported } = await importImageFiles(
      store,
      ['01', '02', '03'].map((n) => ({ imagePath: driveTestImage(n) })),
      { actor: 'ann' },
    );
    const [first, damaged, last] = imported.map((i) => i.imageId);
    await truncatePhotograph(store, damaged);

    const { result, notes, reported } = await predict(store, [first, damaged, last]);
    assert.deepEqual(result.imageIds, [first, last]);
    assert.equal(result.error, null);
    assert.equal(result.cancelled, false);
    assert.equal(result.message, 'predicted 2 of 3 images; 1 image could not be read');
    const failures = result.failures ?? [];
    assert.equal(failures.length, 1);
    assert.equal(failures[0].file, `02_test.tif (image ${damaged})`);
    assert.match(failures[0].reason, /TIFF corrupt or truncated/);
    assert.doesNotMatch(failures[0].reason, /^02_test/, 'the name is not repeated in the reason');
    // The skipped image is never reported as changed, and the worklist keeps it unpredicted.
    assert.deepEqual(reported, [first, last]);
    assert.ok(
      notes.some((n) => n.startsWith(`02_test.tif (image ${damaged}): skipped, `)),
      notes.join('\n'),
    );
    const status = new Map(listImages(store, {}).items.map((i) => [i.id, i.maskStatus]));
    assert.deepEqual(
      [status.get(first), status.get(damaged), status.get(last)],
      ['prediction', 'none', 'prediction'],
    );
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a batch whose every photograph is damaged fails, naming them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-predict-damaged-'));
  const store = openStore(path.join(dir, 'retina.db'));
  try {
    const { imported } = await importImageFiles(
      store,
      ['04', '05'].map((n) => ({ imagePath: driveTestImage(n) })),
      { actor: 'ann' },
    );
    const ids = imported.map((i) => i.imageId);
    for (const id of ids) await truncatePhotograph(store, id);
    const { result } = await predict(store, ids);
    assert.deepEqual(result.imageIds, []);
    assert.equal(result.error?.code, 'unreadable-file');
    assert.equal(
      result.error?.message,
      `none of the 2 images could be read: 04_test.tif (image ${ids[0]}), 05_test.tif (image ${ids[1]})`,
    );
    assert.equal(result.failures?.length, 2);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
