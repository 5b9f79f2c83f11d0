// A retrain never trains on what it judges on through a back door: the same photograph imported again (another
// file, format and size) and another visit of the same eye fall on the held-out side with the image held out, and
// a held-out image whose copy the active model learnt cannot judge it; the gate counts such a group once. The
// artery/vein and optic-disc retrains hold out and judge by the same groups. Real SQLite, real DRIVE photographs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readBinaryMap } from '../../main/ml/io/image-io.js';
import {
  approveMaskVersion,
  finishTrainingRun,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  saveMaskVersion,
  setClinical,
  startTrainingRun,
  type ModelRecord,
  type Store,
} from '../../main/store/index.js';
import { planSnapshot, type SnapshotMask } from '../../main/retrain/snapshot.js';
import { storeStem, writeTrainingSet } from '../../main/retrain/training-set.js';
import { splitValidation } from '../../main/ml/train/training-run.js';
import { gateVerdict } from '../../main/retrain/promotion.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import { VESSEL_RUN_KIND } from '../../main/retrain/run-kinds.js';
import { planAnatomySnapshot } from '../../main/retrain/anatomy-snapshot.js';
import { judgeAnatomy } from '../../main/retrain/anatomy-gate.js';
import { ANATOMY_RUN_KIND } from '../../main/retrain/run-kinds.js';
import type { ModelManifest } from '../../main/ml/types.js';
import { MANIFEST_FILE } from '../../main/ml/model/model-dir.js';
import { datasetSampleGroups } from '../../main/retrain/image-groups.js';
import { datasetsRoot, tinyModelDir } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';
import { approveAnatomyPrediction } from '../support/anatomy-corrections.js';

const DRIVE = path.join(datasetsRoot, 'DRIVE', 'training');
const SETTINGS = { ...DEFAULT_RETRAIN_SETTINGS, replayImages: 0 };

/** A person's reference for the image: the DRIVE label (resized for a resized copy), drawn without a prediction. */
async function approveLabel(store: Store, imageId: number, n: string, width?: number): Promise<number> {
  let mask = await readBinaryMap(path.join(DRIVE, '1st_manual', `${n}_manual1.gif`));
  if (width !== undefined) {
    const { data, info } = await sharp(Buffer.from(mask.data.map((v) => (v ? 255 : 0))), {
      raw: { width: mask.width, height: mask.height, channels: 1 },
    })
      .resize({ width, kernel: 'nearest' })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    mask = { width: info.width, height: info.height, data: Uint8Array.from(data, (v) => (v > 127 ? 1 : 0)) };
  }
  const draft = await saveMaskVersion(store, { imageId, kind: 'draft', author: 'annotator', mask });
  return (await approveMaskVersion(store, draft.id, 'annotator')).id;
}

/** Half of DRIVE's width. */
const HALF = 282;

/** DRIVE training image `n` as a half-size PNG at `file` (other bytes: the import's hash keeps both); its path. */
async function halfSizeCopy(n: string, file: string): Promise<string> {
  await sharp(path.join(DRIVE, 'images', `${n}_training.tif`))
    .resize({ width: HALF })
    .png()
    .toFile(file);
  return file;
}

/** Two visits of one patient's eye, a year apart. */
function twoVisits(store: Store, first: number, second: number, patientId: string, eye: 'OD' | 'OS'): void {
  setClinical(store, [first], { patientId, eye, visitDate: '2024-03-01' }, 't');
  setClinical(store, [second], { patientId, eye, visitDate: '2025-03-04' }, 't');
}

/** An earlier retrain's run row that held these images out (they stay held out). */
function earlierHeldOut(store: Store, base: ModelRecord, heldOut: SnapshotMask[]): void {
  const run = startTrainingRun(
    store,
    { config: { kind: VESSEL_RUN_KIND, snapshot: { heldOut } }, seed: 1, baseModelId: base.id },
    't',
  );
  finishTrainingRun(store, run.id, { status: 'failed', outcome: { reason: 'test' } }, 't');
}

describe('held-out leakage through copies and other visits', () => {
  let dir: string;
  let store: Store;
  let base: ModelRecord;
  const ids = new Map<string, number>();
  const versions = new Map<string, number>();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-leakage-'));
    store = openStore(path.join(dir, 'retina.db'));
    base = registerModel(store, { name: 'base', dirPath: dir, architecture: {} }, 't');
    promoteModel(store, base.id, 't');
    // 21 again as a half-size PNG under another name: other bytes, so the import's hash keeps both.
    const copy = await halfSizeCopy('21', path.join(dir, 'scan-0193.png'));
    const names = ['21', '22', '23', '24', '25', '26', '27', '28'];
    const report = await importImageFiles(
      store,
      [
        ...names.map((n) => ({ imagePath: path.join(DRIVE, 'images', `${n}_training.tif`) })),
        { imagePath: copy },
      ],
      { actor: 't' },
    );
    assert.equal(report.imported.length, names.length + 1);
    report.imported.forEach((im, i) => ids.set(names[i] ?? 'copy', im.imageId));
    for (const n of names) versions.set(n, await approveLabel(store, ids.get(n)!, n));
    versions.set('copy', await approveLabel(store, ids.get('copy')!, '21', HALF));
    // 22 and 23: two visits of one eye.
    twoVisits(store, ids.get('22')!, ids.get('23')!, 'pt-7', 'OD');
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a copy of a held-out photograph and another visit of its eye are held out with it, never trained on', async () => {
    earlierHeldOut(
      store,
      base,
      ['21', '22'].map((n) => ({ imageId: ids.get(n)!, maskVersionId: versions.get(n)! })),
    );
    const snap = await planSnapshot(store, base, SETTINGS);
    const fitted = new Set([...snap.train, ...snap.validation].map((e) => e.imageId));
    const heldOut = new Set(snap.heldOut.map((e) => e.imageId));
    for (const n of ['copy', '23']) {
      assert.ok(!fitted.has(ids.get(n)!), `${n} is trained on while its twin is held out`);
      assert.ok(heldOut.has(ids.get(n)!), `${n} is not held out with its twin`);
    }
    assert.ok(fitted.size > 0);
  });
  test('the gate judges a held-out eye or photograph as one sample, by the groups the snapshot records', async () => {
    // Runs after the test above: 21 and 22 stay held out, with the copy of 21 and the other visit of 22.
    const snapshot = await planSnapshot(store, base, SETTINGS);
    const id = (n: string): number => ids.get(n)!;
    assert.deepEqual(snapshot.heldOutGroups, [
      [id('21'), id('copy')].sort((a, b) => a - b),
      [id('22'), id('23')],
    ]);
    const usable = snapshot.usableHeldOut ?? [];
    // Five images, three eyes: both twins, and the one photograph picked to reach the minimum of three.
    assert.equal(usable.length, 5);
    const twins = new Set(['21', 'copy', '22', '23'].map(id));
    // The two grouped eyes gain 0.05 on each of their images, the third eye nothing.
    const scores = {
      images: usable.map((imageId) => ({ imageId, deltaF1: twins.has(imageId) ? 0.05 : 0 })),
      benchmark: null,
    };
    const settings = { ...SETTINGS, seed: 1 };
    const apart = gateVerdict(
      store,
      { settings, snapshot: { ...snapshot, heldOutGroups: undefined } },
      scores,
    );
    assert.equal(apart.better, true, `counted apart, five samples: ${apart.reason}`);
    const v = gateVerdict(store, { settings, snapshot }, scores);
    assert.equal(v.better, false, v.reason);
    assert.equal(v.usableImages, 5);
    assert.equal(v.usableGroups, 3);
    assert.match(v.reason, /on 5 corrected images in 3 independent groups: not clearly better$/);
  });
});

describe('validation leakage through other visits', () => {
  let dir: string;
  let store: Store;
  let base: ModelRecord;
  const ids: number[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-validation-'));
    store = openStore(path.join(dir, 'retina.db'));
    base = registerModel(store, { name: 'base', dirPath: dir, architecture: {} }, 't');
    promoteModel(store, base.id, 't');
    const names = ['21', '22', '23', '24', '25', '26', '27', '28', '29', '30'];
    const report = await importImageFiles(
      store,
      names.map((n) => ({ imagePath: path.join(DRIVE, 'images', `${n}_training.tif`) })),
      { actor: 't' },
    );
    for (const [i, im] of report.imported.entries()) {
      ids.push(im.imageId);
      await approveLabel(store, im.imageId, names[i]);
      // Two visits of each eye: 21 and 22, 23 and 24, ...
      const eye = {
        patientId: `pt-${Math.floor(i / 2)}`,
        eye: 'OD' as const,
        visitDate: `202${i % 2}-05-01`,
      };
      setClinical(store, [im.imageId], eye, 't');
    }
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a validation image's other visit is validated with it, never fitted", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const snap = await planSnapshot(store, base, { ...SETTINGS, minHeldOut: 2, seed });
      const eyeOf = (id: number): number => Math.floor(ids.indexOf(id) / 2);
      const fittedEyes = new Set(snap.train.map((e) => eyeOf(e.imageId)));
      assert.ok(snap.validation.length > 0 && snap.train.length > 0);
      for (const v of snap.validation) {
        assert.ok(
          !fittedEyes.has(eyeOf(v.imageId)),
          `seed ${seed}: image ${v.imageId} validates, its eye's other visit is fitted`,
        );
      }
    }
  });
});

describe('validation the trainer chooses (fewer than 3 new approvals)', () => {
  let dir: string;
  let store: Store;
  const ids = new Map<string, number>();
  const versions = new Map<string, number>();
  /** A base model that learnt `seen`, with 21, 22 and 23 held out by an earlier run (they stay held out). */
  const baseThatSaw = (name: string, seen: string[]): ModelRecord => {
    const trainedOn = seen.map((n) => ({ maskVersionId: versions.get(n)! }));
    const base = registerModel(store, { name, dirPath: dir, architecture: {}, trainedOn }, 't');
    promoteModel(store, base.id, 't');
    const heldOut = ['21', '22', '23'].map((n) => ({
      imageId: ids.get(n)!,
      maskVersionId: versions.get(n)!,
    }));
    earlierHeldOut(store, base, heldOut);
    return base;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-few-'));
    store = openStore(path.join(dir, 'retina.db'));
    const names = ['21', '22', '23', '24', '25', '26'];
    const report = await importImageFiles(
      store,
      names.map((n) => ({ imagePath: path.join(DRIVE, 'images', `${n}_training.tif`) })),
      { actor: 't' },
    );
    for (const [i, im] of report.imported.entries()) {
      ids.set(names[i], im.imageId);
      versions.set(names[i], await approveLabel(store, im.imageId, names[i]));
    }
    // 24 and 25: two visits of one eye.
    twoVisits(store, ids.get('24')!, ids.get('25')!, 'pt-3', 'OS');
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("the trainer's validation takes a fitted eye whole with the lineage's earlier images", async () => {
    // 24 is new; the base learnt 25 (24's eye) and 26, replayed: the trainer chooses among the three.
    const base = baseThatSaw('saw-25-26', ['25', '26']);
    const snap = await planSnapshot(store, base, { ...SETTINGS, replayImages: 2 });
    assert.deepEqual(snap.validation, []);
    assert.deepEqual(
      [...snap.train, ...snap.replay.store].map((e) => e.imageId).sort((a, b) => a - b),
      ['24', '25', '26'].map((n) => ids.get(n)!),
    );
    const setDir = await mkdtemp(path.join(dir, 'set-'));
    const set = await writeTrainingSet(store, snap, setDir);
    const refs = set.dataset.splits.train;
    const groups = (await set.sampleGroups?.(refs)) ?? new Map<string, string>();
    const side = (split: { val: { id: string }[] }, n: string): string =>
      split.val.some((r) => r.id === storeStem(ids.get(n)!)) ? 'validation' : 'fit';
    for (let seed = 0; seed < 12; seed++) {
      const split = splitValidation(refs, 2, seed, (id) => groups.get(id) ?? id);
      assert.equal(
        side(split, '24'),
        side(split, '25'),
        `seed ${seed}: one visit validates, the other is fitted`,
      );
      assert.ok(split.fit.length > 0);
    }
  });

  test('two new approvals of one eye and nothing else to fit are refused before any run', async () => {
    const base = baseThatSaw('saw-26', ['26']);
    await assert.rejects(
      planSnapshot(store, base, SETTINGS),
      /the 2 images to train on are all one eye's photographs or copies of one photograph: .*Approve an image of another eye/,
    );
  });
});

describe('a replayed dataset photograph that is a copy of a store image', () => {
  let dir: string;
  let store: Store;
  let base: ModelRecord;
  const ids = new Map<string, number>();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-replay-copy-'));
    store = openStore(path.join(dir, 'retina.db'));
    // The base "was trained on" DRIVE 24, 25 and 26, which are on this machine: a retrain replays them.
    const modelDir = path.join(dir, 'base-model');
    await cp(await tinyModelDir(), modelDir, { recursive: true });
    const file = path.join(modelDir, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(file, 'utf8')) as ModelManifest;
    manifest.provenance = {
      ...manifest.provenance,
      dataset: 'DRIVE',
      datasetKind: 'drive',
      trainIds: ['24_training', '25_training', '26_training'],
    };
    await writeFile(file, JSON.stringify(manifest));
    base = registerModel(store, { name: 'base', dirPath: modelDir, architecture: {} }, 't');
    promoteModel(store, base.id, 't');
    // DRIVE 24 again under a clinic's name: the one new approval, trained on.
    const copy = await halfSizeCopy('24', path.join(dir, 'scan-0555.png'));
    const names = ['21', '22', '23'];
    const report = await importImageFiles(
      store,
      [
        ...names.map((n) => ({ imagePath: path.join(DRIVE, 'images', `${n}_training.tif`) })),
        { imagePath: copy },
      ],
      { actor: 't' },
    );
    report.imported.forEach((im, i) => ids.set(names[i] ?? 'copy', im.imageId));
    const versions = new Map<string, number>();
    for (const n of names) versions.set(n, await approveLabel(store, ids.get(n)!, n));
    await approveLabel(store, ids.get('copy')!, '24', HALF);
    // 21, 22 and 23 were held out by an earlier run (they stay held out and judge).
    earlierHeldOut(
      store,
      base,
      names.map((n) => ({ imageId: ids.get(n)!, maskVersionId: versions.get(n)! })),
    );
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("is left out of the replay, so the trainer's validation never splits it from the store image", async () => {
    const snap = await planSnapshot(store, base, { ...SETTINGS, replayImages: 10 });
    assert.deepEqual(
      snap.train.map((e) => e.imageId),
      [ids.get('copy')!],
    );
    assert.deepEqual(snap.validation, []);
    assert.deepEqual(
      snap.replay.dataset.map((d) => d.sampleId),
      ['25_training', '26_training'],
      'DRIVE 24 is replayed beside its copy in the store',
    );
    // What the trainer sees, grouped by the files' own content: no photograph is fitted and validated at once.
    const set = await writeTrainingSet(store, snap, await mkdtemp(path.join(dir, 'set-')));
    const refs = set.dataset.splits.train;
    const groups = await set.sampleGroups(refs);
    const content = await datasetSampleGroups(refs);
    for (let seed = 0; seed < 12; seed++) {
      const split = splitValidation(refs, 2, seed, (id) => groups.get(id) ?? id);
      const validating = new Set(split.val.map((r) => content.get(r.id)));
      const fitted = split.fit.filter((r) => validating.has(content.get(r.id))).map((r) => r.id);
      assert.deepEqual(fitted, [], `seed ${seed}: a copy of a validation photograph is fitted`);
    }
  });
});

describe('held-out leakage in the artery/vein and optic-disc retrains', () => {
  let dir: string;
  let store: Store;
  const ids = new Map<string, number>();
  const versions = new Map<string, number>();
  const id = (n: string): number => ids.get(n)!;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-leakage-'));
    store = openStore(path.join(dir, 'retina.db'));
    const vessel = registerModel(store, { name: 'vessel', dirPath: dir, architecture: {} }, 't');
    // 01 again as a PNG under another name: other bytes, so the import's hash keeps both.
    const copy = path.join(dir, 'scan-0417.png');
    await sharp(driveTestImagePath('01')).png().toFile(copy);
    const names = ['01', '02', '03', '04', '05', '06'];
    const report = await importImageFiles(
      store,
      [...names.map((n) => ({ imagePath: driveTestImagePath(n) })), { imagePath: copy }],
      { actor: 't' },
    );
    report.imported.forEach((im, i) => ids.set(names[i] ?? 'copy', im.imageId));
    for (const n of [...names, 'copy']) {
      const driveId = n === 'copy' ? '01' : n;
      const approved = await approveAnatomyPrediction(store, {
        imageId: id(n),
        driveId,
        vesselModelId: vessel.id,
        correct: true,
      });
      versions.set(n, approved);
    }
    // 02 and 03: two visits of one eye.
    twoVisits(store, id('02'), id('03'), 'pt-9', 'OS');
  });

  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const task of ['artery-vein', 'optic-disc'] as const)
    test(`${task}: a held-out photograph's copy and its eye's other visit are held out with it, and judge as one sample`, async () => {
      const base = registerModel(store, { name: task, dirPath: dir, architecture: {}, task }, 't');
      const run = startTrainingRun(
        store,
        {
          config: {
            kind: ANATOMY_RUN_KIND,
            task,
            snapshot: {
              heldOut: ['01', '02'].map((n) => ({ imageId: id(n), maskVersionId: versions.get(n)! })),
            },
          },
          seed: 1,
          baseModelId: base.id,
        },
        't',
      );
      finishTrainingRun(store, run.id, { status: 'failed', outcome: { reason: 'test' } }, 't');
      // No replay: a manifest without training ids.
      const manifest = { provenance: {} } as ModelManifest;
      const step = await planAnatomySnapshot(store, task, base, manifest, SETTINGS);
      assert.ok('snapshot' in step, 'skipped' in step ? step.skipped : '');
      const { snapshot } = step;
      const trained = new Set(snapshot.train.map((e) => e.imageId));
      const heldOut = new Set(snapshot.heldOut.map((e) => e.imageId));
      for (const n of ['copy', '03']) {
        assert.ok(!trained.has(id(n)), `${n} is trained on while its twin is held out`);
        assert.ok(heldOut.has(id(n)), `${n} is not held out with its twin`);
      }
      assert.ok(trained.size > 0);
      assert.deepEqual(snapshot.heldOutGroups, [
        [id('01'), id('copy')],
        [id('02'), id('03')],
      ]);
      // Five images, three eyes: both twins, and the one photograph picked to reach the minimum of three.
      assert.equal(heldOut.size, 5);
      const twins = new Set(['01', 'copy', '02', '03'].map(id));
      // The two grouped eyes gain 0.05 on each of their images, the third eye nothing.
      const images = snapshot.heldOut.map((e) => {
        const gain = twins.has(e.imageId) ? 0.05 : 0;
        return task === 'artery-vein'
          ? { ...e, candidate: 0.8 + gain, active: 0.8 }
          : { ...e, candidate: 0.2 - gain, active: 0.2 };
      });
      const rules = { minImages: SETTINGS.minHeldOut, margin: SETTINGS.promotionMargin, seed: 1 };
      const apart = judgeAnatomy(task, images, rules);
      assert.equal(apart.better, true, `counted apart, five samples: ${apart.reason}`);
      const v = judgeAnatomy(task, images, rules, snapshot);
      assert.equal(v.better, false, v.reason);
      assert.equal(v.usableImages, 5);
      assert.equal(v.usableGroups, 3);
      assert.match(v.reason, /on 5 corrected images in 3 independent groups: not clearly better$/);
    });
});
