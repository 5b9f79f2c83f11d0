// `retina train-anatomy`'s overrides of a task's recipe: what the command line sets, and nothing else; a patch side
// the network cannot use is refused; the card names the model a run started from, and a program outside the app
// that trained the weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseScaleRange, run, withOverrides } from '../../main/cli/train-anatomy-command.js';
import { UsageError } from '../../main/cli/errors.js';
import { anatomyCard, readAnatomyEvaluation } from '../../main/ml/anatomy/anatomy-card.js';
import { datasetsRoot, repoRoot } from '../e2e/model-fixture.js';
import { ARTERY_VEIN_CONFIG } from '../../main/ml/anatomy/train-artery-vein.js';

test('no options leave the recipe as it is', () => {
  assert.deepEqual(withOverrides(ARTERY_VEIN_CONFIG, {}), ARTERY_VEIN_CONFIG);
});

test('--seed, --epochs, --minutes and --learning-rate replace their fields only', () => {
  const c = withOverrides(ARTERY_VEIN_CONFIG, { seed: 7, epochs: 3, minutes: 2, learningRate: 4e-4 });
  assert.deepEqual(c, {
    ...ARTERY_VEIN_CONFIG,
    seed: 7,
    epochs: 3,
    maxMinutes: 2,
    learningRate: 4e-4,
    minLearningRate: 2e-5,
  });
  assert.notEqual(c.seed, ARTERY_VEIN_CONFIG.seed);
});

test('--patch-size and --batch-size replace their fields only', () => {
  const c = withOverrides(ARTERY_VEIN_CONFIG, { patchSize: 256, batchSize: 4 });
  assert.deepEqual(c, { ...ARTERY_VEIN_CONFIG, patchSize: 256, batchSize: 4 });
});

test('--steps-per-epoch and --patience replace their fields only', () => {
  const c = withOverrides(ARTERY_VEIN_CONFIG, { stepsPerEpoch: 160, patience: 40 });
  assert.deepEqual(c, { ...ARTERY_VEIN_CONFIG, stepsPerEpoch: 160, patience: 40 });
  assert.notEqual(ARTERY_VEIN_CONFIG.patience, 40);
});

test('--scale-range replaces the augmentation scale range only', () => {
  const c = withOverrides(ARTERY_VEIN_CONFIG, { scaleRange: parseScaleRange('0.6, 1.4') });
  assert.deepEqual(c, {
    ...ARTERY_VEIN_CONFIG,
    augment: { ...ARTERY_VEIN_CONFIG.augment!, scale: [0.6, 1.4] },
  });
  assert.deepEqual(ARTERY_VEIN_CONFIG.augment!.scale, [0.8, 1.25]);
});

test('--scale-range on a recipe without augmentation is refused, not dropped', () => {
  assert.throws(
    () => withOverrides({ ...ARTERY_VEIN_CONFIG, augment: null }, { scaleRange: [0.6, 1.4] }),
    (err: unknown) => err instanceof UsageError && /needs a recipe that augments/.test(err.message),
  );
});

test('a scale range that is not two positive factors in order is refused before any image is read', async () => {
  for (const bad of ['1.2', '1.3,0.7', '0,1', 'a,b', '0.8,1.2,1.4']) {
    await assert.rejects(
      run(['--task', 'artery-vein', '--data', datasetsRoot, '--out', '/nonexistent/x', '--scale-range', bad]),
      (err: unknown) => err instanceof UsageError && err.message.includes(`got '${bad}'`),
      bad,
    );
  }
});

test('a patch side the network cannot halve down to its bottleneck is refused before any image is read', async () => {
  await assert.rejects(
    run(['--task', 'artery-vein', '--data', datasetsRoot, '--out', '/nonexistent/x', '--patch-size', '100']),
    (err: unknown) =>
      err instanceof UsageError && /--patch-size must be a multiple of 16, got 100/.test(err.message),
  );
});

test('the card names the model a run started from, and says nothing of one when it started afresh', async () => {
  const dir = path.join(repoRoot, 'resources', 'models', 'artery-vein');
  const manifest = JSON.parse(await readFile(path.join(dir, 'retina-model.json'), 'utf8'));
  const evaluation = await readAnatomyEvaluation(dir);
  const line = '- Started from the weights of artery-vein (its earlier training not counted below).';
  assert.ok(
    anatomyCard(
      { ...manifest, provenance: { ...manifest.provenance, parentModel: 'artery-vein' } },
      evaluation,
    ).includes(line),
  );
  const { parentModel: _omit, ...afresh } = manifest.provenance;
  assert.ok(!anatomyCard({ ...manifest, provenance: afresh }, evaluation).includes('Started from'));
});

test('the card says when the weights were trained outside the app, and by what', async () => {
  const dir = path.join(repoRoot, 'resources', 'models', 'artery-vein');
  const manifest = JSON.parse(await readFile(path.join(dir, 'retina-model.json'), 'utf8'));
  const evaluation = await readAnatomyEvaluation(dir);
  const by = 'scripts/gpu-training/train_artery_vein.py: 10 steps of 2';
  const card = anatomyCard(
    { ...manifest, provenance: { ...manifest.provenance, trainedBy: by } },
    evaluation,
  );
  assert.match(
    card,
    /- Trained outside the app by scripts\/gpu-training\/train_artery_vein\.py: 10 steps of 2, on the same frame/,
  );
  assert.match(card, /one-click retrain fine-tunes these weights with tfjs/);
  const { trainedBy: _omit, ...here } = manifest.provenance;
  assert.ok(!anatomyCard({ ...manifest, provenance: here }, evaluation).includes('Trained outside the app'));
});

test("--help's entry for --init is a whole sentence (it stopped at 'train on')", async () => {
  let help = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    help += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await run(['--help']);
  } finally {
    process.stdout.write = write;
  }
  // The entry and its continuation lines, up to the next option.
  const entry = /^ {2}--init DIR(.*(?:\n {4,}[^-\s].*)*)/m.exec(help)?.[1] ?? '';
  assert.match(entry, /weights/);
  assert.doesNotMatch(entry.trimEnd(), /\b(?:on|to|the|of|and|or|with)$|:$/);
});
