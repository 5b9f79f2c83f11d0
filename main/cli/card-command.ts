// `retina card`: evaluates a model on DRIVE test (also resized 2x and 4x), STARE test and LES-AV's held-out half,
// saves the evaluation JSON in the model directory and generates MODEL_CARD.md and its plots from that JSON.
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { flag, num, oneOf, parseCommand, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { createProgressBar } from './progress.js';
import { openModel, type LoadedModel } from '../ml/model/model-loader.js';
import type { DatasetRef, ModelManifest, SplitName } from '../ml/types.js';
import { readManifest, resolveModelDir } from '../ml/model/model-dir.js';
import { loadSample, openDataset } from '../ml/data/datasets.js';
import { evaluateUncertainty } from '../ml/uncertainty/evaluate-uncertainty.js';
import { datasetsRoot } from '../node/package-root.js';
import { defaultDatasets } from './datasets-arg.js';
import { evaluateModel, type EvaluationReport } from '../ml/eval/evaluate.js';
import { readImage } from '../ml/io/image-io.js';
import { segmentImage } from '../ml/infer.js';
import { writeFileAtomic } from '../node/atomic-fs.js';
import {
  CARD_EVALUATION_FILE,
  CARD_FILE,
  readCardEvaluation,
  writeModelCard,
  type CardEvaluation,
  type CardUncertainty,
} from '../ml/eval/model-card.js';

const HELP = `
Usage: retina card [--model DIR] [--drive DIR] [--stare DIR] [--lesav DIR] [--from-json]

Scores the model on DRIVE test (against 1st_manual, 2nd_manual beside it; also with every image enlarged 2x and
4x), on STARE's test half (the 8 images with ah labels) and on LES-AV's held-out half (split_test_rmaphoh.txt),
writes DIR/${CARD_EVALUATION_FILE}, then generates DIR/${CARD_FILE} with roc.png, pr.png and training.png from
that JSON.

Options:
  --model DIR    model directory (default: the bundled default model)
  --drive DIR    DRIVE folder (default: DRIVE in $RETINA_DATASETS, else in ../shared/datasets)
  --stare DIR    STARE folder (default: STARE in that datasets folder; skipped when absent)
  --lesav DIR    LES-AV folder (default: LES-AV in that datasets folder; skipped when absent)
  --no-resized   skip the 2x and 4x DRIVE runs
  --engine NAME  onnx | tfjs (default: onnx)
  --threads N    ONNX Runtime threads (default: all cores)
  --from-json    regenerate the card from the existing ${CARD_EVALUATION_FILE} without evaluating
  --uncertainty-only  keep the existing evaluation, (re)measure only the uncertainty section (after
                 'retina calibrate'): its AUROC against the mask's errors and expected F1 on DRIVE test,
                 STARE test and LES-AV held-out, and the time it adds
  --retime       with --from-json: measure the inference time again (on a quiet machine) and record it
  --rescore LIST score again only these sections of the existing ${CARD_EVALUATION_FILE} (comma-separated: drive,
                 stare, lesav, resized), keeping the rest (times included), after a change to the pipeline
                 moved their figures; the card names them and the date (vessel models only)
`;

const SECTIONS = ['drive', 'stare', 'lesav', 'resized'] as const;
type Section = (typeof SECTIONS)[number];

function rescoreList(value: string | undefined): Section[] {
  if (value === undefined) return [];
  const names = value.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0)
    throw new UsageError(`--rescore takes ${SECTIONS.join(', ')} (comma-separated), got '${value}'`);
  return [...new Set(names)] as Section[];
}

const LESAV_TEST_SPLIT = 'split_test_rmaphoh.txt';

/** Options of the vessel model's card that an anatomy model's card has no use for. */
const VESSEL_CARD_OPTIONS = [
  'rescore',
  'uncertainty-only',
  'retime',
  'drive',
  'stare',
  'lesav',
  'no-resized',
] as const;

/** An anatomy model's card: its held-out figures (the splits of anatomy-datasets.ts), then MODEL_CARD.md. */
async function anatomyCardCommand(model: LoadedModel, fromJson: boolean): Promise<number> {
  const { arteryVeinSplits, opticDiscSplits } = await import('../ml/anatomy/anatomy-datasets.js');
  type AnatomySplits = import('../ml/anatomy/anatomy-datasets.js').AnatomySplits;
  const ev = await import('../ml/anatomy/evaluate-anatomy.js');
  const card = await import('../ml/anatomy/anatomy-card.js');
  const task = model.manifest.anatomy!.task;
  const splits = (): AnatomySplits =>
    task === 'artery-vein' ? arteryVeinSplits(datasetsRoot()) : opticDiscSplits(datasetsRoot());
  try {
    let evaluation: import('../ml/anatomy/anatomy-card.js').AnatomyEvaluation;
    // The vessel model the pipeline runs with (the one scoring opens): the card names the held-out images it learnt.
    let vesselManifest: ModelManifest;
    if (fromJson) {
      evaluation = await card.readAnatomyEvaluation(model.dir);
      vesselManifest = await readManifest(resolveModelDir(undefined));
      const rows = evaluation.arteryVein ?? evaluation.opticDisc ?? [];
      // An evaluation made before the images scored were recorded: they are the fixed test splits, where the
      // datasets are here to list them (and as many as were scored), and are recorded now.
      if (rows.some((r) => !r.ids)) {
        let test: Record<string, { id: string }[]> | null = null;
        try {
          test = splits().test;
        } catch {
          process.stderr.write('retina card: no datasets to list the held-out images the evaluation lacks\n');
        }
        let filled = false;
        for (const r of rows) {
          const refs = test?.[r.images];
          if (!r.ids && refs?.length === r.n) {
            r.ids = refs.map((x) => x.id);
            filled = true;
          }
        }
        if (filled) await card.writeAnatomyEvaluation(model.dir, evaluation);
      }
      if (evaluation.vesselModel && evaluation.vesselModel !== vesselManifest.name)
        process.stderr.write(
          `retina card: scored with the vessel model ${evaluation.vesselModel}, checked against ${vesselManifest.name}\n`,
        );
    } else {
      const vessel = await openModel(undefined);
      vesselManifest = vessel.manifest;
      try {
        evaluation = { createdAt: new Date().toISOString(), vesselModel: vessel.manifest.name };
        if (task === 'artery-vein') {
          evaluation.arteryVein = [];
          for (const [name, refs] of Object.entries(splits().test)) {
            evaluation.arteryVein.push(await ev.evaluateArteryVein(name, refs, vessel, model));
          }
        } else {
          evaluation.opticDisc = [];
          for (const [name, refs] of Object.entries(splits().test)) {
            evaluation.opticDisc.push(await ev.evaluateOpticDisc(name, refs, vessel, model));
          }
        }
      } finally {
        await vessel.predictor.dispose();
      }
      await card.writeAnatomyEvaluation(model.dir, evaluation);
    }
    // The scored photographs, so the card finds by content those the vessel model learnt under other names.
    let paths = new Map<string, string>();
    try {
      paths = new Map(
        Object.values(splits().test).flatMap((refs) => refs.map((r) => [r.id, r.imagePath] as const)),
      );
    } catch {
      process.stderr.write(
        "retina card: no datasets: the vessel model's learnt images are matched by name only\n",
      );
    }
    await card.writeAnatomyCard(model.dir, model.manifest, evaluation, vesselManifest, (id) => paths.get(id));
    process.stdout.write(`wrote ${join(model.dir, card.ANATOMY_CARD_FILE)}\n`);
    return EXIT.ok;
  } finally {
    await model.predictor.dispose();
  }
}

/** LES-AV with its held-out half (the split file's ids) as the test split. */
function lesavHeldOut(dir: string): DatasetRef {
  const ds = openDataset(dir);
  const ids = new Set(readFileSync(join(dir, LESAV_TEST_SPLIT), 'utf8').split(/\s+/).filter(Boolean));
  return { ...ds, splits: { ...ds.splits, test: ds.splits.all.filter((r) => ids.has(r.id)) } };
}

async function scored(
  label: string,
  model: LoadedModel,
  dataset: DatasetRef,
  split: SplitName,
  resizeFactor?: number,
): Promise<EvaluationReport> {
  const bar = createProgressBar(label, dataset.splits[split].filter((r) => r.maskPath).length);
  const report = await evaluateModel(model.manifest, model.predictor, dataset, split, {
    onImage: (d, _t, id) => bar.update(d, id),
    ...(resizeFactor ? { resizeFactor } : {}),
  });
  bar.finish();
  return report;
}

/** Inference time: median of repeated whole-image runs on one image, after a warm-up. */
async function medianMs(model: LoadedModel, imagePath: string, uncertainty = false): Promise<number> {
  const image = await readImage(imagePath);
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    await segmentImage(image, model.manifest, model.predictor, { uncertainty });
    if (i > 0) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * The uncertainty section: the head against the mask's errors on DRIVE test, STARE test and LES-AV held-out (three
 * cameras; the head is fitted on validation images of four), and its cost.
 */
async function uncertaintySection(
  model: LoadedModel,
  drive: DatasetRef,
  stare: DatasetRef | null,
  lesav: DatasetRef | null,
): Promise<CardUncertainty | undefined> {
  if (!model.manifest.uncertainty) return undefined;
  const run = async (label: string, ds: DatasetRef) => {
    const refs = ds.splits.test.filter((r) => r.maskPath);
    const bar = createProgressBar(label, refs.length);
    let done = 0;
    const r = await evaluateUncertainty(refs.map(loadSample), model.manifest, model.predictor, (id) =>
      bar.update(++done, id),
    );
    bar.finish();
    return r;
  };
  const first = drive.splits.test[0].imagePath;
  return {
    drive: await run('uncertainty, DRIVE test', drive),
    ...(stare ? { stare: await run('uncertainty, STARE test', stare) } : {}),
    ...(lesav ? { lesav: await run('uncertainty, LES-AV held-out', lesav) } : {}),
    msPerDriveImagePlain: await medianMs(model, first),
    msPerDriveImageWithUncertainty: await medianMs(model, first, true),
  };
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      model: { type: 'string' },
      drive: { type: 'string' },
      stare: { type: 'string' },
      lesav: { type: 'string' },
      'no-resized': { type: 'boolean' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      'from-json': { type: 'boolean' },
      'uncertainty-only': { type: 'boolean' },
      retime: { type: 'boolean' },
      rescore: { type: 'string' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const rescore = rescoreList(str(p, 'rescore'));
  const threads = num(p, 'threads', { min: 1, max: 64, integer: true }) ?? availableParallelism();
  const model = await openModel(str(p, 'model'), {
    engine: oneOf(p, 'engine', ['onnx', 'tfjs'] as const),
    threads,
  });
  if (model.manifest.anatomy) {
    // These shape the vessel model's card; an anatomy card scores its own fixed held-out splits, and would
    // otherwise be scored in full (or regenerated without the timing or folders asked for) as if they were obeyed.
    const given = VESSEL_CARD_OPTIONS.filter((o) => p.values[o] !== undefined);
    if (given.length > 0) {
      await model.predictor.dispose();
      throw new UsageError(
        `${given.map((o) => `--${o}`).join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to the vessel model's card; ` +
          `${model.manifest.name} is an ${model.manifest.anatomy.task} model ` +
          '(run `retina card` without it to score its card again, or --from-json to regenerate it)',
      );
    }
    return anatomyCardCommand(model, flag(p, 'from-json'));
  }
  try {
    let ev: CardEvaluation;
    // Opened only by the branches that evaluate (--from-json reads nothing but the JSON).
    // The default folders are skipped when absent; a folder named on the command line must be there (a typo
    // would otherwise rewrite the card without its section).
    const given = (flagName: 'lesav' | 'stare', marker: string): string | null => {
      const dir = str(p, flagName);
      if (dir && !existsSync(join(dir, marker)))
        throw new UsageError(`--${flagName} ${dir}: ${marker ? `no ${marker} there` : 'no such folder'}`);
      return dir ?? null;
    };
    const lesavDir = given('lesav', LESAV_TEST_SPLIT) ?? join(datasetsRoot(), 'LES-AV');
    const stareDir = given('stare', '') ?? join(datasetsRoot(), 'STARE');
    const lesav = (): DatasetRef | null =>
      existsSync(join(lesavDir, LESAV_TEST_SPLIT)) ? lesavHeldOut(lesavDir) : null;
    const stare = (): DatasetRef | null => (existsSync(stareDir) ? openDataset(stareDir, 'stare') : null);
    if (flag(p, 'uncertainty-only')) {
      const drive = openDataset(str(p, 'drive') ?? defaultDatasets('--drive', 'DRIVE'), 'drive');
      const uncertainty = await uncertaintySection(model, drive, stare(), lesav());
      if (!uncertainty)
        throw new UsageError('the model has no uncertainty head: run `retina calibrate` first');
      ev = { ...(await readCardEvaluation(model.dir)), uncertainty };
      await writeFileAtomic(join(model.dir, CARD_EVALUATION_FILE), JSON.stringify(ev, null, 1) + '\n');
    } else if (rescore.length > 0) {
      // The sections named are scored with today's pipeline; the others, and the times, stay as measured.
      const old = await readCardEvaluation(model.dir);
      const drive = openDataset(str(p, 'drive') ?? defaultDatasets('--drive', 'DRIVE'), 'drive');
      const at = new Date().toISOString();
      ev = { ...old, rescored: { ...old.rescored } };
      for (const section of rescore) {
        if (section === 'drive') ev.drive = await scored('DRIVE test', model, drive, 'test');
        else if (section === 'stare') {
          const ref = stare();
          if (!ref) throw new UsageError(`--rescore stare: no STARE folder at ${stareDir}`);
          ev.stare = await scored('STARE test', model, ref, 'test');
        } else if (section === 'lesav') {
          const ref = lesav();
          if (!ref) throw new UsageError(`--rescore lesav: no ${LESAV_TEST_SPLIT} in ${lesavDir}`);
          ev.lesav = await scored('LES-AV held-out', model, ref, 'test');
        } else {
          const factors = old.driveResized?.length ? old.driveResized.map((r) => r.factor) : [2, 4];
          ev.driveResized = [];
          for (const factor of factors) {
            ev.driveResized.push({
              factor,
              report: await scored(`DRIVE test x${factor}`, model, drive, 'test', factor),
            });
          }
        }
        ev.rescored![section] = at;
      }
      await writeFileAtomic(join(model.dir, CARD_EVALUATION_FILE), JSON.stringify(ev, null, 1) + '\n');
    } else if (flag(p, 'from-json')) {
      ev = await readCardEvaluation(model.dir);
      if (flag(p, 'retime')) {
        const drive = openDataset(str(p, 'drive') ?? defaultDatasets('--drive', 'DRIVE'), 'drive');
        ev = { ...ev, threads, msPerDriveImage: await medianMs(model, drive.splits.test[0].imagePath) };
        await writeFileAtomic(join(model.dir, CARD_EVALUATION_FILE), JSON.stringify(ev, null, 1) + '\n');
      }
    } else {
      const drive = openDataset(str(p, 'drive') ?? defaultDatasets('--drive', 'DRIVE'), 'drive');
      const driveReport = await scored('DRIVE test', model, drive, 'test');
      const stareRef = stare();
      const stareReport = stareRef ? await scored('STARE test', model, stareRef, 'test') : undefined;
      const lesavRef = lesav();
      const lesavReport = lesavRef ? await scored('LES-AV held-out', model, lesavRef, 'test') : undefined;
      const resized = [];
      if (!flag(p, 'no-resized')) {
        for (const factor of [2, 4]) {
          resized.push({
            factor,
            report: await scored(`DRIVE test x${factor}`, model, drive, 'test', factor),
          });
        }
      }
      ev = {
        generatedAt: new Date().toISOString(),
        modelName: model.manifest.name,
        engine: model.predictor.engine,
        threads,
        drive: driveReport,
        stare: stareReport,
        lesav: lesavReport,
        driveResized: resized,
        msPerDriveImage: await medianMs(model, drive.splits.test[0].imagePath),
      };
      const uncertainty = await uncertaintySection(model, drive, stareRef, lesavRef);
      if (uncertainty) ev = { ...ev, uncertainty };
      await writeFileAtomic(join(model.dir, CARD_EVALUATION_FILE), JSON.stringify(ev, null, 1) + '\n');
    }
    await writeModelCard(model.dir, ev, model.manifest);
    process.stderr.write(`wrote ${join(model.dir, CARD_FILE)}\n`);
  } finally {
    await model.predictor.dispose();
  }
  return EXIT.ok;
}
