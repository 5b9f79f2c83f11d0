// The model card's uncertainty table, rendered from the bundled default model's own evaluation JSON and manifest:
// one row per camera measured (DRIVE test, STARE test, LES-AV held-out) with the JSON's figures, and a card made
// before STARE was measured there renders without its row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readCardEvaluation, renderModelCard } from '../../main/ml/eval/model-card.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { repoRoot } from '../e2e/model-fixture.js';

const DIR = path.join(repoRoot, 'resources', 'models', 'default');

test('the uncertainty table has a row per camera measured, with the figures of the evaluation JSON', async () => {
  const ev = await readCardEvaluation(DIR);
  const manifest = await readManifest(DIR);
  const u = ev.uncertainty;
  assert.ok(u?.stare && u.lesav, 'the bundled evaluation measures the uncertainty on STARE and LES-AV');
  const rows = renderModelCard(ev, manifest)
    .split('\n')
    .filter((l) => /^\| (DRIVE test|STARE test|LES-AV held-out) \(\d+\) \| 0\.\d{4} \| 0\.\d{4} \|/.test(l));
  assert.deepEqual(
    rows.map((l) => l.split(' | ').slice(0, 3)),
    [
      [`| DRIVE test (${u.drive.images})`, u.drive.auroc.toFixed(4), u.drive.baselineAuroc.toFixed(4)],
      [`| STARE test (${u.stare.images})`, u.stare.auroc.toFixed(4), u.stare.baselineAuroc.toFixed(4)],
      [`| LES-AV held-out (${u.lesav.images})`, u.lesav.auroc.toFixed(4), u.lesav.baselineAuroc.toFixed(4)],
    ],
  );
  const older = renderModelCard({ ...ev, uncertainty: { ...u, stare: undefined } }, manifest);
  assert.ok(!older.includes('| STARE test ('), 'a card without STARE figures shows no STARE row');
  assert.ok(older.includes('| DRIVE test ('), 'the other rows stay');
});

test('the card says which test images a model trained on, and keeps the bundled recipe to its own models', async () => {
  const ev = await readCardEvaluation(DIR);
  const manifest = await readManifest(DIR);
  assert.match(renderModelCard(ev, manifest), /Never trained on any test image below\./);
  // A quick model trained on four DRIVE test images (it was told "never trained on any test image").
  const leaky = {
    ...manifest,
    frame: undefined,
    provenance: {
      ...manifest.provenance,
      dataset: 'leak',
      parentModel: undefined,
      trainIds: ['01_test', '02_test', '03_test', '04_test'],
    },
  };
  const card = renderModelCard(ev, leaky);
  assert.match(card, /\*\*Trained on 4 of the test images below \(01_test, 02_test, 03_test, 04_test\)/);
  assert.doesNotMatch(card, /Never trained on any test image/);
  assert.doesNotMatch(card, /generalist/, "the bundled recipe's history is not this model's");
  assert.match(card, /Reproduce: `npx retina train --dataset leak --seed \d+ --epochs \d+ --out M`/);
});

test('a model retrained on a study names what it learnt by dataset and sample: the card sees a test image among them', async () => {
  const ev = await readCardEvaluation(DIR);
  const manifest = await readManifest(DIR);
  const retrained = {
    ...manifest,
    frame: undefined,
    provenance: {
      ...manifest.provenance,
      dataset: 'study clinic.db',
      datasetKind: 'study',
      parentModel: 'default',
      trainIds: ['DRIVE/02_test', 'clinic-2026/eye7', 'drive/21_training'],
    },
  };
  const card = renderModelCard(ev, retrained);
  assert.match(card, /\*\*Trained on 1 of the test images below \(.*02_test\)/);
  assert.match(
    card,
    /Retrained by `retina retrain` on the approved masks of study clinic\.db \(parent default\)/,
  );
  assert.doesNotMatch(card, /npx retina train --dataset study/);
});
