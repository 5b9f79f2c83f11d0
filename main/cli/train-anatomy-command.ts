// `retina train-anatomy`: trains the artery/vein or the optic-disc network on the reference datasets, in the
// vessel model's canonical frame, with checkpoints after every epoch (--resume continues a killed run).
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readManifest, TFJS_SUBDIR } from '../ml/model/model-dir.js';
import { recordFingerprints } from '../ml/image/thumbnail-fingerprint.js';
import { flag, num, parseCommand, requireStr, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { interruptSignal } from './interrupt.js';
import { TrainingInterruptedError } from '../ml/train/training-run.js';
import { openModel } from '../ml/model/model-loader.js';
import {
  ANATOMY_RECIPE,
  trainAnatomyModel,
  type AnatomyTrainConfig,
} from '../ml/anatomy/anatomy-training.js';
import { arteryVeinSplits, opticDiscSplits, type AnatomyRef } from '../ml/anatomy/anatomy-datasets.js';
import type { AnatomySample } from '../ml/anatomy/anatomy-sample.js';
import type { LoadedModel } from '../ml/model/model-loader.js';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import type { AnatomyValidation } from '../ml/anatomy/anatomy-training.js';
import type { ModelManifest, Predictor } from '../ml/types.js';

const HELP = `
Usage: retina train-anatomy --task artery-vein|optic-disc --data DIR --out DIR [options]

Trains the artery/vein network (RITE training + LES-AV's training half) or the optic-disc network (DRIVE-OD,
DRIONS-DB, AV-WIDE; held-out splits in main/ml/anatomy/anatomy-datasets.ts) in the vessel model's frame.

Options:
  --data DIR           datasets folder laid out like ../shared/datasets
  --out DIR            model directory to write
  --vessel-model DIR   vessel model whose frame the network works in (default: the bundled model)
  --epochs N           override the recipe's epochs
  --steps-per-epoch N  override the recipe's steps (batches) per epoch
  --patience N         stop after N epochs without a better validation score (the recipes use 8-10)
  --minutes N          stop after N minutes, keeping the best epoch
  --init DIR           start from this anatomy model's weights (same task and architecture) to train it further
  --learning-rate X    override the recipe's peak learning rate (e.g. lower when continuing from --init)
  --seed N             override the recipe's seed (patch sampling, augmentation, initial weights)
  --patch-size N       override the recipe's patch side in pixels (a multiple of 16; more context per patch)
  --batch-size N       override the recipe's patches per step
  --scale-range LO,HI  override the augmentation's structure scale range (log-uniform; the recipes use ${ANATOMY_RECIPE.augment.scale.join(',')}):
                       wider teaches a network photographs whose vessels look wider or thinner in the frame
  --resume             continue from <out>.checkpoint
  --force              replace an existing model directory
`;

interface TaskPlan {
  config: AnatomyTrainConfig;
  downsample: number;
  threshold: number;
  splits: { train: AnatomyRef[]; validation: AnatomyRef[] };
  prepare: (ref: AnatomyRef, vessel: LoadedModel) => Promise<AnatomySample>;
  validate: (p: Predictor, val: AnatomySample[]) => Promise<AnatomyValidation>;
}

async function plan(task: AnatomyTask, data: string): Promise<TaskPlan> {
  if (task === 'artery-vein') {
    const m = await import('../ml/anatomy/train-artery-vein.js');
    return {
      config: m.ARTERY_VEIN_CONFIG,
      downsample: m.AV_DOWNSAMPLE,
      threshold: 0.5,
      splits: arteryVeinSplits(data),
      prepare: m.prepareArteryVein,
      validate: (p, v) => m.validateArteryVein(p, v),
    };
  }
  const m = await import('../ml/anatomy/train-optic-disc.js');
  return {
    config: m.OPTIC_DISC_CONFIG,
    downsample: m.DISC_DOWNSAMPLE,
    threshold: m.DISC_THRESHOLD,
    splits: opticDiscSplits(data),
    prepare: m.prepareOpticDisc,
    validate: (p, v) => m.validateOpticDisc(p, v),
  };
}

/** The task's recipe with what the command line overrides (a lower peak rate keeps the schedule's 20:1 range). */
export function withOverrides(
  recipe: AnatomyTrainConfig,
  o: {
    epochs?: number;
    stepsPerEpoch?: number;
    patience?: number;
    minutes?: number;
    learningRate?: number;
    seed?: number;
    patchSize?: number;
    batchSize?: number;
    scaleRange?: [number, number];
  },
): AnatomyTrainConfig {
  if (o.scaleRange !== undefined && !recipe.augment) {
    throw new UsageError('--scale-range needs a recipe that augments its patches');
  }
  return {
    ...recipe,
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.stepsPerEpoch !== undefined ? { stepsPerEpoch: o.stepsPerEpoch } : {}),
    ...(o.patience !== undefined ? { patience: o.patience } : {}),
    ...(o.minutes !== undefined ? { maxMinutes: o.minutes } : {}),
    ...(o.learningRate !== undefined
      ? { learningRate: o.learningRate, minLearningRate: o.learningRate / 20 }
      : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.patchSize !== undefined ? { patchSize: o.patchSize } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.scaleRange !== undefined ? { augment: { ...recipe.augment!, scale: o.scaleRange } } : {}),
  };
}

/** `--scale-range LO,HI`: two positive factors, LO <= HI. */
export function parseScaleRange(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((x) => Number(x.trim()));
  const [lo, hi] = parts;
  if (parts.length !== 2 || !(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) {
    throw new UsageError(`--scale-range must be two positive factors LO,HI with LO <= HI, got '${v}'`);
  }
  return [lo, hi];
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      task: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      'vessel-model': { type: 'string' },
      epochs: { type: 'string' },
      'steps-per-epoch': { type: 'string' },
      patience: { type: 'string' },
      minutes: { type: 'string' },
      resume: { type: 'boolean' },
      init: { type: 'string' },
      'learning-rate': { type: 'string' },
      seed: { type: 'string' },
      'patch-size': { type: 'string' },
      'batch-size': { type: 'string' },
      'scale-range': { type: 'string' },
      force: { type: 'boolean' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const task = requireStr(p, 'task');
  if (task !== 'artery-vein' && task !== 'optic-disc') {
    throw new UsageError(`--task must be artery-vein or optic-disc, got '${task}'`);
  }
  const data = requireStr(p, 'data');
  const out = requireStr(p, 'out');
  const t = await plan(task, data);
  const config = withOverrides(t.config, {
    epochs: num(p, 'epochs', { integer: true, min: 1 }),
    stepsPerEpoch: num(p, 'steps-per-epoch', { integer: true, min: 1 }),
    patience: num(p, 'patience', { integer: true, min: 1 }),
    minutes: num(p, 'minutes', { min: 0 }),
    learningRate: num(p, 'learning-rate', { min: 0 }),
    seed: num(p, 'seed', { integer: true, min: 0 }),
    patchSize: num(p, 'patch-size', { integer: true, min: 32 }),
    batchSize: num(p, 'batch-size', { integer: true, min: 1 }),
    scaleRange: parseScaleRange(str(p, 'scale-range')),
  });
  const multiple = 2 ** config.architecture.depth;
  if (config.patchSize % multiple !== 0) {
    throw new UsageError(`--patch-size must be a multiple of ${multiple}, got ${config.patchSize}`);
  }
  const vessel = await openModel(str(p, 'vessel-model'));
  const log = (s: string) => process.stderr.write(`retina train-anatomy: ${s}\n`);
  log(
    `placing ${t.splits.train.length} training and ${t.splits.validation.length} validation images in the frame`,
  );
  const fit: AnatomySample[] = [];
  for (const r of t.splits.train) fit.push(await t.prepare(r, vessel));
  const val: AnatomySample[] = [];
  for (const r of t.splits.validation) val.push(await t.prepare(r, vessel));
  await vessel.predictor.dispose();
  // The artery/vein network starts from the vessel network's weights (it must find the vessels it labels).
  const init = str(p, 'init');
  const initialTfjsDir = init
    ? join(init, TFJS_SUBDIR)
    : task === 'artery-vein' && t.downsample === 1 && !flag(p, 'resume')
      ? await (
          await import('../ml/anatomy/warm-start.js')
        ).vesselWarmStart(config.architecture, join(vessel.dir, TFJS_SUBDIR), config.seed)
      : undefined;
  const interrupt = interruptSignal();
  let manifest: ModelManifest;
  try {
    manifest = await trainAnatomyModel({
      config,
      anatomy: { task, input: 'rgb-clahe', downsample: t.downsample },
      fit,
      val,
      frame: vessel.manifest.frame!,
      datasetLabel: task === 'artery-vein' ? 'RITE + LES-AV' : 'DRIVE-OD + DRIONS-DB + AV-WIDE',
      sampleFingerprints: await recordFingerprints(
        [...t.splits.train, ...t.splits.validation].map((r) => [r.id, r.imagePath] as const),
        init ? (await readManifest(init).catch(() => null))?.sampleFingerprints : undefined,
      ),
      out,
      force: flag(p, 'force'),
      resume: flag(p, 'resume'),
      validate: t.validate,
      ...(initialTfjsDir ? { initialTfjsDir } : {}),
      ...(init ? { parentModel: basename(resolve(init)) } : {}),
      threshold: t.threshold,
      onLog: log,
      signal: interrupt.signal,
    });
  } catch (err) {
    if (err instanceof TrainingInterruptedError) {
      const kept = existsSync(join(`${resolve(out)}.checkpoint`, 'state.json'));
      log(
        kept
          ? `interrupted; the finished epochs are kept in ${out}.checkpoint (run again with --resume)`
          : 'interrupted before the first epoch finished; nothing was kept',
      );
      return EXIT.interrupted;
    }
    throw err;
  } finally {
    interrupt.release();
  }
  log(
    `wrote ${out} (${manifest.provenance.epochs} epochs, best score ${JSON.stringify(manifest.anatomy?.validation)})`,
  );
  return EXIT.ok;
}
