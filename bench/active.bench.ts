// `npm run bench:active`: does "Review next" (lowest expected F1 first) save annotation? A simulated study (issue 14)
// on images the default model never saw: LES-AV's held-out half (split_test_rmaphoh.txt, 11 images) is split by a
// fixed hash into a pool of 6 and a test part of 5 (design.ts). From the default model, for k = 1, 2, 4 the
// annotator corrects k pool images, their ground truth standing in for the corrections, chosen (a) by "Review
// next" over the default model's predictions of the pool, (b) at random with seeds 1, 2, 3; each choice gets a
// fresh store and one retrain through runRetrain, the Retrain button's path (round.ts), and its candidate is scored
// on the test part, promoted or not (pooled F1 inside the FOV, each model at its own threshold).
// Changed from the one-click defaults, for so few approvals (round.ts, round-store.ts): minHeldOut 1 and
// heldOutFraction 0, with one LES-AV training-half image as the gate's held-out reference, so the gate can judge
// and all k images are trained on; the parent's DRIVE training images stand in the store as its replay data,
// because the bundled model's replay folder does not exist and without replay a single approval is refused.
// Options: --quick (k = 1, seed 1 only: a smoke run), --model DIR (a model with an uncertainty head; default the
// bundled one), --workers N (trainer workers), --threads N (ONNX threads); env RETINA_DATASETS.
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { loadSample } from '../main/ml/data/datasets.js';
import { evaluateModel } from '../main/ml/eval/evaluate.js';
import { segmentImage } from '../main/ml/infer.js';
import { openModel } from '../main/ml/model/model-loader.js';
import { MANIFEST_FILE, defaultModelDir, readManifest } from '../main/ml/model/model-dir.js';
import { datasetsRoot } from '../main/node/package-root.js';
import { choiceKey, maskF1, mean, randomOrder, reachesRandom, reviewNextOrder } from './active/design.js';
import { openStudyData, POOL_SIZE, TEST_SPLIT_FILE } from './active/data.js';
import { runRound, STUDY_SETTINGS, type RoundResult } from './active/round.js';
import { benchArgs, positiveInt } from './bench-args.js';

const USAGE =
  'Usage: npm run bench:active [-- --quick] [--model DIR] [--workers N] [--threads N]   (env RETINA_DATASETS)';
const values = benchArgs('active', USAGE, {
  quick: { type: 'boolean', default: false },
  model: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
});
const threads = positiveInt('active', USAGE, '--threads', values.threads, availableParallelism());
const workers = values.workers ? positiveInt('active', USAGE, '--workers', values.workers, 1) : undefined;
const datasets = datasetsRoot();
const needed = ['LES-AV', path.join('LES-AV', TEST_SPLIT_FILE), 'DRIVE'].map((p) => path.join(datasets, p));
const missing = needed.find((p) => !existsSync(p));
if (missing) {
  console.log(
    `bench:active: skipped: ${missing} not found (LES-AV with its rmaphoh split, DRIVE; set RETINA_DATASETS)`,
  );
  process.exit(0);
}
const modelDir = path.resolve(values.model ?? defaultModelDir());
if (!existsSync(path.join(modelDir, MANIFEST_FILE))) {
  console.error(`bench:active: no model at ${modelDir} (pass --model DIR)`);
  process.exit(1);
}
const manifest = await readManifest(modelDir);
if (!manifest.uncertainty?.head) {
  console.error(
    `bench:active: ${modelDir} has no uncertainty head, so "Review next" has no expected F1 to order by: ` +
      'fit one (retina calibrate) or pass --model DIR of a calibrated model',
  );
  process.exit(1);
}
const quick = values.quick;
const ks = quick ? [1] : [1, 2, 4];
const seeds = quick ? [1] : [1, 2, 3];
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const data = openStudyData(datasets, manifest);
const ids = (xs: { id: string }[]): string => xs.map((s) => s.id).join(' ');

async function scoreOnTest(dir: string): Promise<number> {
  const m = await openModel(dir, { engine: 'onnx', threads });
  try {
    return (await evaluateModel(m.manifest, m.predictor, data.testSet, 'test')).protocols.fov.pooled.f1;
  } finally {
    await m.predictor.dispose();
  }
}

/** The default model's predictions of the pool: expected F1 (what "Review next" orders by) and the true F1. */
async function predictPool(): Promise<Map<string, { expected: number; actual: number }>> {
  const m = await openModel(modelDir, { engine: 'onnx', threads });
  const out = new Map<string, { expected: number; actual: number }>();
  try {
    for (const ref of data.pool) {
      const s = await loadSample(ref);
      const seg = await segmentImage(s.image, m.manifest, m.predictor, { fov: s.fov, uncertainty: true });
      const expected = seg.uncertainty?.expectedF1;
      if (expected === undefined || !s.mask)
        throw new Error(`pool image ${ref.id}: no expected F1 or no label`);
      out.set(ref.id, { expected, actual: maskF1(seg.mask, s.mask.data, s.fov.data) });
      log(
        `pool ${ref.id}: expected F1 ${expected.toFixed(4)}, true F1 ${out.get(ref.id)!.actual.toFixed(4)}`,
      );
    }
  } finally {
    await m.predictor.dispose();
  }
  return out;
}

log(`bench:active: scoring the default model on the test part, predicting the pool`);
const baseF1 = await scoreOnTest(modelDir);
const poolScores = await predictPool();
const reviewOrder = reviewNextOrder(new Map([...poolScores].map(([id, s]) => [id, s.expected])));

interface Row {
  strategy: string;
  k: number;
  chosen: string[];
  result: RoundResult;
}
const rows: Row[] = [];
const done = new Map<string, RoundResult>();
const byId = new Map(data.pool.map((s) => [s.id, s]));
async function round(strategy: string, k: number, chosen: string[]): Promise<void> {
  const key = choiceKey(chosen);
  let result = done.get(key);
  if (result) log(`${strategy} k=${k}: same images as an earlier round (${key}): its result reused`);
  else {
    log(`${strategy} k=${k}: retraining with ${chosen.join(' ')}`);
    result = await runRound(
      { modelDir, replay: data.replay, gate: data.gate, chosen: chosen.map((id) => byId.get(id)!) },
      { workers, threads, score: scoreOnTest, log },
    );
    done.set(key, result);
  }
  rows.push({ strategy, k, chosen, result });
}
for (const k of ks) await round('review-next', k, reviewOrder.slice(0, k));
for (const seed of seeds) {
  const order = randomOrder(
    data.pool.map((s) => s.id),
    seed,
  );
  for (const k of ks) await round(`random s${seed}`, k, order.slice(0, k));
}

const f = (x: number | null): string => (x === null ? '   -  ' : x.toFixed(4));
const d = (x: number | null): string => (x === null ? '   -   ' : `${x >= 0 ? '+' : ''}${x.toFixed(4)}`);
const gain = (x: number | null): number | null => (x === null ? null : x - baseF1);
const line = (
  strategy: string,
  k: number | string,
  chosen: string,
  f1: number | null,
  note: string,
): string =>
  `  ${strategy.padEnd(12)} ${String(k).padStart(2)}  ${chosen.padEnd(16)} ${f(f1)}  ${d(gain(f1))}  ${note}`;
const randomMean = (k: number): number | null => {
  const f1s = rows.filter((r) => r.strategy.startsWith('random') && r.k === k).map((r) => r.result.f1);
  return f1s.length > 0 && f1s.every((x) => x !== null) ? mean(f1s as number[]) : null;
};

const out = [
  `bench:active on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'} (trainer workers ${workers ?? 'default'}, ONNX threads ${threads})${quick ? ' --quick' : ''}`,
  `start model: ${modelDir}`,
  `LES-AV ${TEST_SPLIT_FILE} (images the model never trained on), split by a fixed hash:`,
  `  pool (${POOL_SIZE}): ${ids(data.pool)}    test part (${data.testSet.splits.test.length}): ${ids(data.testSet.splits.test)}`,
  `retrain: runRetrain, default settings but ${JSON.stringify(STUDY_SETTINGS)}; gate reference LES-AV ${data.gate.id} ` +
    `(training half, dataset test split); replay pool: the parent's ${data.replay.length} DRIVE training images`,
  `pool by "Review next" (expected F1 of the default model's prediction, lowest first; true F1 beside it):`,
  `  ${reviewOrder.map((id) => `${id} ${poolScores.get(id)!.expected.toFixed(3)} (${poolScores.get(id)!.actual.toFixed(3)})`).join(', ')}`,
  `test part, pooled F1 inside the FOV (candidate of each round, promoted or not):`,
  `  ${'strategy'.padEnd(12)} ${'k'.padStart(2)}  ${'images'.padEnd(16)} ${'F1'.padEnd(6)}  ${'gain'.padEnd(7)}  gate / plan`,
  line('default', 0, '-', baseF1, ''),
];
for (const k of ks) {
  for (const r of rows.filter((x) => x.k === k)) {
    const note = r.result.refused
      ? `REFUSED: ${r.result.refused}`
      : `${r.result.gate} | ${r.result.plan}, ${r.result.seconds.toFixed(0)} s`;
    out.push(line(r.strategy, k, r.chosen.join(' '), r.result.f1, note));
  }
  if (seeds.length > 1) out.push(line('random mean', k, `${seeds.length} seeds`, randomMean(k), ''));
}
const answer = reachesRandom(
  new Map(rows.filter((r) => r.strategy === 'review-next').map((r) => [r.k, r.result.f1])),
  ks.includes(4) ? randomMean(4) : null,
  2,
);
out.push(
  answer.answered
    ? `"Review next" with at most 2 images ${answer.reached ? 'REACHES' : 'does NOT reach'} random's 4-image F1: ` +
        `best ${answer.best.toFixed(4)} (k = ${answer.bestK}) vs random mean ${randomMean(4)!.toFixed(4)} at k = 4 ` +
        `(${seeds.length} seeds; one test part of ${data.testSet.splits.test.length} images, so differences of a ` +
        `few thousandths are within noise)`
    : `"Review next" vs random's 4-image F1: not answered (${quick ? '--quick runs k = 1 only' : 'a round was refused'})`,
);
console.log(out.join('\n'));
