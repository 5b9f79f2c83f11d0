// Replay for a model trained on a mix of datasets (the bundled model): its training images are found again in each
// part's own folder, so a retrain of it rehearses every camera it learnt from rather than none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { trainingSources } from '../../main/retrain/snapshot.js';
import { repoRoot } from '../e2e/model-fixture.js';

test("the bundled model's mix is found again folder by folder, every training image once", async () => {
  const manifest = await readManifest(path.join(repoRoot, 'resources', 'models', 'default'));
  assert.equal(manifest.provenance.dataset, 'mix-generalist');
  const sources = trainingSources(manifest);
  assert.deepEqual(sources.map((s) => path.basename(s.root)).sort(), ['AV-WIDE', 'DRIVE', 'LES-AV', 'STARE']);
  const found = sources
    .flatMap((s) => s.ids.map((id) => `${path.basename(s.root).toLowerCase()}/${id}`))
    .sort();
  assert.deepEqual(found, [...manifest.provenance.trainIds].sort());
});
