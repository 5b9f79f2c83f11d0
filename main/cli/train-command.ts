// `retina train`: trains a model on a dataset with a named recipe, overridable option by option.
import { flag, num, oneOf, parseCommand, printJson, requireStr, str } from './args.js';
import { UsageError, EXIT } from './errors.js';
import { interruptSignal } from './interrupt.js';
import { trainProgress } from './train-progress.js';
import { recipe, RECIPES } from '../ml/train/recipes.js';
import { openDataset } from '../ml/data/datasets.js';
import { defaultDatasets } from './datasets-arg.js';
import { hasCheckpoint, trainModel, TrainingInterruptedError } from '../ml/train/training-run.js';
import { basename, resolve } from 'node:path';
import { openMix } from '../ml/data/dataset-mix.js';
import { readManifest } from '../ml/model/model-dir.js';
import { datasetSampleGroups } from '../retrain/image-groups.js';

const HELP = `
Usage: retina train --out DIR [--dataset DIR] [options]

Trains a U-Net on a dataset (DRIVE, STARE or a generic images/ masks/ [fov/] folder) and writes a model
directory (weights, ONNX export, preprocessing, threshold chosen on validation images, provenance, test metrics).
Validation images are chosen by seed, one eye at a time: the photographs of one eye (a patient and eye in the
file names, e.g. pt-0042_OD_2021.png) and copies of one photograph are all fitted or all validated. With --mix,
the mix's fixed validation images validate, and so do the other photographs of their eyes and their copies.
Interrupted runs keep a checkpoint in DIR.checkpoint; --resume continues from it.

Options:
  --dataset DIR       dataset folder (default: $RETINA_DATASETS/DRIVE, else ../shared/datasets/DRIVE);
                      with --mix, the folder of datasets
  --mix NAME          train on a named mix of datasets (generalist: DRIVE, STARE, LES-AV, AV-WIDE)
  --init DIR          start from this model's weights (fine-tuning; same architecture)
  --kind KIND         drive | stare | generic (default: detected from the layout)
  --out DIR           model directory to write (must not exist unless --force)
  --recipe NAME       ${Object.keys(RECIPES).join(' | ')} (default: default)
  --epochs N          epochs (each --steps batches, then validation)
  --steps N           batches per epoch
  --batch N           patches per batch
  --patch N           patch size in pixels (multiple of 2^depth)
  --lr X              peak learning rate (Adam, warm-up then cosine decay)
  --loss NAME         dice | bce | dice+bce
  --depth N           U-Net poolings
  --base N            filters at the top level
  --patience N        early-stopping patience in epochs
  --seed N            random seed
  --max-minutes N     stop after N minutes, keeping the best epoch
  --workers N         gradient worker threads (default: 2 or the core count)
  --no-test           skip scoring the test split at the end
  --resume            continue from DIR.checkpoint
  --force             replace an existing DIR
  --json              print the final manifest as JSON on stdout
`;

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      dataset: { type: 'string' },
      mix: { type: 'string' },
      init: { type: 'string' },
      kind: { type: 'string' },
      out: { type: 'string' },
      recipe: { type: 'string' },
      epochs: { type: 'string' },
      steps: { type: 'string' },
      batch: { type: 'string' },
      patch: { type: 'string' },
      lr: { type: 'string' },
      loss: { type: 'string' },
      depth: { type: 'string' },
      base: { type: 'string' },
      patience: { type: 'string' },
      seed: { type: 'string' },
      'max-minutes': { type: 'string' },
      workers: { type: 'string' },
      'no-test': { type: 'boolean' },
      resume: { type: 'boolean' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const recipeName = str(p, 'recipe') ?? 'default';
  if (!RECIPES[recipeName]) throw new UsageError(`unknown recipe '${recipeName}'`);
  const cfg = recipe(recipeName);
  const set = <K extends keyof typeof cfg>(k: K, v: (typeof cfg)[K] | undefined): void => {
    if (v !== undefined) cfg[k] = v;
  };
  set('epochs', num(p, 'epochs', { min: 1, integer: true }));
  set('stepsPerEpoch', num(p, 'steps', { min: 1, integer: true }));
  set('batchSize', num(p, 'batch', { min: 1, integer: true }));
  set('patchSize', num(p, 'patch', { min: 16, integer: true }));
  set('learningRate', num(p, 'lr', { min: 0 }));
  set('loss', oneOf(p, 'loss', ['dice', 'bce', 'dice+bce'] as const));
  set('patience', num(p, 'patience', { min: 1, integer: true }));
  set('seed', num(p, 'seed', { min: 0, integer: true }));
  set('maxMinutes', num(p, 'max-minutes', { min: 0 }));
  const depth = num(p, 'depth', { min: 1, max: 6, integer: true });
  const base = num(p, 'base', { min: 1, max: 256, integer: true });
  if (depth !== undefined) cfg.architecture.depth = depth;
  if (base !== undefined) cfg.architecture.baseFilters = base;
  if (cfg.patchSize % 2 ** cfg.architecture.depth !== 0) {
    throw new UsageError(
      `--patch ${cfg.patchSize} must be a multiple of 2^depth = ${2 ** cfg.architecture.depth}`,
    );
  }
  const kind = oneOf(p, 'kind', ['drive', 'stare', 'generic'] as const);
  const out = requireStr(p, 'out');
  const mixName = str(p, 'mix');
  const mix = mixName ? openMix(mixName, str(p, 'dataset') ?? defaultDatasets('--dataset')) : null;
  const dataset =
    mix?.dataset ?? openDataset(str(p, 'dataset') ?? defaultDatasets('--dataset', 'DRIVE'), kind);
  for (const note of dataset.notes ?? []) process.stderr.write(`retina train: ${note}\n`);
  const init = str(p, 'init');
  if (init) {
    const parent = await readManifest(resolve(init));
    // Said before any data is loaded (it failed after, on the first layer's shape).
    const a = parent.architecture;
    const b = cfg.architecture;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof typeof a>;
    if ([...keys].some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])))
      throw new UsageError(
        `--init ${init} is a depth ${a.depth}, ${a.baseFilters}-filter network; --recipe ${recipeName} trains a ` +
          `depth ${b.depth}, ${b.baseFilters}-filter one: use the recipe it was trained with`,
      );
    // Fine-tuning goes on in the parent's canonical frame: without it the new model ran at native pixels (on a
    // 1620x1444 photograph half the vessels, and 8 times slower).
    if (parent.frame && !cfg.frame) {
      cfg.frame = { ...parent.frame };
      process.stderr.write(
        `--init ${init}: training in its canonical frame (${parent.frame.diameter} px aperture)\n`,
      );
    }
  }

  const interrupt = interruptSignal();
  const onEvent = trainProgress();
  try {
    const result = await trainModel({
      dataset,
      config: cfg,
      out,
      resume: flag(p, 'resume'),
      force: flag(p, 'force'),
      workers: num(p, 'workers', { min: 1, max: 16, integer: true }),
      evaluateTest: !flag(p, 'no-test'),
      // Validation by whole eyes and photographs: another visit or a copy of a validation image, fitted, would
      // choose the best epoch and the threshold on what the network learnt.
      // A mix's fixed choice validates with the rest of its images' groups.
      sampleGroups: datasetSampleGroups,
      ...(mix ? { validationIds: mix.validationIds } : {}),
      ...(init ? { initialModelDir: resolve(init), parentModel: basename(resolve(init)) } : {}),
      signal: interrupt.signal,
      onEvent,
    });
    if (flag(p, 'json')) printJson(result.manifest);
    else {
      const m = result.manifest;
      process.stderr.write(
        `model written to ${result.modelDir} (${m.parameters} parameters, backend ${m.provenance.backend}, ` +
          `threshold ${m.threshold.toFixed(3)})\n`,
      );
      const t = m.testMetrics?.['test/fov'];
      if (t) process.stderr.write(`test (FOV): F1 ${t.f1.toFixed(4)}, AUC-ROC ${t.aucRoc.toFixed(4)}\n`);
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof TrainingInterruptedError) {
      // Before the first epoch finished there is nothing to resume from.
      process.stderr.write(
        hasCheckpoint(out)
          ? `training interrupted; the last finished epoch is kept in ${out}.checkpoint (use --resume)\n`
          : 'training interrupted before its first epoch finished: nothing was kept (train again)\n',
      );
      return EXIT.interrupted;
    }
    throw err;
  } finally {
    interrupt.release();
  }
}
