// MODEL_CARD.md of an anatomy model (artery/vein or optic disc), generated from its manifest and its evaluation on
// held-out images (anatomy-evaluation.json beside it), like the vessel model's card.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '../types.js';
import type { AnatomyTask } from './anatomy-manifest.js';
import { writeFileAtomic } from '../../node/atomic-fs.js';
import { ARTERY_VEIN_PASSES } from './artery-vein.js';
import { learntImages, learntImagesByContent, type LearntImages } from '../model/known-samples.js';
import {
  arteryVeinTable,
  opticDiscMisses,
  opticDiscTable,
  type ArteryVeinRow,
  type OpticDiscRow,
} from './evaluate-anatomy.js';

export const ANATOMY_EVALUATION_FILE = 'anatomy-evaluation.json';
export const ANATOMY_CARD_FILE = 'MODEL_CARD.md';

export interface AnatomyEvaluation {
  createdAt: string;
  /** The vessel model whose mask the scoring ran on (absent in evaluations made before it). */
  vesselModel?: string;
  arteryVein?: ArteryVeinRow[];
  opticDisc?: OpticDiscRow[];
  /** `retina segment --av` end to end on a 3504x2336 JPEG, seconds (median of fresh processes). */
  endToEndSeconds?: number;
}

export async function readAnatomyEvaluation(dir: string): Promise<AnatomyEvaluation> {
  return JSON.parse(await readFile(join(dir, ANATOMY_EVALUATION_FILE), 'utf8')) as AnatomyEvaluation;
}

export async function writeAnatomyEvaluation(dir: string, ev: AnatomyEvaluation): Promise<void> {
  await writeFileAtomic(join(dir, ANATOMY_EVALUATION_FILE), JSON.stringify(ev, null, 1) + '\n');
}

/** Zooms as the card says them: '0.9x, 1x and 1.1x'. */
function inWords(zooms: readonly number[]): string {
  const said = zooms.map((z) => `${z}x`);
  return said.length > 1 ? `${said.slice(0, -1).join(', ')} and ${said[said.length - 1]}` : said.join('');
}

const PURPOSE: Record<AnatomyTask, string[]> = {
  'artery-vein': [
    'Labels every pixel of a vessel mask artery or vein, for the calibre measures that need both (CRAE, CRVE, the',
    'arteriole-to-venule ratio). The network gives each pixel a probability of artery (its logit averaged over the',
    `frame shown at ${inWords(ARTERY_VEIN_PASSES.zooms)}); every vessel pixel then takes the label of its segment (the vessel between`,
    "two junctions of the mask's skeleton), voted along the vessel tree: each segment's mean logit, shared by belief",
    'propagation with the segments it meets (all arms of a branch point, the straight-through arms of a crossing).',
  ],
  'optic-disc': [
    'Finds the optic disc (centre, diameter, mask) in a photograph from any camera. The fovea is placed by anatomy',
    '(about 2.5 disc diameters temporal to the disc, refined to the darkest vessel-free region, with a confidence)',
    "and the laterality follows from the disc's side of the fovea (right eye: disc right of the macula), or from",
    "the disc's side of the field when the fovea is not found. Without an aperture edge the network runs at several",
    'scales, and the disc found is measured again on a crop scaled to the size the network was trained on.',
  ],
};

/** What each task's model cannot do, beside what both share (few public training images, research use only). */
const LIMITS: Record<AnatomyTask, string[]> = {
  'artery-vein': [
    '- Trained on few images (public datasets only); the network has seen no wide-field artery/vein labels.',
    "- Every vessel pixel gets a label: where the vessel mask is wrong, so is the map; unlabelled vessels (the mask's",
    '  misses) lower the coverage.',
    '- It tells arteries from veins mostly by colour: on grey copies of 16 test photographs 0.89 of the centrelines',
    '  are right against 0.93 in colour. A grey or red-free photograph is labelled with a warning.',
  ],
  'optic-disc': [
    '- Trained on few images (public datasets only): 30-50 degree photographs and one wide-field set.',
    '- A disc cut by the edge of the field is found smaller than it is (the CLI and the app warn); the fovea has no',
    '  reference here, so its position and confidence are checked only for plausibility.',
    '- A photograph that shows no disc gets none, with the reason: the most disc-like region is refused when few',
    "  vessels converge on it, when it is faint, or when it is far from a disc's size. On very small or blurred",
    '  photographs (vessels one or two pixels wide) a real disc can be refused the same way.',
  ],
};

/** How each task's pipeline leans on the vessel model's mask, so its learnt images are not held out from it. */
const USES_VESSELS: Record<AnatomyTask, (vessel: string) => string> = {
  'artery-vein': (v) =>
    `The labels go to the pixels of the mask of the vessel model it runs with, ${v} (the coverage and the` +
    ' segments voted on come from that mask).',
  'optic-disc': (v) =>
    `The disc is sought on the mask of the vessel model it runs with, ${v} (a disc is refused where few vessels` +
    ' converge on it; the fovea is sought where there are none).',
};

/** `a, b and c`, at most `max` of them. */
function listed(ids: string[], max = 8): string {
  const shown = ids.length > max ? [...ids.slice(0, max), `${ids.length - max} more`] : ids;
  return shown.length > 1
    ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`
    : shown.join('');
}

type ScoredRow = { images: string; n: number; ids?: string[] };

/** A row's recorded ids (`<dataset>/<stem>`) as dataset and sample id. */
function splitIds(ids: string[]): { dataset: string; id: string; full: string }[] {
  return ids.map((full) => {
    const slash = full.indexOf('/');
    return { dataset: full.slice(0, Math.max(0, slash)), id: full.slice(slash + 1), full };
  });
}

/**
 * Which scored images of each row (by its label) `vessel` learnt, by name and, where `pathOf` finds the photograph,
 * by content: a vessel model retrained on a study whose DRIVE photographs were imported as plain files names them
 * by the study's names, and only its manifest's fingerprints know them.
 */
export async function vesselModelLearnt(
  rows: ScoredRow[],
  vessel: ModelManifest,
  pathOf: (fullId: string) => string | undefined,
): Promise<Map<string, LearntImages>> {
  const out = new Map<string, LearntImages>();
  for (const r of rows) {
    if (!r.ids) continue;
    const split = splitIds(r.ids);
    const found = split.flatMap((x) => {
      const path = pathOf(x.full);
      return path ? [{ ...x, path }] : [];
    });
    const byContent = await learntImagesByContent(vessel, found);
    const byName = learntImages(vessel, split);
    const union = (a: string[], b: string[]) =>
      split.map((x) => x.id).filter((id) => a.includes(id) || b.includes(id));
    out.set(r.images, {
      trained: union(byName.trained, byContent.trained),
      validated: union(byName.validated, byContent.validated),
    });
  }
  return out;
}

/**
 * The held-out images the vessel model the pipeline runs with trained or validated on: held out from this network,
 * not from the pipeline, so their figures may be optimistic. `learnt` (vesselModelLearnt) adds those found by
 * content; without it, by name only.
 */
function vesselModelNote(
  task: AnatomyTask,
  rows: ScoredRow[],
  vessel: ModelManifest,
  learntByRow?: ReadonlyMap<string, LearntImages>,
): string[] {
  const learnt = rows.flatMap((r) => {
    if (!r.ids) return [];
    const split = splitIds(r.ids);
    const l = learntByRow?.get(r.images) ?? learntImages(vessel, split);
    const full = (ids: string[]) => ids.map((id) => split.find((x) => x.id === id)!.full);
    const parts = [
      ...(l.trained.length ? [`trained on ${l.trained.length} (${listed(full(l.trained))})`] : []),
      ...(l.validated.length
        ? [`picked its epoch on ${l.validated.length} (${listed(full(l.validated))})`]
        : []),
    ];
    const count = new Set([...l.trained, ...l.validated]).size;
    return parts.length
      ? [`- ${r.images}: ${count} of ${r.n} images; ${vessel.name} ${parts.join(' and ')}.`]
      : [];
  });
  const unknown = rows.filter((r) => !r.ids).map((r) => r.images);
  let said = USES_VESSELS[task](vessel.name);
  if (learnt.length)
    said +=
      ' That model learnt some of the images held out here (below): their figures may be optimistic, as those' +
      ' images are held out from this network but not from the vessel mask it runs on.';
  else if (unknown.length < rows.length)
    said += ` That model trained and validated on none of the images held out here${unknown.length ? ' that are recorded' : ''}.`;
  if (unknown.length)
    said += ` The images scored for ${listed(unknown)} are not recorded, so they are not checked against its training images.`;
  return ['', said, ...(learnt.length ? ['', ...learnt] : [])];
}

export function anatomyCard(
  m: ModelManifest,
  ev: AnatomyEvaluation,
  vessel?: ModelManifest,
  vesselLearnt?: ReadonlyMap<string, LearntImages>,
): string {
  const a = m.anatomy!;
  const p = m.provenance;
  const lines = [
    `# Model card: ${m.name} (${a.task})`,
    '',
    ...PURPOSE[a.task],
    '',
    '## Network and input',
    `- U-Net, depth ${m.architecture.depth}, ${m.architecture.baseFilters} base filters, ${m.parameters.toLocaleString('en')} parameters; one sigmoid output` +
      (a.task === 'artery-vein'
        ? ' (probability of artery, trained on labelled vessel pixels only).'
        : ' (probability of disc).'),
    `- Input: the red, green and blue planes, each CLAHE-equalised and z-scored inside the field of view, in the vessel` +
      ` model's canonical frame (aperture ${m.frame?.diameter ?? '?'} px across)` +
      (a.downsample > 1 ? `, shrunk ${a.downsample}x.` : '.'),
    `- Exported to ONNX (opset ${m.onnx?.opset ?? '?'}) and run with ONNX Runtime, like the vessel model.`,
    '',
    '## Training',
    `- Data: ${p.dataset}. ${p.trainIds.length} training images, ${p.validationIds.length} validation images (picked the` +
      ` epoch; never fitted on): ${p.validationIds.join(', ')}.`,
    ...(p.parentModel
      ? [`- Started from the weights of ${p.parentModel} (its earlier training not counted below).`]
      : []),
    `- ${p.epochs} epochs, ${p.patchesSeen.toLocaleString('en')} patches of ${m.patchSize} px, ${Math.round(p.durationSeconds / 60)} min on ` +
      `${p.machine} (${p.backend}), seed ${p.seed}, weighted binary cross-entropy, Adam with a cosine schedule.`,
    ...(p.trainedBy
      ? [
          `- Trained outside the app by ${p.trainedBy}, on the same frame, inputs, labels and augmentation as` +
            ' `retina train-anatomy`; its port of the network reproduced the tfjs output before training. The' +
            " app's one-click retrain fine-tunes these weights with tfjs.",
        ]
      : []),
    `- Best validation figures during training (the network alone, one pass at 1x): ${Object.entries(
      a.validation ?? {},
    )
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')}.`,
    '',
    '## Evaluation on held-out images',
  ];
  if (ev.arteryVein) {
    lines.push(
      '',
      "Protocol: the reference's artery and vein centreline pixels (skeleton of all its labelled vessels; crossings and",
      'uncertain excluded); accuracy among those the map labels (the vessel mask must cover them), coverage = the share',
      'it labels. RITE test follows DRIVE\'s 2nd observer\'s vessel tree. "On the reference vessels" labels the',
      'reference\'s own vessel pixels with the network: the accuracy with a perfect vessel mask. "Each segment alone"',
      'votes per segment without the tree; "each pixel alone" takes every pixel\'s own probability.',
      '',
      ...arteryVeinTable(ev.arteryVein),
    );
    if (vessel) lines.push(...vesselModelNote(a.task, ev.arteryVein, vessel, vesselLearnt));
  }
  if (ev.opticDisc) {
    lines.push(
      '',
      'Centre error in reference disc diameters (DD: the equivalent-circle diameter of the reference mask, 2 sqrt(area /',
      "pi)); diameter within 15% of the reference's. The diameter reported is defined alike, from the area of the region",
      "found (the disc's vertical extent, the clinical vertical diameter, is 1-8% longer in the medians of these",
      'references). Held out: DRIVE test, and every fourth image by name of DRIONS-DB and AV-WIDE.',
      'No fovea or laterality reference is available in these datasets: those columns count what was found.',
      '',
      ...opticDiscTable(ev.opticDisc),
    );
    const misses = opticDiscMisses(ev.opticDisc);
    if (misses.length) lines.push('', 'Outside the goals:', '', ...misses);
    if (vessel) lines.push(...vesselModelNote(a.task, ev.opticDisc, vessel, vesselLearnt));
  }
  if (ev.endToEndSeconds !== undefined) {
    lines.push(
      '',
      `\`retina segment --av\` on a 3504x2336 JPEG, end to end in a fresh process: ${ev.endToEndSeconds.toFixed(1)} s.`,
    );
  }
  lines.push(
    '',
    '## Limits',
    ...LIMITS[a.task],
    '- Research and educational use only, like the datasets it was trained on; not a medical device.',
    '',
    `Generated ${ev.createdAt} by \`retina card\`.`,
    '',
  );
  return lines.join('\n');
}

export async function writeAnatomyCard(
  dir: string,
  m: ModelManifest,
  ev: AnatomyEvaluation,
  vessel?: ModelManifest,
  /** Where each scored image (`<dataset>/<stem>`) is, to find by content those the vessel model learnt. */
  pathOf: (fullId: string) => string | undefined = () => undefined,
): Promise<void> {
  const learnt =
    vessel && (await vesselModelLearnt([...(ev.arteryVein ?? []), ...(ev.opticDisc ?? [])], vessel, pathOf));
  await writeFileAtomic(join(dir, ANATOMY_CARD_FILE), anatomyCard(m, ev, vessel, learnt));
}
