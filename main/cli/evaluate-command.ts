// `retina evaluate`: a model's metrics on a dataset split, FOV and all-pixel protocols, per image and pooled.
import { basename } from 'node:path';
import { flag, num, oneOf, parseCommand, printJson, str } from './args.js';
import { EXIT } from './errors.js';
import { createProgressBar } from './progress.js';
import { openModel } from '../ml/model/model-loader.js';
import { openDataset } from '../ml/data/datasets.js';
import { defaultDatasets } from './datasets-arg.js';
import { evaluateModel, type EvaluationReport } from '../ml/eval/evaluate.js';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { learntImagesByContent } from '../ml/model/known-samples.js';

const HELP = `
Usage: retina evaluate [--model DIR] [--dataset DIR] [--split test] [options]

Scores a model against the ground truth: AUC-ROC, AUC-PR, accuracy, sensitivity, specificity, precision,
F1 (Dice), IoU and MCC, inside the FOV ("fov" protocol) and over all pixels ("all"), pooled over the split and
per image; the dataset's second human observer (DRIVE 2nd_manual, STARE vk) is scored the same way beside it.
Images the model trained or validated on (its manifest's provenance, or under another name or format: its
recorded fingerprints) are scored with a warning, and listed in the JSON report's notHeldOut: their figures are
no measure of how it does on new images.

Options:
  --model DIR      model directory (default: the bundled default model, or $RETINA_MODEL)
  --dataset DIR    dataset folder (default: $RETINA_DATASETS/DRIVE, else ../shared/datasets/DRIVE)
  --kind KIND      drive | stare | generic (default: detected)
  --split NAME     train | test | all (default: test)
  --engine NAME    onnx | tfjs (default: onnx when the model has an ONNX export)
  --threads N      ONNX Runtime threads
  --threshold X    override the model's threshold
  --out FILE       also write the full JSON report to FILE
  --json           print the full JSON report on stdout
`;

function line(label: string, r: EvaluationReport['protocols']['fov']['pooled']): string {
  const f = (x: number): string => (Number.isNaN(x) ? '  n/a ' : x.toFixed(4));
  return `${label.padEnd(22)} F1 ${f(r.f1)}  AUC-ROC ${f(r.aucRoc)}  AUC-PR ${f(r.aucPr)}  Acc ${f(r.accuracy)}  Se ${f(r.sensitivity)}  Sp ${f(r.specificity)}  IoU ${f(r.iou)}  MCC ${f(r.mcc)}`;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      model: { type: 'string' },
      dataset: { type: 'string' },
      kind: { type: 'string' },
      split: { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      threshold: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const dataset = openDataset(
    str(p, 'dataset') ?? defaultDatasets('--dataset', 'DRIVE'),
    oneOf(p, 'kind', ['drive', 'stare', 'generic'] as const),
  );
  for (const note of dataset.notes ?? []) process.stderr.write(`retina evaluate: ${note}\n`);
  const split = oneOf(p, 'split', ['train', 'test', 'all'] as const) ?? 'test';
  const model = await openModel(str(p, 'model'), {
    engine: oneOf(p, 'engine', ['onnx', 'tfjs'] as const),
    threads: num(p, 'threads', { min: 1, max: 64, integer: true }),
  });
  let report: EvaluationReport;
  // Images the model learnt score better than a new photograph would: say so before the figures are read as such.
  const scoredRefs = dataset.splits[split].filter((r) => r.maskPath);
  const learnt = await learntImagesByContent(
    model.manifest,
    scoredRefs.map((r) => ({ dataset: basename(dataset.root), id: r.id, path: r.imagePath })),
  );
  const known = new Set([...learnt.trained, ...learnt.validated]).size;
  if (known > 0) {
    const some = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', ...' : '');
    const parts = [
      ...(learnt.trained.length ? [`trained on ${learnt.trained.length} (${some(learnt.trained)})`] : []),
      ...(learnt.validated.length
        ? [`validated on ${learnt.validated.length} (${some(learnt.validated)})`]
        : []),
    ];
    process.stderr.write(
      `retina evaluate: warning: ${known} of ${scoredRefs.length} images scored are not held out: ` +
        `${model.manifest.name} was ${parts.join(' and ')}; their figures overstate how it does on new images` +
        `${split === 'test' ? '' : ' (--split test scores the held-out split)'}\n`,
    );
  }
  try {
    const total = scoredRefs.length;
    const bar = createProgressBar('evaluate', total);
    report = await evaluateModel(model.manifest, model.predictor, dataset, split, {
      threshold: num(p, 'threshold', { min: 0, max: 1 }),
      onImage: (done, _total, id) => bar.update(done, id),
    });
    bar.finish();
    if (known > 0) report = { ...report, notHeldOut: learnt };
  } finally {
    await model.predictor.dispose();
  }
  const out = str(p, 'out');
  if (out) await writeFileAtomic(out, JSON.stringify(report, null, 2) + '\n');
  if (flag(p, 'json')) printJson(report);
  else {
    process.stdout.write(
      `${report.model} on ${report.datasetKind} ${split} (${report.images} images, engine ${report.engine}, ` +
        `threshold ${report.threshold.toFixed(3)}):\n`,
    );
    process.stdout.write(line('model, FOV, pooled', report.protocols.fov.pooled) + '\n');
    process.stdout.write(line('model, all px, pooled', report.protocols.all.pooled) + '\n');
    if (report.secondObserver) {
      process.stdout.write(line('2nd observer, FOV', report.secondObserver.protocols.fov.pooled) + '\n');
      process.stdout.write(line('2nd observer, all px', report.secondObserver.protocols.all.pooled) + '\n');
    }
    process.stdout.write(`${(report.secondsPerImage * 1000).toFixed(0)} ms per image\n`);
  }
  return EXIT.ok;
}
