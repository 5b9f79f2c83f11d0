// An anatomy card says which of its held-out images the vessel model it runs with learnt: the optic-disc pipeline
// runs on the default vessel model's mask, and that model trained on 6 of the 7 AV-WIDE held-out images and picked
// its epoch on the 7th. The bundled cards are what the generator writes from their JSON, the note included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import {
  ANATOMY_CARD_FILE,
  anatomyCard,
  readAnatomyEvaluation,
  writeAnatomyCard,
} from '../../main/ml/anatomy/anatomy-card.js';
import { encodeFingerprint, fileFingerprint } from '../../main/ml/image/thumbnail-fingerprint.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { repoRoot } from '../e2e/model-fixture.js';

const models = path.join(repoRoot, 'resources', 'models');

async function bundled(name: string) {
  const dir = path.join(models, name);
  return {
    manifest: await readManifest(dir),
    evaluation: await readAnatomyEvaluation(dir),
    card: await readFile(path.join(dir, 'MODEL_CARD.md'), 'utf8'),
  };
}

test('the optic-disc card names the held-out images the default vessel model trained and validated on', async () => {
  const vessel = await readManifest(path.join(models, 'default'));
  const { manifest, evaluation, card } = await bundled('optic-disc');
  assert.equal(anatomyCard(manifest, evaluation, vessel), card, 'the bundled card is the generated one');
  const wide = evaluation.opticDisc!.find((r) => r.images === 'AV-WIDE held out')!;
  const trained = wide.ids!.filter((id) => vessel.provenance.trainIds.includes(id));
  const validated = wide.ids!.filter((id) => vessel.provenance.validationIds.includes(id));
  assert.deepEqual([trained.length, validated.length, wide.n], [6, 1, 7]);
  const line = card.split('\n').find((l) => l.startsWith('- AV-WIDE held out: 7 of 7 images;'));
  assert.ok(line, 'the AV-WIDE row is named');
  for (const id of [...trained, ...validated]) assert.ok(line.includes(id), `${id} is not named`);
  assert.match(card, /their figures may be optimistic/);
  // DRIVE test and DRIONS-DB were never shown to the vessel model.
  assert.doesNotMatch(card, /^- (DRIVE test|DRIONS-DB held out): \d+ of \d+ images;/m);
});

test('the artery/vein card says the vessel model learnt none of RITE test or LES-AV held out', async () => {
  const vessel = await readManifest(path.join(models, 'default'));
  const { manifest, evaluation, card } = await bundled('artery-vein');
  assert.equal(anatomyCard(manifest, evaluation, vessel), card, 'the bundled card is the generated one');
  const learnt = [...vessel.provenance.trainIds, ...vessel.provenance.validationIds];
  for (const r of evaluation.arteryVein!) {
    assert.equal(r.ids?.length, r.n, r.images);
    assert.deepEqual(
      r.ids!.filter((id) => learnt.includes(id)),
      [],
    );
  }
  assert.match(
    card,
    /vessel model it runs with, default .* trained and validated on none of the images held out/,
  );
});

test('rows without the images scored are said to be unchecked, not held out', async () => {
  const vessel = await readManifest(path.join(models, 'default'));
  const { manifest, evaluation } = await bundled('optic-disc');
  const older = { ...evaluation, opticDisc: evaluation.opticDisc!.map(({ ids: _omit, ...r }) => r) };
  const card = anatomyCard(manifest, older, vessel);
  assert.match(
    card,
    /The images scored for DRIVE test, DRIONS-DB held out and AV-WIDE held out are not recorded/,
  );
  assert.doesNotMatch(card, /none of the images/);
});

test('a vessel model that learnt RITE test photographs under other names is found by their fingerprints', async () => {
  const drive = path.join(
    process.env.RETINA_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets'),
    'DRIVE',
  );
  const vessel = await readManifest(path.join(models, 'default'));
  const { manifest, evaluation } = await bundled('artery-vein');
  // Retrained on a study whose DRIVE test photographs 01 and 02 were imported as plain files: its manifest names
  // them by the study's names, and only their fingerprints tell them.
  const photo = (n: string) => path.join(drive, 'test', 'images', `${n}_test.tif`);
  const print = async (n: string) => encodeFingerprint(await fileFingerprint(photo(n)))!;
  const retrained = {
    ...vessel,
    name: 'clinic-retrain',
    provenance: {
      ...vessel.provenance,
      trainIds: [...vessel.provenance.trainIds, 'study-7/visit-a'],
      validationIds: [...vessel.provenance.validationIds, 'study-7/visit-b'],
    },
    sampleFingerprints: {
      ...vessel.sampleFingerprints,
      'study-7/visit-a': await print('01'),
      'study-7/visit-b': await print('02'),
    },
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'anatomy-card-'));
  try {
    const pathOf = (id: string) => (id.startsWith('drive/') ? photo(id.slice(6, 8)) : undefined);
    await writeAnatomyCard(dir, manifest, evaluation, retrained, pathOf);
    const card = await readFile(path.join(dir, ANATOMY_CARD_FILE), 'utf8');
    assert.match(
      card,
      /^- RITE test: 2 of 20 images; clinic-retrain trained on 1 \(drive\/01_test\) and picked its epoch on 1 \(drive\/02_test\)\.$/m,
    );
    assert.doesNotMatch(card, /none of the images held out/);
    assert.doesNotMatch(card, /^- LES-AV held out/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
