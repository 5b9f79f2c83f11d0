// Every report in the bundled default model's evaluation.json names the model as its manifest does: evaluateModel
// writes manifest.name, and the DRIVE and LES-AV sections kept the name the model had when they were scored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readCardEvaluation } from '../../main/ml/eval/model-card.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { repoRoot } from '../e2e/model-fixture.js';

const DIR = path.join(repoRoot, 'resources', 'models', 'default');

test("the default model's evaluation names the model by its manifest's name in every section", async () => {
  const { name } = await readManifest(DIR);
  const ev = await readCardEvaluation(DIR);
  assert.equal(ev.modelName, name);
  const reports = {
    drive: ev.drive,
    stare: ev.stare,
    lesav: ev.lesav,
    ...Object.fromEntries((ev.driveResized ?? []).map((r) => [`drive x${r.factor}`, r.report])),
  };
  for (const [section, report] of Object.entries(reports)) {
    if (report) assert.equal(report.model, name, section);
  }
});
