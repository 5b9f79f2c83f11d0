// A card whose sections were scored again ('retina card --rescore') says which and when in its header, beside the
// date of the evaluation whose times and other sections it keeps; one never re-scored says nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readCardEvaluation, renderModelCard } from '../../main/ml/eval/model-card.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { repoRoot } from '../e2e/model-fixture.js';

const DIR = path.join(repoRoot, 'resources', 'models', 'default');

test('the card header names the sections re-scored and their day', async () => {
  const ev = await readCardEvaluation(DIR);
  const manifest = await readManifest(DIR);
  const header = (rescored: typeof ev.rescored) =>
    renderModelCard({ ...ev, rescored }, manifest).split('\n')[2];
  assert.match(header(undefined), /do not edit by hand\.$/);
  assert.match(
    header({
      stare: '2026-12-06T10:00:00.000Z',
      resized: '2026-12-06T10:30:00.000Z',
      lesav: '2026-12-07T01:00:00.000Z',
    }),
    /hand\. STARE and enlarged DRIVE re-scored on 2026-12-06; LES-AV re-scored on 2026-12-07 \(`retina card --rescore`\)\.$/,
  );
});
