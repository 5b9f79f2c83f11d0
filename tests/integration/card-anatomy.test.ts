// `retina card` on the bundled anatomy models: --rescore, --retime, --uncertainty-only and the dataset folders shape
// the vessel model's card, so they are refused for them (they used to be ignored: the whole anatomy card scored
// again, or regenerated without the timing asked for).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';

const CLI = path.join(repoRoot, 'main', 'cli', 'main.ts');

test("the vessel card's options are refused for an artery/vein or optic-disc model, the card untouched", async () => {
  // No datasets: a command that went on to score would fail on them (exit 1) rather than run for long. With
  // --from-json, one that went on would rewrite the card (without the timing --retime asked for).
  const empty = await mkdtemp(path.join(tmpdir(), 'card-anatomy-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--rescore', 'drive'], /--rescore applies to the vessel model's card/],
      [['--from-json', '--retime'], /--retime applies to the vessel model's card/],
      [['--uncertainty-only'], /--uncertainty-only applies/],
      [['--stare', empty, '--no-resized'], /--stare, --no-resized apply to the vessel model's card/],
    ];
    for (const name of ['artery-vein', 'optic-disc']) {
      const dir = path.join(repoRoot, 'resources', 'models', name);
      const before = await readFile(path.join(dir, 'MODEL_CARD.md'), 'utf8');
      for (const [args, said] of cases) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'card', '--model', dir, ...args], {
          cwd: repoRoot,
          encoding: 'utf8',
          env: { ...process.env, RETINA_DATASETS: empty },
        });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, said);
        assert.equal(await readFile(path.join(dir, 'MODEL_CARD.md'), 'utf8'), before);
      }
    }
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

// An evaluation made before the images scored were recorded: --from-json lists them from the fixed test splits
// (nothing scored again), records them, and the card names the AV-WIDE images the vessel model learnt.
test('card --from-json records the held-out images an older evaluation lacks and checks them', async () => {
  const tmp = await mkdtemp(path.join(tmpdir(), 'card-anatomy-'));
  try {
    const dir = path.join(tmp, 'optic-disc');
    await cp(path.join(repoRoot, 'resources', 'models', 'optic-disc'), dir, { recursive: true });
    const file = path.join(dir, 'anatomy-evaluation.json');
    const ev = JSON.parse(await readFile(file, 'utf8')) as { opticDisc: { ids?: string[] }[] };
    const ids = ev.opticDisc.map((r) => r.ids);
    for (const r of ev.opticDisc) delete r.ids;
    await writeFile(file, JSON.stringify(ev));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'card', '--model', dir, '--from-json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const back = JSON.parse(await readFile(file, 'utf8')) as { opticDisc: { ids?: string[] }[] };
    assert.deepEqual(
      back.opticDisc.map((row) => row.ids),
      ids,
    );
    const card = await readFile(path.join(dir, 'MODEL_CARD.md'), 'utf8');
    assert.match(card, /^- AV-WIDE held out: 7 of 7 images; default trained on 6 .* picked its epoch on 1/m);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
