// A photograph the active model learnt from a dataset, imported as a plain file under another name and format, is
// still one the model learnt: the bundled default was trained on DRIVE's training images, so their JPEG copies
// may be trained on but never judge its retrain (it would know them, and the comparison would favour it).
// Real SQLite, the bundled model's manifest, real DRIVE photographs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import {
  approveMaskVersion,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  saveMaskVersion,
  type ModelRecord,
  type Store,
} from '../../main/store/index.js';
import { planSnapshot } from '../../main/retrain/snapshot.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { repoRoot } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot(), 'DRIVE');
const skip = existsSync(DRIVE) ? false : 'DRIVE is not on this machine';

let dir: string;
let store: Store;
let base: ModelRecord;
const learnt: number[] = [];
const unseen: number[] = [];

/** Imports `file` as a plain photograph and approves the DRIVE label `label` as a person's reference. */
async function importApproved(file: string, label: string): Promise<number> {
  const report = await importImageFiles(store, [{ imagePath: file }], { actor: 't' });
  const imageId = report.imported[0].imageId;
  const mask = await readBinaryMap(label);
  const draft = await saveMaskVersion(store, { imageId, kind: 'draft', author: 'annotator', mask });
  await approveMaskVersion(store, draft.id, 'annotator');
  return imageId;
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(tmpdir(), 'retina-learnt-copies-'));
  store = openStore(path.join(dir, 'retina.db'));
  base = registerModel(
    store,
    { name: 'default', dirPath: path.join(repoRoot, 'resources', 'models', 'default'), architecture: {} },
    't',
  );
  promoteModel(store, base.id, 't');
  // Six of the photographs the default learnt, re-encoded as JPEG under a clinic's names.
  for (const n of ['21', '22', '23', '24', '25', '26']) {
    const copy = path.join(dir, `clinic-visit-${n}0.jpg`);
    await sharp(path.join(DRIVE, 'training', 'images', `${n}_training.tif`))
      .jpeg({ quality: 85 })
      .toFile(copy);
    learnt.push(await importApproved(copy, path.join(DRIVE, 'training', '1st_manual', `${n}_manual1.gif`)));
  }
  // Four it never saw (DRIVE's test images are no training images of it).
  for (const n of ['01', '02', '03', '04']) {
    unseen.push(
      await importApproved(
        path.join(DRIVE, 'test', 'images', `${n}_test.tif`),
        path.join(DRIVE, 'test', '1st_manual', `${n}_manual1.gif`),
      ),
    );
  }
});

after(async () => {
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test(
  'copies of photographs the active model learnt are trained on, and only the unseen ones judge',
  { skip },
  async () => {
    const snap = await planSnapshot(store, base, {
      ...DEFAULT_RETRAIN_SETTINGS,
      replayImages: 0,
      heldOutFraction: 0.9,
    });
    const judging = snap.usableHeldOut ?? [];
    const leaked = learnt.filter((id) => judging.includes(id));
    assert.deepEqual(leaked, [], 'a photograph the default was trained on judges its retrain');
    assert.deepEqual(judging, unseen);
    const fitted = [...snap.train, ...snap.validation].map((e) => e.imageId).sort((a, b) => a - b);
    assert.deepEqual(fitted, learnt);
  },
);
