// A database several e2e suites start from, written straight into the store before `retina serve` opens it.
import path from 'node:path';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import {
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  saveMaskVersion,
  type Store,
} from '../../main/store/index.js';
import { datasetsRoot, driveTestImage, tinyModelDir } from './model-fixture.js';

/**
 * The tiny model made the active one and DRIVE test images `images` imported in that order; each of `predicted`
 * carries DRIVE's second observer as the tiny model's prediction (a binary mask, unlike the first observer's that
 * the tests compare with). Returns those predictions' pixels, in the order of `predicted`.
 */
export async function seedSecondObserverPredictions(
  store: Store,
  images: string[],
  predicted: string[],
): Promise<Uint8Array[]> {
  const model = registerModel(
    store,
    { name: 'e2e-tiny', dirPath: await tinyModelDir(), architecture: {} },
    'test',
  );
  promoteModel(store, model.id, 'test');
  const report = await importImageFiles(
    store,
    images.map((n) => ({ imagePath: driveTestImage(n) })),
    { actor: 'test' },
  );
  const seeded: Uint8Array[] = [];
  for (const n of predicted) {
    const second = toBinaryMap(
      await readImage(path.join(datasetsRoot, 'DRIVE', 'test', '2nd_manual', `${n}_manual2.gif`)),
    );
    seeded.push(second.data);
    await saveMaskVersion(store, {
      imageId: report.imported[images.indexOf(n)].imageId,
      kind: 'prediction',
      author: 'model:e2e-tiny',
      modelId: model.id,
      mask: second,
    });
  }
  return seeded;
}

/**
 * A `useWorkstation` seed of seedSecondObserverPredictions into a fresh database file, and the seeded predictions'
 * pixels once it has run.
 */
export function secondObserverSeed(
  images: string[],
  predicted: string[],
): { seed: (dbPath: string) => Promise<void>; masks: () => Uint8Array[] } {
  let masks: Uint8Array[] | undefined;
  return {
    seed: async (dbPath) => {
      const store = openStore(dbPath);
      try {
        masks = await seedSecondObserverPredictions(store, images, predicted);
      } finally {
        store.close();
      }
    },
    masks: () => {
      if (!masks) throw new Error('the database is seeded in the suite’s before hook');
      return masks;
    },
  };
}
