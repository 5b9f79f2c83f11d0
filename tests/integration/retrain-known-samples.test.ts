// A retrain never judges its candidate on images the active model learnt outside the store: the bundled default
// was trained on DRIVE's training images (its manifest names them), so those images, imported and approved, may
// be trained on but are never held out; with nothing else to judge on, the retrain says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importDataset, openStore, promoteModel, registerModel, type Store } from '../../main/store/index.js';
import { planSnapshot } from '../../main/retrain/snapshot.js';
import { DEFAULT_RETRAIN_SETTINGS } from '../../main/retrain/settings.js';
import { RetrainError } from '../../main/retrain/errors.js';
import { isKnownSample, manifestSamples } from '../../main/retrain/known-samples.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { repoRoot } from '../e2e/model-fixture.js';
import type { ModelManifest } from '../../main/ml/types.js';

const DEFAULT_MODEL = path.join(repoRoot, 'resources', 'models', 'default');

describe('images the active model learnt are never held out', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-known-samples-'));
    store = openStore(path.join(dir, 'retina.db'));
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("the bundled model's manifest names its samples; a store image is matched by dataset and id", async () => {
    const manifest = JSON.parse(
      await readFile(path.join(DEFAULT_MODEL, 'retina-model.json'), 'utf8'),
    ) as ModelManifest;
    const known = manifestSamples(manifest);
    // DRIVE's training folder imported on its own is named "training"; its ids say which dataset they are.
    assert.ok(isKnownSample({ dataset: 'training', datasetSampleId: '21_training' }, known));
    assert.ok(
      isKnownSample({ dataset: 'DRIVE', datasetSampleId: '26_training' }, known),
      'validation images too',
    );
    assert.ok(isKnownSample({ dataset: 'LES-AV', datasetSampleId: '111' }, known));
    // A bare number is LES-AV's only under LES-AV's name; a test image is no training image.
    assert.ok(!isKnownSample({ dataset: 'clinic-2026', datasetSampleId: '111' }, known));
    assert.ok(!isKnownSample({ dataset: 'DRIVE', datasetSampleId: '01_test' }, known));
    assert.ok(!isKnownSample({ dataset: null, datasetSampleId: null }, known));
  });

  test('DRIVE training approved under the bundled default: refused, saying those images cannot judge it', async () => {
    const base = registerModel(store, { name: 'default', dirPath: DEFAULT_MODEL, architecture: {} }, 't');
    promoteModel(store, base.id, 't');
    const report = await importDataset(store, path.join(datasetsRoot(), 'DRIVE', 'training'), { actor: 't' });
    assert.equal(report.imported.length, 20);
    await assert.rejects(
      planSnapshot(store, base, DEFAULT_RETRAIN_SETTINGS),
      (err: Error) =>
        err instanceof RetrainError &&
        /none is available \(20 of the new approvals are images default was trained on, which cannot judge it\)/.test(
          err.message,
        ),
    );
  });
});
