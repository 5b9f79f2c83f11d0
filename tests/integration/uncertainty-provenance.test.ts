// Where an uncertainty head comes from: `retina calibrate` finds the model's validation images again from its
// manifest (and says which are missing), and a fine-tuned model keeps its parent's head, naming where it came from.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readManifest, writeManifest } from '../../main/ml/model/model-dir.js';
import { validationRefs } from '../../main/cli/calibrate-command.js';
import { inheritUncertainty } from '../../main/retrain/candidate.js';
import { datasetsRoot, repoRoot } from '../e2e/model-fixture.js';

const BUNDLED = path.join(repoRoot, 'resources', 'models', 'default');

describe('uncertainty head provenance', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test("calibrate finds the bundled model's validation images across its mix, and names any that are missing", async () => {
    const manifest = await readManifest(BUNDLED);
    const refs = validationRefs(manifest, datasetsRoot);
    assert.deepEqual(refs.map((r) => r.id).sort(), [...manifest.provenance.validationIds].sort());
    assert.ok(refs.every((r) => r.maskPath));
    const broken = {
      ...manifest,
      provenance: {
        ...manifest.provenance,
        validationIds: [...manifest.provenance.validationIds, 'drive/99_nowhere'],
      },
    };
    assert.throws(() => validationRefs(broken, datasetsRoot), /not found: drive\/99_nowhere/);
    const single = { ...manifest, provenance: { ...manifest.provenance, dataset: 'DRIVE' } };
    assert.throws(() => validationRefs(single, datasetsRoot), /--dataset DIR/);
  });

  test("a fine-tuned model keeps its parent's head and says where it came from; without one nothing changes", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-inherit-'));
    dirs.push(dir);
    const parent = path.join(dir, 'parent');
    const child = path.join(dir, 'child');
    await cp(BUNDLED, parent, { recursive: true });
    await cp(BUNDLED, child, { recursive: true });
    const { uncertainty, ...bare } = await readManifest(child);
    assert.ok(uncertainty, 'the bundled model has a head');
    await writeManifest(child, { ...bare, name: 'child' });
    const inherited = await inheritUncertainty(parent, child, { ...bare, name: 'child' });
    assert.deepEqual(inherited.uncertainty?.head, uncertainty.head);
    assert.equal(inherited.uncertainty?.inheritedFrom, 'default');
    assert.deepEqual((await readManifest(child)).uncertainty, inherited.uncertainty, 'written to the child');

    await writeManifest(parent, { ...bare, name: 'headless' });
    const plain = await inheritUncertainty(parent, child, { ...bare, name: 'child' });
    assert.equal(plain.uncertainty, undefined);
  });
});
