// `npm run bench:retrain`: does one-click retraining make the bundled model better at another clinic's camera?
// Starting from the bundled default model, LES-AV's 11 training images (split_train_rmaphoh.txt) are imported with
// their vessel ground truth approved (as an annotator's corrections), the model is retrained through the code path
// of the Retrain button and `retina retrain` (runRetrain, default settings), and both models are scored on LES-AV's
// 11 held-out test images (split_test_rmaphoh.txt). Goal: F1 up by at least 0.03, the whole retrain under 5 minutes.
// Options: --model DIR (another starting model), --workers N, --threads N; env RETINA_DATASETS.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { openDataset } from '../main/ml/data/datasets.js';
import { evaluateModel } from '../main/ml/eval/evaluate.js';
import { openModel } from '../main/ml/model/model-loader.js';
import { MANIFEST_FILE, defaultModelDir } from '../main/ml/model/model-dir.js';
import { datasetsRoot } from '../main/node/package-root.js';
import type { DatasetRef, Metrics, SampleRef } from '../main/ml/types.js';
import {
  activeModel,
  getModel,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
} from '../main/store/index.js';
import { runRetrain } from '../main/retrain/run.js';
import { benchArgs, positiveInt } from './bench-args.js';

const USAGE =
  'Usage: npm run bench:retrain [-- --model DIR] [--workers N] [--threads N]   (env RETINA_DATASETS)';
const values = benchArgs('retrain', USAGE, {
  model: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
});
const threads = positiveInt('retrain', USAGE, '--threads', values.threads, availableParallelism());
const workers = values.workers ? positiveInt('retrain', USAGE, '--workers', values.workers, 1) : undefined;
const lesavRoot = path.join(datasetsRoot(), 'LES-AV');
const SPLIT_FILES = { train: 'split_train_rmaphoh.txt', test: 'split_test_rmaphoh.txt' } as const;
const missing = [lesavRoot, ...Object.values(SPLIT_FILES).map((f) => path.join(lesavRoot, f))].find(
  (p) => !existsSync(p),
);
if (missing) {
  console.log(
    `bench:retrain: skipped: ${missing} not found (LES-AV with its rmaphoh split; set RETINA_DATASETS)`,
  );
  process.exit(0);
}
const modelDir = path.resolve(values.model ?? defaultModelDir());
if (!existsSync(path.join(modelDir, MANIFEST_FILE))) {
  console.error(
    `bench:retrain: no model at ${modelDir}: the bundled default model has not been trained yet ` +
      '(retina train --recipe default --out resources/models/default), or pass --model DIR',
  );
  process.exit(1);
}

/** LES-AV with the split of its split files: the generic layout alone would put every labelled image in train. */
function openLesav(): DatasetRef {
  const ref = openDataset(lesavRoot);
  const pick = (file: string): SampleRef[] =>
    readFileSync(path.join(lesavRoot, file), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((id) => {
        const s = ref.splits.all.find((x) => x.id === id);
        if (!s?.maskPath)
          throw new Error(`${file} lists '${id}', which has no image with a vessel label in LES-AV`);
        return s;
      });
  const train = pick(SPLIT_FILES.train);
  const test = pick(SPLIT_FILES.test);
  // A test image among the corrections would inflate the gain the goal is about.
  const leaked = train.find((s) => test.includes(s));
  if (leaked) throw new Error(`LES-AV image '${leaked.id}' is in both the train and the test split`);
  return { ...ref, splits: { train, test, all: ref.splits.all } };
}
const lesav = openLesav();

async function scoreOnLesavTest(dir: string): Promise<{ fov: Metrics; images: number; seconds: number }> {
  const t0 = performance.now();
  const m = await openModel(dir, { engine: 'onnx', threads });
  try {
    const r = await evaluateModel(m.manifest, m.predictor, lesav, 'test');
    return { fov: r.protocols.fov.pooled, images: r.images, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await m.predictor.dispose();
  }
}

const work = await mkdtemp(path.join(tmpdir(), 'retina-bench-retrain-'));
const store = openStore(path.join(work, 'bench.db'));
try {
  const base = registerModel(store, { name: 'default', dirPath: modelDir, architecture: {} }, 'bench');
  promoteModel(store, base.id, 'bench', { reason: 'the bundled model' });

  const before = await scoreOnLesavTest(modelDir);

  const train = lesav.splits.train;
  const imported = await importImageFiles(
    store,
    train.map((s) => ({ imagePath: s.imagePath, maskPath: s.maskPath, fovPath: s.fovPath })),
    { actor: 'annotator' },
  );
  if (imported.imported.length !== train.length)
    throw new Error(`imported ${imported.imported.length} of ${train.length} LES-AV images`);

  let lastPhase = '';
  const t0 = performance.now();
  const outcome = await runRetrain(store, {
    actor: 'annotator',
    trigger: 'cli',
    promote: 'if-better',
    workers,
    threads,
    onProgress: (p) => {
      if (p.phase !== lastPhase) {
        lastPhase = p.phase;
        process.stderr.write(
          `[${((performance.now() - t0) / 1000).toFixed(0)} s] ${p.phase}: ${p.message}\n`,
        );
      }
    },
  });
  const retrainSeconds = (performance.now() - t0) / 1000;
  const candidate = getModel(store, outcome.candidateModelId);
  const after = await scoreOnLesavTest(candidate.dirPath);

  const f = (x: number): string => x.toFixed(4);
  const d = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  const dF1 = after.fov.f1 - before.fov.f1;
  const lines = [
    `bench:retrain on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'} (trainer workers ${workers ?? 'default'}, ONNX threads ${threads})`,
    `start model: ${modelDir}`,
    `retrain data: ${outcome.heldOut.images.length} held-out + ${train.length - outcome.heldOut.images.length} trained-on ` +
      `LES-AV training images (approved vessel labels), replay of the parent's training data; ` +
      `${outcome.losses.length} steps`,
    `LES-AV test (${before.images} held-out images of ${SPLIT_FILES.test}, FOV, pooled, each model at its own threshold):`,
    `  before  F1 ${f(before.fov.f1)}  AUC ${f(before.fov.aucRoc)}  (threshold ${f(before.fov.threshold)})`,
    `  after   F1 ${f(after.fov.f1)}  AUC ${f(after.fov.aucRoc)}  (threshold ${f(after.fov.threshold)})`,
    `  change  F1 ${d(dF1)}  AUC ${d(after.fov.aucRoc - before.fov.aucRoc)}`,
    `retrain's own held-out LES-AV training images: F1 ${f(outcome.heldOut.pooled.candidate.f1)} vs ${f(outcome.heldOut.pooled.active.f1)} -> ` +
      `${outcome.decision.promoted ? 'promoted' : 'not promoted'} (${outcome.decision.reason}); active now: ${activeModel(store)?.name}`,
    `retrain wall time: ${retrainSeconds.toFixed(1)} s (training ${outcome.trainSeconds.toFixed(1)} s)`,
    `goal: F1 +0.03 -> ${dF1 >= 0.03 ? 'met' : 'NOT met'}; under 300 s -> ${retrainSeconds < 300 ? 'met' : 'NOT met'}`,
  ];
  console.log(lines.join('\n'));
  process.exitCode = dF1 >= 0.03 && retrainSeconds < 300 ? 0 : 1;
} finally {
  store.close();
  await rm(work, { recursive: true, force: true });
}
