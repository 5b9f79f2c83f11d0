// Turns weights trained by train_artery_vein.py into a model directory like `retina train-anatomy` writes: the
// network in tfjs (what the app's retrain fine-tunes), the manifest with the run's provenance and the epoch score
// `retina train-anatomy` would have chosen by, and the ONNX export.
//   node --import tsx scripts/gpu-training/import-artery-vein.ts --export .gpu --run OUT/D --out models-local/av
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { arteryVeinSplits } from '../../main/ml/anatomy/anatomy-datasets.js';
import { writeAnatomyModelDir } from '../../main/ml/anatomy/anatomy-training.js';
import {
  ARTERY_VEIN_CONFIG,
  prepareArteryVein,
  validateArteryVein,
} from '../../main/ml/anatomy/train-artery-vein.js';
import { loadFlatWeights, type FlatWeightSpec } from '../../main/ml/model/flat-weights.js';
import { buildUNet, countParameters } from '../../main/ml/model/model.js';
import { openModel } from '../../main/ml/model/model-loader.js';
import { DEFAULT_PREPROCESS } from '../../main/ml/image/preprocess.js';
import { initTf } from '../../main/ml/tf.js';
import { createTfjsPredictor } from '../../main/ml/train/trainer.js';
import { modelToArtifacts, writeArtifacts } from '../../main/ml/train/model-files.js';
import type { ModelManifest } from '../../main/ml/types.js';

interface RunSummary {
  args: { seed: number; patch: number; batch: number; lr: number; seconds: number; ema: number };
  steps: number;
  patchesSeen: number;
  seconds: number;
  torch: string;
  gpu: string;
  best: { acc: number; step: number; which: string };
  curve: { step: number; loss: number; val: number; valEma: number }[];
}

const { values } = parseArgs({
  options: {
    export: { type: 'string', default: '.gpu' },
    run: { type: 'string' },
    data: { type: 'string', default: '../shared/datasets' },
    out: { type: 'string' },
    name: { type: 'string', default: 'artery-vein' },
  },
});
if (!values.run || !values.out) throw new Error('usage: --run DIR (best.bin, summary.json) --out MODEL_DIR');
const run = JSON.parse(readFileSync(join(values.run, 'summary.json'), 'utf8')) as RunSummary;
const specs = JSON.parse(readFileSync(join(values.export!, 'init.json'), 'utf8')) as FlatWeightSpec[];
const bytes = readFileSync(join(values.run, 'best.bin'));
const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

await initTf();
const architecture = ARTERY_VEIN_CONFIG.architecture;
const model = buildUNet(architecture);
loadFlatWeights(model, { specs, data });

const splits = arteryVeinSplits(values.data!);
const vessel = await openModel(undefined);
const val = [];
for (const r of splits.validation) val.push(await prepareArteryVein(r, vessel));
const score = await validateArteryVein(await createTfjsPredictor(model), val);
process.stderr.write(`validation (as train-anatomy scores an epoch): ${JSON.stringify(score.detail)}\n`);

const manifest: ModelManifest = {
  format: 'retinastudio-model',
  formatVersion: 1,
  name: values.name!,
  createdAt: new Date().toISOString(),
  anatomy: { task: 'artery-vein', input: 'rgb-clahe', downsample: 1, validation: score.detail },
  architecture,
  preprocess: DEFAULT_PREPROCESS,
  threshold: 0.5,
  patchSize: run.args.patch,
  frame: vessel.manifest.frame!,
  parameters: countParameters(architecture),
  provenance: {
    dataset: 'RITE + LES-AV',
    datasetKind: 'generic',
    trainIds: splits.train.map((r) => r.id),
    validationIds: splits.validation.map((r) => r.id),
    seed: run.args.seed,
    // An epoch here is what it is in train-anatomy: the steps between two validations.
    epochs: run.curve.length,
    patchesSeen: run.patchesSeen,
    durationSeconds: run.seconds,
    backend: `PyTorch ${run.torch}, CUDA, bfloat16`,
    machine: `1 x ${run.gpu}`,
    loss: 'bce',
    augment: ARTERY_VEIN_CONFIG.augment,
    trainedBy:
      `scripts/gpu-training/train_artery_vein.py: ${run.steps} steps of ${run.args.batch}, peak learning rate ` +
      `${run.args.lr}, ${run.best.which === 'ema' ? `the weights' moving average (${run.args.ema}) ` : ''}at step ${run.best.step}`,
    validationCurve: run.curve.map((e, i) => ({
      epoch: i + 1,
      trainLoss: e.loss,
      valLoss: 0,
      valF1: Math.max(e.val, e.valEma),
      valAuc: 0,
    })),
  },
};
await writeAnatomyModelDir(
  values.out,
  async (dir) => writeArtifacts(dir, await modelToArtifacts(model)),
  manifest,
  true,
);
await vessel.predictor.dispose();
process.stderr.write(`wrote ${values.out} (${cpus().length} cores here; trained on ${run.gpu})\n`);
