// Scores of the anatomy models on held-out reference images, shared by `npm run bench:anatomy` and the model cards:
// artery/vein accuracy and coverage on the reference's centreline pixels, the optic disc's centre and diameter, and
// the false discs found on photographs cut to leave their disc out.
import type { LoadedModel } from '../model/model-loader.js';
import { readBinaryMap, readImage, readPhotograph, toRgb8 } from '../io/image-io.js';
import { cropImage } from '../image/crop.js';
import { deriveFov } from '../image/fov.js';
import { segmentImage } from '../infer.js';
import type { AnatomyRef } from './anatomy-datasets.js';
import { framePhotograph } from './anatomy-inputs.js';
import { decodeAvLabels } from './av-labels.js';
import {
  addScores,
  arteryProbability,
  scoreArteryVein,
  voteArteryVein,
  AV_CLASS,
  type AvScore,
} from './artery-vein.js';
import { locateDisc } from './optic-disc.js';
import { discError, referenceDisc } from './train-optic-disc.js';

export interface ArteryVeinRow {
  images: string;
  n: number;
  /** The images scored, `<dataset>/<stem>` (absent in evaluations made before it). */
  ids?: string[];
  /** With the vote along the vessel tree (what `retina segment --av` writes). */
  accuracy: number;
  coverage: number;
  /** Each segment by its own pixels' vote, not shared along the tree (absent in cards made before it). */
  segmentVoteAccuracy?: number;
  /** Each pixel by its own probability. */
  pixelAccuracy: number;
  /** The network's labels on the reference's own vessels (a perfect vessel mask). */
  referenceVesselAccuracy: number;
}

const EMPTY: AvScore = { reference: 0, labelled: 0, correct: 0 };
const accuracy = (s: AvScore) => s.correct / Math.max(1, s.labelled);

export async function evaluateArteryVein(
  name: string,
  refs: AnatomyRef[],
  vessel: LoadedModel,
  av: LoadedModel,
): Promise<ArteryVeinRow> {
  let vote = EMPTY;
  let segment = EMPTY;
  let pixel = EMPTY;
  let oracle = EMPTY;
  for (const ref of refs) {
    const f = await framePhotograph(ref, vessel);
    const reference = decodeAvLabels(await readImage(ref.avPath!));
    const { width, height } = f.image;
    // One network pass, three votes on it.
    const p = await arteryProbability(f.image, f.seg.fov, f.frame, av);
    const voted = voteArteryVein(p, f.seg);
    const alone = voteArteryVein(p, f.seg, { treeVote: false });
    const own = voteArteryVein(p, f.seg, { segmentVote: false });
    vote = addScores(vote, scoreArteryVein(voted.labels, reference, width, height));
    segment = addScores(segment, scoreArteryVein(alone.labels, reference, width, height));
    pixel = addScores(pixel, scoreArteryVein(own.labels, reference, width, height));
    const onRef = Uint8Array.from(reference, (v, i) =>
      v ? (own.artery[i] >= 0.5 ? AV_CLASS.artery : AV_CLASS.vein) : AV_CLASS.background,
    );
    oracle = addScores(oracle, scoreArteryVein(onRef, reference, width, height));
  }
  return {
    images: name,
    n: refs.length,
    ids: refs.map((r) => r.id),
    accuracy: accuracy(vote),
    coverage: vote.labelled / Math.max(1, vote.reference),
    segmentVoteAccuracy: accuracy(segment),
    pixelAccuracy: accuracy(pixel),
    referenceVesselAccuracy: accuracy(oracle),
  };
}

export interface OpticDiscRow {
  images: string;
  n: number;
  /** The images scored, `<dataset>/<stem>` (absent in evaluations made before it). */
  ids?: string[];
  centreWithinQuarter: number;
  diameterWithin15: number;
  /**
   * In reference disc diameters; an image without a disc found ranks above every error, and null says that is
   * where the median or the worst falls (JSON has no Infinity: it wrote null, which the card then failed to read).
   */
  medianCentreError: number | null;
  worstCentreError: number | null;
  foveaFound: number;
  laterality: { L: number; R: number; unknown: number };
  /** The images outside either goal, so a reader can look at them (absent in evaluations made before it). */
  misses?: DiscMiss[];
}

/** An image whose disc is not found, or found more than 0.25 DD off or more than 15% off in diameter. */
export interface DiscMiss {
  id: string;
  /** Centre error in reference disc diameters; null when no disc was found. */
  centre: number | null;
  /** Found over reference diameter; null when no disc was found. */
  diameterRatio: number | null;
}

export async function evaluateOpticDisc(
  name: string,
  refs: AnatomyRef[],
  vessel: LoadedModel,
  disc: LoadedModel,
): Promise<OpticDiscRow> {
  const errors: number[] = [];
  let sizes = 0;
  let foveae = 0;
  const laterality = { L: 0, R: 0, unknown: 0 };
  const misses: DiscMiss[] = [];
  for (const ref of refs) {
    const f = await framePhotograph(ref, vessel);
    const mask = await readBinaryMap(ref.discPath!, f.image);
    const r = await locateDisc(f.image, f.seg, disc);
    const e = discError(r.disc, referenceDisc(mask.data, mask.width)!);
    errors.push(e.centre);
    if (Math.abs(e.diameter) <= 0.15) sizes++;
    if (!(e.centre <= 0.25 && Math.abs(e.diameter) <= 0.15)) {
      misses.push({
        id: ref.id,
        centre: r.disc ? e.centre : null,
        diameterRatio: r.disc ? 1 + e.diameter : null,
      });
    }
    if (r.fovea) foveae++;
    laterality[r.laterality ?? 'unknown']++;
  }
  const sorted = [...errors].sort((a, b) => a - b);
  const finite = (e: number) => (Number.isFinite(e) ? e : null);
  return {
    images: name,
    n: refs.length,
    ids: refs.map((r) => r.id),
    centreWithinQuarter: errors.filter((e) => e <= 0.25).length / refs.length,
    diameterWithin15: sizes / refs.length,
    medianCentreError: finite(sorted[Math.floor(sorted.length / 2)]),
    worstCentreError: finite(sorted[sorted.length - 1]),
    foveaFound: foveae,
    laterality,
    misses,
  };
}

/** Photographs cut to leave their disc out, and how many of them the disc search still finds a disc on. */
export interface NoDiscRow {
  images: string;
  n: number;
  falseDiscs: number;
}

/**
 * Each photograph cut to the side of its reference disc that lies away from it, one disc diameter clear of it, the
 * full height: vessels and fundus without a disc, which the search must answer with none.
 */
export async function evaluateNoDisc(
  name: string,
  refs: AnatomyRef[],
  vessel: LoadedModel,
  disc: LoadedModel,
): Promise<NoDiscRow> {
  let falseDiscs = 0;
  for (const ref of refs) {
    const whole = toRgb8(await readPhotograph(ref.imagePath));
    const truth = referenceDisc((await readBinaryMap(ref.discPath!, whole)).data, whole.width)!;
    const onLeft = truth.x < whole.width / 2;
    const edge = onLeft ? Math.ceil(truth.x + truth.diameter) : Math.floor(truth.x - truth.diameter);
    const image = onLeft
      ? cropImage(whole, Math.min(edge, whole.width - 64), 0, whole.width, whole.height)
      : cropImage(whole, 0, 0, Math.max(edge, 64), whole.height);
    const seg = await segmentImage(image, vessel.manifest, vessel.predictor, { fov: deriveFov(image) });
    if ((await locateDisc(image, seg, disc)).disc) falseDiscs++;
  }
  return { images: name, n: refs.length, falseDiscs };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function arteryVeinTable(rows: ArteryVeinRow[]): string[] {
  return [
    '| images | n | accuracy | coverage | each segment alone | each pixel alone | on the reference vessels |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.images} | ${r.n} | ${r.accuracy.toFixed(4)} | ${pct(r.coverage)} | ` +
        `${r.segmentVoteAccuracy?.toFixed(4) ?? 'not measured'} | ${r.pixelAccuracy.toFixed(4)} | ` +
        `${r.referenceVesselAccuracy.toFixed(4)} |`,
    ),
  ];
}

/** One line per image outside the goals, under its set's name: where to look first. */
export function opticDiscMisses(rows: OpticDiscRow[]): string[] {
  return rows.flatMap((r) =>
    (r.misses ?? []).map((m) =>
      m.centre === null || m.diameterRatio === null
        ? `- ${r.images}: ${m.id}, no disc found`
        : `- ${r.images}: ${m.id}, diameter ${m.diameterRatio.toFixed(2)}x the reference's, centre ` +
          `${m.centre.toFixed(2)} DD off`,
    ),
  );
}

/** A centre error for the table; null (or an Infinity from before it was written as null) is an image without a disc. */
const dd = (e: number | null) => (e === null || !Number.isFinite(e) ? 'no disc' : e.toFixed(3));

export function opticDiscTable(rows: OpticDiscRow[]): string[] {
  return [
    '| images | n | centre within 0.25 DD | diameter within 15% | median centre error (DD) | worst | fovea found | L / R / unknown |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.images} | ${r.n} | ${pct(r.centreWithinQuarter)} | ${pct(r.diameterWithin15)} | ` +
        `${dd(r.medianCentreError)} | ${dd(r.worstCentreError)} | ${r.foveaFound}/${r.n} | ` +
        `${r.laterality.L} / ${r.laterality.R} / ${r.laterality.unknown} |`,
    ),
  ];
}
