// A study to retrain in the retrain tests: a fresh SQLite file with the tiny test model active and DRIVE training
// photographs imported with their first observer's masks (as approvals) and fields of view. `withRetrainStudy`
// runs a test on one and removes it after, whatever the test did.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  type ModelRecord,
  type Store,
} from '../../main/store/index.js';
import { datasetsRoot, tinyModelDir } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');

export interface RetrainStudy {
  store: Store;
  /** The active model a retrain starts from. */
  root: ModelRecord;
  /** The imported images' ids, in the order of `numbers`. */
  imageIds: number[];
}

export async function withRetrainStudy(
  name: string,
  numbers: string[],
  run: (study: RetrainStudy) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), `retina-${name}-`));
  const store = openStore(path.join(dir, 'retina.db'));
  try {
    const root = registerModel(store, { name: 'tiny', dirPath: await tinyModelDir(), architecture: {} }, 't');
    promoteModel(store, root.id, 't');
    const files = numbers.map((n) => ({
      imagePath: path.join(DRIVE, 'images', `${n}_training.tif`),
      maskPath: path.join(DRIVE, '1st_manual', `${n}_manual1.gif`),
      fovPath: path.join(DRIVE, 'mask', `${n}_training_mask.gif`),
    }));
    const { imported } = await importImageFiles(store, files, { actor: 'annotator' });
    await run({ store, root, imageIds: imported.map((i) => i.imageId) });
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
