// A retrain never trains on what it judges on through a back door: the same photograph imported again (another
// file, format and size) and another visit of the same eye fall on the held-out side with the image held out, and
// a held-out image whose copy the active model learnt cannot judge it; the gate counts such a group once. Real
// SQLite, real DRIVE photographs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { gateVerdict } from '../../main/retrain/promotion.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import { VESSEL_RUN_KIND } from '../../main/retrain/run-kinds.js';
import { datasetsRoot } from '../e2e/model-fixture.js';

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
    const copy = path.join(dir, 'scan-0193.png');
    await sharp(path.join(DRIVE, 'images', '21_training.tif'))
      .resize({ width: 282 })
      .png()
      .toFile(copy);
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
    versions.set('copy', await approveLabel(store, ids.get('copy')!, '21', 282));
    // 22 and 23: two visits of one eye.
    setClinical(store, [ids.get('22')!], { patientId: 'pt-7', eye: 'OD', visitDate: '2024-03-01' }, 't');
    setClinical(store, [ids.get('23')!], { patientId: 'pt-7', eye: 'OD', visitDate: '2025-03-04' }, 't');
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
