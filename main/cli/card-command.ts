// `retina card`: evaluates a model on DRIVE test and STARE, saves the evaluation JSON in the model directory and
// generates MODEL_CARD.md and its plots from that JSON.
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { flag, num, oneOf, parseCommand, str } from './args.js';
import { EXIT } from './errors.js';
import { createProgressBar } from './progress.js';
import { openModel } from '../ml/model-loader.js';
import { openDataset } from '../ml/datasets.js';
import { datasetsRoot } from '../ml/package-root.js';
import { evaluateModel } from '../ml/evaluate.js';
import { readImage } from '../ml/image-io.js';
import { segmentImage } from '../ml/infer.js';
import { writeFileAtomic } from '../ml/atomic-fs.js';
import {
  CARD_EVALUATION_FILE,
  CARD_FILE,
  readCardEvaluation,
  writeModelCard,
  type CardEvaluation,
} from '../ml/model-card.js';

const HELP = `
Usage: retina card [--model DIR] [--drive DIR] [--stare DIR] [--from-json]

Scores the model on DRIVE test (against 1st_manual, 2nd_manual beside it) and on every STARE image with an ah
label (cross-dataset), writes DIR/${CARD_EVALUATION_FILE}, then generates DIR/${CARD_FILE} with roc.png, pr.png and
training.png from that JSON.

Options:
  --model DIR    model directory (default: the bundled default model)
  --drive DIR    DRIVE folder (default: ../shared/datasets/DRIVE)
  --stare DIR    STARE folder (default: ../shared/datasets/STARE; skipped when absent)
  --engine NAME  onnx | tfjs (default: onnx)
  --threads N    ONNX Runtime threads (default: all cores)
  --from-json    regenerate the card from the existing ${CARD_EVALUATION_FILE} without evaluating
`;

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      model: { type: 'string' },
      drive: { type: 'string' },
      stare: { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      'from-json': { type: 'boolean' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const threads = num(p, 'threads', { min: 1, max: 64, integer: true }) ?? availableParallelism();
  const model = await openModel(str(p, 'model'), {
    engine: oneOf(p, 'engine', ['onnx', 'tfjs'] as const),
    threads,
  });
  try {
    let ev: CardEvaluation;
    if (flag(p, 'from-json')) ev = await readCardEvaluation(model.dir);
    else {
      const drive = openDataset(str(p, 'drive') ?? join(datasetsRoot(), 'DRIVE'), 'drive');
      const bar = createProgressBar('DRIVE test', drive.splits.test.length);
      const driveReport = await evaluateModel(model.manifest, model.predictor, drive, 'test', {
        onImage: (d, _t, id) => bar.update(d, id),
      });
      bar.finish();
      const stareDir = str(p, 'stare') ?? join(datasetsRoot(), 'STARE');
      let stareReport;
      if (existsSync(stareDir)) {
        const stare = openDataset(stareDir, 'stare');
        const sbar = createProgressBar('STARE', stare.splits.all.filter((r) => r.maskPath).length);
        stareReport = await evaluateModel(model.manifest, model.predictor, stare, 'all', {
          onImage: (d, _t, id) => sbar.update(d, id),
        });
        sbar.finish();
      }
      // Inference time: median of repeated whole-image runs on one DRIVE test image, after a warm-up.
      const image = await readImage(drive.splits.test[0].imagePath);
      const times: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        await segmentImage(image, model.manifest, model.predictor);
        if (i > 0) times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      ev = {
        generatedAt: new Date().toISOString(),
        modelName: model.manifest.name,
        engine: model.predictor.engine,
        threads,
        drive: driveReport,
        stare: stareReport,
        msPerDriveImage: times[Math.floor(times.length / 2)],
      };
      await writeFileAtomic(join(model.dir, CARD_EVALUATION_FILE), JSON.stringify(ev, null, 1) + '\n');
    }
    await writeModelCard(model.dir, ev, model.manifest);
    process.stderr.write(`wrote ${join(model.dir, CARD_FILE)}\n`);
  } finally {
    await model.predictor.dispose();
  }
  return EXIT.ok;
}
