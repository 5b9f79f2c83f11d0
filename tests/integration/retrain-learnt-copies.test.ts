// A photograph the active model learnt from a dataset, imported as a plain file under another name and format, is
// still one the model learnt: the bundled default was trained on DRIVE's training images, so their JPEG copies
// may be trained on but never judge its retrain (it would know them, and the comparison would favour it).
// On a clinic's machine, without the datasets, the manifests' fingerprints of those photographs find them alike;
// the artery/vein and optic-disc retrains too. Real SQLite, the bundled models' manifests, real DRIVE photographs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
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
import { planAnatomySnapshot } from '../../main/retrain/anatomy-snapshot.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { importDataset } from '../../main/store/index.js';
import { approveAnatomyPrediction } from '../support/anatomy-corrections.js';
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

/** DRIVE training photograph `n` re-encoded as JPEG under a clinic's name. */
async function clinicCopy(n: string): Promise<string> {
  const copy = path.join(dir, `clinic-visit-${n}0.jpg`);
  if (!existsSync(copy))
    await sharp(path.join(DRIVE, 'training', 'images', `${n}_training.tif`))
      .jpeg({ quality: 85 })
      .toFile(copy);
  return copy;
}

/** The bundled default model, registered in `db` as `name`. */
function bundledDefault(db: Store, name: string): ModelRecord {
  const dirPath = path.join(repoRoot, 'resources', 'models', 'default');
  return registerModel(db, { name, dirPath, architecture: {} }, 't');
}

/** Runs `fn` on a fresh store of its own, `<name>.db`. */
async function inStore(name: string, fn: (db: Store) => Promise<void>): Promise<void> {
  const db = openStore(path.join(dir, `${name}.db`));
  try {
    await fn(db);
  } finally {
    db.close();
  }
}

/** Runs `fn` as on a clinic's machine: the datasets folder is there but empty. */
async function withoutDatasets<T>(fn: () => Promise<T>): Promise<T> {
  const empty = path.join(dir, 'no-datasets');
  await mkdir(empty, { recursive: true });
  const before = process.env.RETINA_DATASETS;
  process.env.RETINA_DATASETS = empty;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.RETINA_DATASETS;
    else process.env.RETINA_DATASETS = before;
  }
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(tmpdir(), 'retina-learnt-copies-'));
  store = openStore(path.join(dir, 'retina.db'));
  base = bundledDefault(store, 'default');
  promoteModel(store, base.id, 't');
  // Six of the photographs the default learnt, re-encoded as JPEG under a clinic's names.
  for (const n of ['21', '22', '23', '24', '25', '26']) {
    const copy = await clinicCopy(n);
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

test(
  "without the datasets on this machine, the manifest's fingerprints still keep the copies from judging",
  { skip },
  async () => {
    const snap = await withoutDatasets(() =>
      planSnapshot(store, base, { ...DEFAULT_RETRAIN_SETTINGS, replayImages: 0, heldOutFraction: 0.9 }),
    );
    assert.deepEqual(
      snap.usableHeldOut,
      unseen,
      'a photograph the default was trained on judges its retrain',
    );
  },
);

test(
  'artery/vein and optic-disc retrains: copies of RITE photographs the bundled models learnt never judge, datasets or not',
  { skip },
  async () => {
    await inStore('anatomy', async (anatomyStore) => {
      const vessel = bundledDefault(anatomyStore, 'vessel');
      const approve = async (file: string, driveId: string): Promise<number> => {
        const report = await importImageFiles(anatomyStore, [{ imagePath: file }], { actor: 't' });
        const imageId = report.imported[0].imageId;
        await approveAnatomyPrediction(anatomyStore, {
          imageId,
          driveId,
          vesselModelId: vessel.id,
          correct: true,
        });
        return imageId;
      };
      // DRIVE 21-24 (RITE's training images, which both bundled models learnt) as a clinic's JPEGs; three unseen.
      const copies: number[] = [];
      for (const n of ['21', '22', '23', '24']) copies.push(await approve(await clinicCopy(n), '05'));
      const fresh: number[] = [];
      for (const n of ['01', '02', '03'])
        fresh.push(await approve(path.join(DRIVE, 'test', 'images', `${n}_test.tif`), n));
      for (const task of ['artery-vein', 'optic-disc'] as const) {
        const dirPath = path.join(repoRoot, 'resources', 'models', task);
        const model = registerModel(anatomyStore, { name: task, dirPath, architecture: {}, task }, 't');
        const step = await withoutDatasets(async () =>
          planAnatomySnapshot(anatomyStore, task, model, await readManifest(dirPath), {
            ...DEFAULT_RETRAIN_SETTINGS,
            replayImages: 0,
          }),
        );
        assert.ok('snapshot' in step, 'skipped' in step ? step.skipped : '');
        const judging = step.snapshot.usableHeldOut ?? step.snapshot.heldOut.map((e) => e.imageId);
        assert.deepEqual(
          copies.filter((id) => judging.includes(id)),
          [],
          `${task}: a photograph the bundled model learnt judges its retrain`,
        );
        assert.deepEqual(
          step.snapshot.train.map((e) => e.imageId),
          copies,
          task,
        );
      }
    });
  },
);

test(
  "copies imported as another dataset's photographs (a clinic's export folder) are found too, and never judge",
  { skip },
  () =>
    inStore('dataset', async (datasetStore) => {
      const model = bundledDefault(datasetStore, 'default');
      promoteModel(datasetStore, model.id, 't');
      // A generic dataset folder: DRIVE's training photographs as JPEGs under a clinic's names, with their labels,
      // and DRIVE test photographs the default never saw.
      const folder = async (name: string, photos: [string, string, string][]): Promise<void> => {
        await mkdir(path.join(dir, name, 'images'), { recursive: true });
        await mkdir(path.join(dir, name, 'masks'), { recursive: true });
        for (const [stem, image, label] of photos) {
          await sharp(image)
            .jpeg({ quality: 85 })
            .toFile(path.join(dir, name, 'images', `${stem}.jpg`));
          await sharp(label)
            .png()
            .toFile(path.join(dir, name, 'masks', `${stem}.png`));
        }
        await importDataset(datasetStore, path.join(dir, name), { actor: 't' });
      };
      const drive = (split: string, n: string): [string, string, string] => [
        `visit-${n}0`,
        path.join(DRIVE, split, 'images', `${n}_${split}.tif`),
        path.join(DRIVE, split, '1st_manual', `${n}_manual1.gif`),
      ];
      await folder(
        'clinic-export',
        ['21', '22', '23', '24', '25', '26'].map((n) => drive('training', n)),
      );
      await folder(
        'clinic-new',
        ['01', '02', '03', '04'].map((n) => drive('test', n)),
      );
      const ids = datasetStore.db.prepare('SELECT id, dataset FROM images ORDER BY id').all() as {
        id: number;
        dataset: string;
      }[];
      const exported = ids.filter((r) => r.dataset === 'clinic-export').map((r) => r.id);
      assert.equal(exported.length, 6);
      for (const withDatasets of [true, false]) {
        const plan = () =>
          planSnapshot(datasetStore, model, {
            ...DEFAULT_RETRAIN_SETTINGS,
            replayImages: 0,
            heldOutFraction: 0.9,
          });
        const snap = withDatasets ? await plan() : await withoutDatasets(plan);
        const judging = snap.usableHeldOut ?? snap.heldOut.map((e) => e.imageId);
        assert.deepEqual(
          exported.filter((id) => judging.includes(id)),
          [],
          `a photograph the default was trained on judges its retrain (datasets ${withDatasets ? 'here' : 'absent'})`,
        );
        assert.ok(judging.length > 0);
      }
    }),
);
