// The optic-disc card lists the held-out images outside the goals under its table, from the bundled model's own
// evaluation JSON: one line per miss, as many as the table's shares imply, and none for an evaluation made before
// the misses were recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  anatomyCard,
  readAnatomyEvaluation,
  writeAnatomyEvaluation,
} from '../../main/ml/anatomy/anatomy-card.js';
import { opticDiscMisses } from '../../main/ml/anatomy/evaluate-anatomy.js';
import { repoRoot } from '../e2e/model-fixture.js';

const DIR = path.join(repoRoot, 'resources', 'models', 'optic-disc');

test("the disc card names each held-out image outside the goals, as many as the table's shares leave out", async () => {
  const manifest = JSON.parse(await readFile(path.join(DIR, 'retina-model.json'), 'utf8'));
  const evaluation = await readAnatomyEvaluation(DIR);
  const rows = evaluation.opticDisc!;
  const lines = anatomyCard(manifest, evaluation)
    .split('\n')
    .filter((l) => /^- .*: [a-z-]+\/\S+, (diameter \d\.\d\dx|no disc found)/.test(l));
  for (const r of rows) {
    assert.ok(r.misses, `${r.images}: misses recorded`);
    // Every miss is a diameter or a centre outside its goal, so the two shares bound the count.
    const byShares = Math.round(r.n * (1 - Math.min(r.centreWithinQuarter, r.diameterWithin15)));
    assert.ok(
      r.misses.length >= byShares,
      `${r.images}: ${r.misses.length} misses, the table implies ${byShares}`,
    );
    for (const m of r.misses) {
      assert.ok(
        lines.some((l) => l.startsWith(`- ${r.images}: ${m.id},`)),
        `${m.id} is not listed`,
      );
      if (m.diameterRatio !== null && m.centre !== null)
        assert.ok(Math.abs(m.diameterRatio - 1) > 0.15 || m.centre > 0.25, `${m.id} is within the goals`);
    }
  }
  assert.equal(
    lines.length,
    rows.reduce((s, r) => s + r.misses!.length, 0),
  );
  const older = { ...evaluation, opticDisc: rows.map(({ misses: _omit, ...r }) => r) };
  assert.ok(!anatomyCard(manifest, older).includes('Outside the goals'));
});

test('an image where no disc was found is listed as such', async () => {
  const [row] = (await readAnatomyEvaluation(DIR)).opticDisc!;
  const lines = opticDiscMisses([
    { ...row, misses: [{ id: 'drions/image_999', centre: null, diameterRatio: null }] },
  ]);
  assert.deepEqual(lines, [`- ${row.images}: drions/image_999, no disc found`]);
});

// A held-out image with no disc found has an infinite centre error: the worst (and, when half miss, the median).
// JSON wrote it as null and 'retina card --from-json' then failed on null.toFixed; the card printed 'Infinity'.
test('a set whose worst image has no disc found survives the evaluation JSON and reads "no disc"', async () => {
  const manifest = JSON.parse(await readFile(path.join(DIR, 'retina-model.json'), 'utf8'));
  const [row] = (await readAnatomyEvaluation(DIR)).opticDisc!;
  const missed = { ...row, worstCentreError: Infinity, medianCentreError: Infinity };
  const dir = await mkdtemp(path.join(tmpdir(), 'disc-card-'));
  try {
    await writeAnatomyEvaluation(dir, { createdAt: '2026-01-01T00:00:00.000Z', opticDisc: [missed] });
    const back = await readAnatomyEvaluation(dir);
    const line = anatomyCard(manifest, back)
      .split('\n')
      .find((l) => l.startsWith(`| ${row.images} |`));
    assert.ok(line?.includes('| no disc | no disc |'), line);
    assert.ok(!anatomyCard(manifest, { ...back, opticDisc: [missed] }).includes('Infinity'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
