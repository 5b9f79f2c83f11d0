// The model card: generated from an evaluation JSON (never typed by hand), with ROC, precision-recall and training
// curve plots beside it in the model directory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metrics, ModelManifest } from '../types.js';
import type { EvaluationReport } from './evaluate.js';
import type { UncertaintyReport } from '../uncertainty/evaluate-uncertainty.js';
import type { Reliability } from '../uncertainty/calibration.js';
import { plotPng, type Series } from './plots.js';
import { writeFileAtomic } from '../../node/atomic-fs.js';

export const CARD_FILE = 'MODEL_CARD.md';
export const CARD_EVALUATION_FILE = 'evaluation.json';

/** Everything the card says, measured: the card is a rendering of this. */
export interface CardEvaluation {
  generatedAt: string;
  modelName: string;
  engine: string;
  threads: number;
  /** DRIVE test split against 1st_manual, with 2nd_manual as the second observer. */
  drive: EvaluationReport;
  /** STARE's test half with ah labels (8 images), FOV derived. Older cards: every STARE image with an ah label. */
  stare?: EvaluationReport;
  /** LES-AV's held-out half (split_test_rmaphoh.txt, 11 images, 30-degree camera). */
  lesav?: EvaluationReport;
  /** DRIVE test with every image enlarged (scale robustness: should match native within 0.01 F1). */
  driveResized?: { factor: number; report: EvaluationReport }[];
  /** Median whole-image inference time on a 565x584 DRIVE image. */
  msPerDriveImage: number;
  /** The uncertainty head against the mask's errors (present when the model has one). */
  uncertainty?: CardUncertainty;
  /**
   * Sections scored again after generatedAt (`retina card --rescore`), with when: a change to the pipeline moved
   * their figures, and a card must say what today's code reproduces. Absent when none was.
   */
  rescored?: Partial<Record<'drive' | 'stare' | 'lesav' | 'resized', string>>;
}

const SECTION_NAMES = {
  drive: 'DRIVE test',
  stare: 'STARE',
  lesav: 'LES-AV',
  resized: 'enlarged DRIVE',
} as const;

/** ' STARE and enlarged DRIVE re-scored on 2026-12-06.' for the header, or ''. */
function rescoredNote(ev: CardEvaluation): string {
  const entries = Object.entries(ev.rescored ?? {}) as [keyof typeof SECTION_NAMES, string][];
  if (entries.length === 0) return '';
  const byDay = new Map<string, string[]>();
  for (const [section, at] of entries) {
    const day = at.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), SECTION_NAMES[section]]);
  }
  const said = [...byDay].map(([day, names]) => `${names.join(' and ')} re-scored on ${day}`);
  return ` ${said.join('; ')} (\`retina card --rescore\`).`;
}

export interface CardUncertainty {
  drive: UncertaintyReport;
  /** STARE test: a third camera (absent in cards made before it). */
  stare?: UncertaintyReport;
  lesav?: UncertaintyReport;
  /** Median whole-image time on a 565x584 DRIVE image with the uncertainty estimate (compare msPerDriveImage). */
  msPerDriveImageWithUncertainty: number;
  /** The same run without it, measured beside it. */
  msPerDriveImagePlain: number;
}

const f4 = (x: number | null): string => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(4));

function row(who: string, protocol: string, m: Metrics): string {
  return `| ${who} | ${protocol} | ${f4(m.f1)} | ${f4(m.aucRoc)} | ${f4(m.aucPr)} | ${f4(m.accuracy)} | ${f4(m.sensitivity)} | ${f4(m.specificity)} | ${f4(m.iou)} | ${f4(m.mcc)} |`;
}

function metricsTable(r: EvaluationReport, observer: string): string[] {
  const lines = [
    '| who | protocol | F1 (Dice) | AUC-ROC | AUC-PR | Accuracy | Sensitivity | Specificity | IoU | MCC |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row('this model', 'FOV', r.protocols.fov.pooled),
  ];
  if (r.secondObserver) lines.push(row(observer, 'FOV', r.secondObserver.protocols.fov.pooled));
  lines.push(row('this model', 'all pixels', r.protocols.all.pooled));
  if (r.secondObserver) lines.push(row(observer, 'all pixels', r.secondObserver.protocols.all.pooled));
  const pm = r.protocols.fov.perImageMean;
  lines.push(
    '',
    `Pooled over all pixels of the ${r.images} images (the literature's convention). Per-image mean ± std inside ` +
      `the FOV: F1 ${f4(pm.mean.f1)} ± ${f4(pm.std.f1)}, AUC-ROC ${f4(pm.mean.aucRoc)} ± ${f4(pm.std.aucRoc)}. ` +
      `The observer is a binary map, so its AUCs describe a single operating point.`,
  );
  return lines;
}

function frameLines(manifest: ModelManifest): string[] {
  const f = manifest.frame;
  if (!f) return ['- Frame: native pixels (no canonical frame): suited to DRIVE-sized photographs only.'];
  return [
    `- Canonical frame: the aperture circle is fitted, cropped and resampled to ${f.diameter} px across (scales within ${f.snap} of 1 run natively); where no aperture edge shows, the vessels' calibre is the ruler (labels ${f.labelCalibre.toFixed(2)} px, the model's masks ${f.maskCalibre.toFixed(2)} px). Training, validation and every score below run through it.`,
  ];
}

/**
 * Whether the card's test images were trained on: ids compared by their last part (a mix names its images
 * 'drive/21_training', an evaluation '21_training'). A model trained on DRIVE test was still told "never trained on
 * any test image below".
 */
function testLeakLine(trainIds: readonly string[], ev: CardEvaluation): string {
  const trained = new Set(trainIds.map((id) => id.split('/').pop()));
  const tested = [ev.drive, ev.stare, ev.lesav].flatMap((r) => r?.perImage.map((e) => e.id) ?? []);
  const leaked = tested.filter((id) => trained.has(id.split('/').pop()));
  if (leaked.length === 0) return 'Never trained on any test image below.';
  return (
    `**Trained on ${leaked.length} of the test images below (${leaked.slice(0, 6).join(', ')}` +
    `${leaked.length > 6 ? ', ...' : ''}): their scores are not held out.**`
  );
}

export function renderModelCard(ev: CardEvaluation, manifest: ModelManifest): string {
  const a = manifest.architecture;
  const p = manifest.provenance;
  const pre = manifest.preprocess;
  const aug = p.augment;
  // The bundled recipe's history (its reproduction, how its recipes were chosen) is said of its models only.
  const generalist = p.dataset.startsWith('mix-generalist');
  const best = p.validationCurve.reduce(
    (b, e) => (e.valF1 > b.valF1 ? e : b),
    p.validationCurve[0] ?? { epoch: 0, valF1: NaN, valAuc: NaN, trainLoss: NaN, valLoss: NaN },
  );
  const lines: string[] = [
    `# Model card: ${manifest.name}`,
    '',
    `Generated by \`retina card\` from \`${CARD_EVALUATION_FILE}\` on ${ev.generatedAt}; do not edit by hand.${rescoredNote(ev)}`,
    '',
    '## Model',
    `- U-Net: ${a.depth} poolings, ${a.baseFilters} filters at the top level (doubling per level), ${a.convsPerLevel} conv3x3` +
      `${a.batchNorm ? '+BN' : ''}+ReLU per level, ${a.upsampling === 'transpose' ? '2x2 transposed convolutions' : 'nearest upsampling + conv'}, ` +
      `dropout ${a.dropout}${a.residual ? ', residual blocks' : ''}, sigmoid output; **${manifest.parameters.toLocaleString('en-US')} parameters**.`,
    `- Preprocessing: ${pre.channel} channel, ${pre.clahe ? `CLAHE (clip ${pre.clahe.clipLimit}, ${pre.clahe.tileGrid}x${pre.clahe.tileGrid} tiles)` : 'no CLAHE'}, ` +
      `gamma ${pre.gamma}, ${pre.normalise === 'fov-zscore' ? 'zero mean / unit variance inside the FOV' : '[0,1] scaling'}.`,
    `- Threshold ${manifest.threshold.toFixed(4)}, chosen on the validation images only (maximum F1)` +
      `${manifest.testTimeFlips ? ', on predictions averaged over the image and its three flips (test-time flips, used for every score below)' : ''}.`,
    `- Weights stored as ${manifest.weightsFloat16 ? 'float16 (retina compact; small tensors kept float32), run in float32' : 'float32'}.`,
    `- Inference: ${ev.msPerDriveImage.toFixed(0)} ms per 565x584 image (whole pipeline, ${ev.engine}, ${ev.threads} threads).`,
    '',
    '## Training',
    `- Data: ${p.dataset} (${p.datasetKind}) training images ${p.trainIds.join(', ')}; validation (held out) ${p.validationIds.join(', ')}. ${testLeakLine(p.trainIds, ev)}`,
    ...frameLines(manifest),
    generalist
      ? '- Recipes and thresholds are chosen on validation images only. (The earliest DRIVE-only recipes were compared on DRIVE test; that stopped with the generalist model.)'
      : '- The threshold is chosen on the validation images only.',
    `- ${p.epochs} epochs, ${p.patchesSeen.toLocaleString('en-US')} patches of ${manifest.patchSize}x${manifest.patchSize}, loss ${p.loss}, Adam with warm-up and cosine decay, seed ${p.seed}.`,
    `- Augmentation: ${aug ? `rotation ±${aug.rotateDeg}°, scale ${aug.scale.join('–')}, flips, shear ${aug.shear}, brightness ±${aug.brightness}, contrast ${aug.contrast.join('–')}, gamma ${aug.gamma.join('–')}${aug.elastic ? ', elastic jitter' : ''}` : 'none'}.`,
    `- Best validation epoch ${best.epoch}: F1 ${f4(best.valF1)}, AUC-ROC ${f4(best.valAuc)}.`,
    `- Duration ${(p.durationSeconds / 60).toFixed(1)} min on ${p.machine}, backend ${p.backend}${p.workers ? `, ${p.workers} data-parallel worker${p.workers === 1 ? '' : 's'} (part of what the seed reproduces)` : ''}.`,
    p.datasetKind === 'study'
      ? `- Retrained by \`retina retrain\` on the approved masks of ${p.dataset} (parent ${p.parentModel ?? 'none'}): the run's record in that study says what it trained on; no dataset folder reproduces it.`
      : manifest.frame && generalist
        ? `- Reproduce: \`npx retina train --recipe default --out D\`, then \`npx retina train --recipe generalist --mix generalist --init D --out M\`, \`npx retina compact --model M\` and \`npx retina card --model M\` (parent here: ${p.parentModel ?? 'none'}).`
        : `- Reproduce: \`npx retina train --dataset ${p.dataset} --seed ${p.seed} --epochs ${p.epochs} --out M\` with the recipe it was trained with${p.parentModel ? ` (and \`--init\` ${p.parentModel})` : ''}, then \`npx retina card --model M\`.`,
    '',
    `## DRIVE test (${ev.drive.images} images, against 1st_manual)`,
    ...metricsTable(ev.drive, '2nd human observer'),
    '',
    'Published anchors on the same test set (FOV): second observer F1 0.788; U-Net about 0.81; SA-UNet 0.826 (AUC 0.986); FR-UNet 0.832 (AUC 0.989).',
    '',
  ];
  if (ev.stare) {
    lines.push(
      `## STARE (${ev.stare.images} images with ah labels, FOV derived from the image)`,
      ...metricsTable(ev.stare, 'vk observer'),
      '',
    );
  }
  if (ev.lesav) {
    lines.push(
      `## LES-AV held-out half (${ev.lesav.images} images, 1620x1444, 30-degree field)`,
      ...metricsTable(ev.lesav, 'second observer'),
      '',
    );
  }
  if (ev.driveResized?.length) {
    const native = ev.drive.protocols.fov.pooled;
    lines.push(
      '## Any size: DRIVE test enlarged',
      'Every image, label and FOV enlarged before segmentation; scored at the enlarged size inside the FOV.',
      '',
      '| input | F1 | AUC-ROC | F1 - native |',
      '|---|---|---|---|',
      `| native 565x584 | ${f4(native.f1)} | ${f4(native.aucRoc)} | 0 |`,
      ...ev.driveResized.map(({ factor, report }) => {
        const m = report.protocols.fov.pooled;
        return `| ${factor}x (${565 * factor}x${584 * factor}) | ${f4(m.f1)} | ${f4(m.aucRoc)} | ${(m.f1 - native.f1).toFixed(4)} |`;
      }),
      '',
    );
  }
  lines.push(...uncertaintyLines(ev, manifest));
  lines.push(
    '## Curves',
    '![ROC curves](roc.png) ![Precision-recall curves](pr.png)',
    '',
    '![Training curves](training.png)',
    '',
    '## DRIVE test, per image (FOV)',
    '| image | F1 | AUC-ROC | Sensitivity | Specificity | seconds |',
    '|---|---|---|---|---|---|',
    ...ev.drive.perImage.map(
      (e) =>
        `| ${e.id} | ${f4(e.metrics.fov.f1)} | ${f4(e.metrics.fov.aucRoc)} | ${f4(e.metrics.fov.sensitivity)} | ${f4(e.metrics.fov.specificity)} | ${e.seconds.toFixed(2)} |`,
    ),
    '',
  );
  return lines.join('\n');
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : '-'}${Math.abs(x * 100).toFixed(0)}%`;
}

function uncertaintyRow(name: string, r: UncertaintyReport): string {
  return `| ${name} (${r.images}) | ${f4(r.auroc)} | ${f4(r.baselineAuroc)} | ${f4(r.expectedF1Mae)} | ${r.expectedF1Bias >= 0 ? '+' : ''}${f4(r.expectedF1Bias)} | ${f4(r.reliability.ece)} |`;
}

function uncertaintyLines(ev: CardEvaluation, manifest: ModelManifest): string[] {
  const u = manifest.uncertainty;
  if (!u) return [];
  const v = u.validation;
  const lines = [
    '## Uncertainty and calibration',
    `- Uncertainty map: the probability that the mask is wrong at each pixel, from a small perceptron (${u.head.features.length} inputs, ${u.head.hidden} hidden units) over features of the image's and its three flips' predictions (distance from the threshold, the flips' spread, distance to the mask's edge, faint ridges of probability). No extra network passes. Fitted on the validation images ${u.fittedOn.join(', ')}${u.inheritedFrom ? ` (inherited from ${u.inheritedFrom})` : ''}.`,
    `- On those images: pooled AUROC against the mask's errors ${f4(v.auroc)} (p(1-p): ${f4(v.baselineAuroc)}); the map read as an error probability has ECE ${f4(v.head.ece)}.`,
    `- Vessel probability: temperature ${u.temperature.temperature.toFixed(3)}, bias ${u.temperature.bias.toFixed(3)} (Platt scaling of the logit, fitted on the same images); expected calibration error ${f4(v.probability.ece)} before, ${f4(v.calibrated.ece)} after. The threshold and the stored maps are the uncalibrated ones.`,
    '- Expected F1 of an image: 2 E[TP] / (2 E[TP] + E[FP] + E[FN]), with each mask pixel a false positive with its error probability and each background pixel a missed vessel with its.',
  ];
  const c = ev.uncertainty;
  if (c) {
    lines.push(
      '',
      '| test images | AUROC (this map) | AUROC p(1-p) | expected F1, mean abs. error | mean bias | ECE of the map |',
      '|---|---|---|---|---|---|',
      uncertaintyRow('DRIVE test', c.drive),
      ...(c.stare ? [uncertaintyRow('STARE test', c.stare)] : []),
      ...(c.lesav ? [uncertaintyRow('LES-AV held-out', c.lesav)] : []),
      '',
      `Errors: pixels inside the FOV where the mask as written disagrees with the reference (DRIVE: 1st_manual; STARE: the first observer, ah). Time per 565x584 image: ${c.msPerDriveImagePlain.toFixed(0)} ms without the estimate, ${c.msPerDriveImageWithUncertainty.toFixed(0)} ms with it (${signedPercent(c.msPerDriveImageWithUncertainty / c.msPerDriveImagePlain - 1)}; timed on this machine as loaded when the card was made).`,
    );
  }
  lines.push('', '![Reliability diagrams](reliability.png)', '');
  return lines;
}

function reliabilitySeries(r: Reliability, label: string, colour: string): Series {
  return {
    label: `${label} (ECE ${f4(r.ece)})`,
    colour,
    points: r.bins.filter((b) => b.count > 0).map((b) => ({ x: b.meanPredicted, y: b.observed })),
    markers: true,
  };
}

function curveSeries(r: EvaluationReport, label: string, colour: string, kind: 'roc' | 'pr'): Series {
  const c = r.protocols.fov.curves;
  return kind === 'roc'
    ? { label, colour, points: c.roc.map((p) => ({ x: p.fpr, y: p.tpr })) }
    : { label, colour, points: c.pr.map((p) => ({ x: p.recall, y: p.precision })) };
}

function observerPoint(r: EvaluationReport, label: string, colour: string, kind: 'roc' | 'pr'): Series[] {
  if (!r.secondObserver) return [];
  const m = r.secondObserver.protocols.fov.pooled;
  const pt =
    kind === 'roc' ? { x: 1 - m.specificity, y: m.sensitivity } : { x: m.sensitivity, y: m.precision };
  return [{ label, colour, points: [pt], markers: true }];
}

export async function writeModelCard(
  modelDir: string,
  ev: CardEvaluation,
  manifest: ModelManifest,
): Promise<void> {
  const series = (kind: 'roc' | 'pr'): Series[] => [
    curveSeries(
      ev.drive,
      `DRIVE test (AUC ${f4(kind === 'roc' ? ev.drive.protocols.fov.pooled.aucRoc : ev.drive.protocols.fov.pooled.aucPr)})`,
      '#c0392b',
      kind,
    ),
    ...observerPoint(ev.drive, 'DRIVE 2nd observer', '#2c3e50', kind),
    ...(ev.stare
      ? [
          curveSeries(
            ev.stare,
            `STARE (AUC ${f4(kind === 'roc' ? ev.stare.protocols.fov.pooled.aucRoc : ev.stare.protocols.fov.pooled.aucPr)})`,
            '#2980b9',
            kind,
          ),
          ...observerPoint(ev.stare, 'STARE vk observer', '#7f8c8d', kind),
        ]
      : []),
  ];
  const roc = await plotPng({
    title: 'ROC inside the FOV',
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    x: [0, 1],
    y: [0, 1],
    series: series('roc'),
  });
  const pr = await plotPng({
    title: 'Precision-recall inside the FOV',
    xLabel: 'recall',
    yLabel: 'precision',
    x: [0, 1],
    y: [0, 1],
    series: series('pr'),
  });
  const curve = manifest.provenance.validationCurve;
  // The first epoch's loss can dwarf the rest; scale to the later epochs (points above the top are clipped).
  const scaled = curve.length > 3 ? curve.slice(1) : curve;
  const maxLoss = Math.max(1, ...scaled.map((e) => Math.max(e.trainLoss, e.valLoss)));
  const training = await plotPng({
    title: 'Training',
    legend: 'middle-right',
    xLabel: 'epoch',
    yLabel: 'loss / score',
    x: [0, Math.max(1, curve.length)],
    y: [0, Math.ceil(maxLoss * 10) / 10],
    series: [
      { label: 'train loss', colour: '#c0392b', points: curve.map((e) => ({ x: e.epoch, y: e.trainLoss })) },
      {
        label: 'validation loss',
        colour: '#e67e22',
        points: curve.map((e) => ({ x: e.epoch, y: e.valLoss })),
      },
      { label: 'validation F1', colour: '#27ae60', points: curve.map((e) => ({ x: e.epoch, y: e.valF1 })) },
      { label: 'validation AUC', colour: '#2980b9', points: curve.map((e) => ({ x: e.epoch, y: e.valAuc })) },
    ],
  });
  const u = manifest.uncertainty?.validation;
  if (u) {
    const reliabilityPlot = await plotPng({
      title: 'Reliability on the validation images',
      legend: 'bottom-right',
      xLabel: 'predicted probability',
      yLabel: 'observed frequency',
      x: [0, 1],
      y: [0, 1],
      series: [
        {
          label: 'ideal',
          colour: '#bdc3c7',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        reliabilitySeries(u.probability, 'vessel p', '#c0392b'),
        reliabilitySeries(u.calibrated, 'calibrated p', '#27ae60'),
        reliabilitySeries(u.head, 'uncertainty map', '#2980b9'),
      ],
    });
    await writeFileAtomic(join(modelDir, 'reliability.png'), reliabilityPlot);
  }
  await writeFileAtomic(join(modelDir, 'roc.png'), roc);
  await writeFileAtomic(join(modelDir, 'pr.png'), pr);
  await writeFileAtomic(join(modelDir, 'training.png'), training);
  await writeFileAtomic(join(modelDir, CARD_FILE), renderModelCard(ev, manifest));
}

export async function readCardEvaluation(modelDir: string): Promise<CardEvaluation> {
  const file = join(modelDir, CARD_EVALUATION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error(
      `${file} does not exist: the model has not been scored yet (run retina card without --from-json)`,
    );
  }
  return JSON.parse(text) as CardEvaluation;
}
