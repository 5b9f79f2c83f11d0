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
