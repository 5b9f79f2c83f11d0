// Records in each bundled model's manifest the fingerprints (one-way hashes) of the photographs it trained and
// validated on (sampleFingerprints), computed from the datasets folder: a clinic's machine has no datasets, and a
// retrain there must still know a copy of one of them when a study imports it as a plain file. Hashes only, from
// which no photograph can be rebuilt. Run once after a bundled model is retrained:
//   node --import tsx scripts/sample-fingerprints.ts [datasets folder]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arteryVeinSplits, opticDiscSplits } from '../main/ml/anatomy/anatomy-datasets.js';
import { recordFingerprints } from '../main/ml/image/thumbnail-fingerprint.js';
import { manifestSamples, samplePhotographs } from '../main/ml/model/known-samples.js';
import { MANIFEST_FILE, readManifest } from '../main/ml/model/model-dir.js';
import { datasetsRoot, resourcesDir } from '../main/node/package-root.js';
import type { ModelManifest } from '../main/ml/types.js';

/** Each sample name of the manifest (as trainIds and validationIds spell it) with its photograph's path. */
function photographs(manifest: ModelManifest, root: string): Map<string, string> {
  const names = [...manifest.provenance.trainIds, ...manifest.provenance.validationIds];
  const task = manifest.anatomy?.task;
  if (task) {
    const splits = task === 'artery-vein' ? arteryVeinSplits(root) : opticDiscSplits(root);
    const refs = [...splits.train, ...splits.validation, ...Object.values(splits.test).flat()];
    return new Map(
      names.flatMap((n) => refs.filter((r) => r.id === n).map((r) => [n, r.imagePath] as const)),
    );
  }
  const samples = manifestSamples(manifest);
  if (samples.length !== names.length) throw new Error(`${manifest.name}: cannot name every sample`);
  const found = samplePhotographs(samples, root);
  return new Map(
    names.flatMap((n, i) =>
      found
        .filter((f) => f.sample.folder === samples[i].folder && f.sample.id === samples[i].id)
        .map((f) => [n, f.path] as const),
    ),
  );
}

const root = process.argv[2] ?? datasetsRoot();
for (const model of ['default', 'artery-vein', 'optic-disc']) {
  const dir = join(resourcesDir(), 'models', model);
  const manifest = await readManifest(dir);
  const files = photographs(manifest, root);
  const names = [...manifest.provenance.trainIds, ...manifest.provenance.validationIds];
  const missing = names.filter((n) => !files.has(n));
  if (missing.length > 0) throw new Error(`${model}: no photograph under ${root} for ${missing.join(', ')}`);
  const sampleFingerprints = await recordFingerprints(names.map((n) => [n, files.get(n)!] as const));
  // A blank photograph (black, or flat) has no fingerprint: it would match any other.
  const blank = names.filter((n) => !(n in sampleFingerprints));
  if (blank.length > 0) console.log(`${model}: too little field to fingerprint ${blank.join(', ')}`);
  // The file as it is, with the one field added: the checked manifest's normalised settings would rewrite others.
  const file = join(dir, MANIFEST_FILE);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...raw, sampleFingerprints }, null, 2) + '\n');
  console.log(`${model}: ${names.length} fingerprints`);
}
