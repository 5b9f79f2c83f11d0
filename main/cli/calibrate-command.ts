// `retina calibrate`: fits a model's uncertainty head and probability temperature on its own validation images and
// records them in its manifest (the images are found again from the manifest's provenance).
import { parseCommand, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { createProgressBar } from './progress.js';
import { openModel } from '../ml/model/model-loader.js';
import { readManifest, writeManifest } from '../ml/model/model-dir.js';
import { openMix } from '../ml/data/dataset-mix.js';
import { loadSample, openDataset } from '../ml/data/datasets.js';
import { datasetsRoot } from '../node/package-root.js';
import { defaultDatasets } from './datasets-arg.js';
import { fitUncertainty } from '../ml/uncertainty/fit-uncertainty.js';
import type { ModelManifest, SampleRef } from '../ml/types.js';

const HELP = `
Usage: retina calibrate --model DIR [--datasets ROOT | --dataset DIR]

Fits the model's uncertainty head (where the mask is likely wrong, from the image's and its flips' predictions)
and the temperature of its vessel probability on the validation images named in its manifest, measures both
there (pooled AUROC against the mask's errors, reliability diagrams, expected calibration error) and writes them
into DIR/retina-model.json. The validation images were never trained on, so the head learns how the model errs
on new photographs. Run 'retina card' afterwards to put the figures in the model card.

Options:
  --model DIR      model directory (required; its manifest is rewritten)
  --datasets ROOT  folder of the datasets a training mix was drawn from
                   (default: $RETINA_DATASETS, else ../shared/datasets)
  --dataset DIR    the dataset a single-dataset model was trained on
`;

/** The labelled validation images recorded in the manifest, found again on disk. */
export function validationRefs(manifest: ModelManifest, datasets: string, dataset?: string): SampleRef[] {
  const prov = manifest.provenance;
  const wanted = new Set(prov.validationIds);
  let refs: SampleRef[];
  if (prov.dataset.startsWith('mix-')) {
    const mix = openMix(prov.dataset.slice(4), datasets);
    refs = mix.dataset.splits.train;
  } else {
    if (!dataset)
      throw new UsageError(`model trained on '${prov.dataset}': give its folder with --dataset DIR`);
    refs = openDataset(dataset).splits.all;
  }
  const found = refs.filter((r) => wanted.has(r.id) && r.maskPath);
  const missing = [...wanted].filter((id) => !found.some((r) => r.id === id));
  if (missing.length) throw new UsageError(`validation images not found: ${missing.join(', ')}`);
  return found;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    { model: { type: 'string' }, datasets: { type: 'string' }, dataset: { type: 'string' } },
    HELP,
  );
  if (!p) return EXIT.ok;
  const dir = str(p, 'model');
  if (!dir) throw new UsageError('--model DIR is required');
  const model = await openModel(dir);
  try {
    // A mix's datasets are looked for only for a model trained on one.
    const mixed = model.manifest.provenance.dataset.startsWith('mix-');
    const datasets = str(p, 'datasets') ?? (mixed ? defaultDatasets('--datasets') : datasetsRoot());
    const refs = validationRefs(model.manifest, datasets, str(p, 'dataset'));
    const bar = createProgressBar('calibrate', refs.length);
    let done = 0;
    const fitted = await fitUncertainty(
      refs.map((r) => loadSample(r)),
      model.manifest,
      model.predictor,
      (id) => bar.update(++done, id),
    );
    bar.finish();
    const manifest = await readManifest(model.dir);
    await writeManifest(model.dir, { ...manifest, uncertainty: fitted });
    const v = fitted.validation;
    process.stderr.write(
      `calibrated ${model.dir} on ${refs.length} validation images: uncertainty AUROC ${v.auroc.toFixed(4)} ` +
        `(p(1-p) ${v.baselineAuroc.toFixed(4)}); probability ECE ${v.probability.ece.toFixed(4)} -> ` +
        `${v.calibrated.ece.toFixed(4)} at temperature ${fitted.temperature.temperature.toFixed(3)}; ` +
        `head ECE ${v.head.ece.toFixed(4)}\n`,
    );
    return EXIT.ok;
  } finally {
    await model.predictor.dispose();
  }
}
