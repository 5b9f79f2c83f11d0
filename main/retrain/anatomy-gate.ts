// The promotion gate's rules for the anatomy models, as pure functions over per-image scores on held-out images a
// person corrected: artery/vein, the accuracy on the labelled vessel (centreline) pixels; optic disc, the centre's
// distance from the approved disc in disc diameters (capped at one, as the disc network's validation counts it: a
// disc not found at all is one diameter off, not infinitely; where a person removed the disc, a disc found is one
// off and none is right). The decision is the vessel gate's own (gate.ts: a paired bootstrap of the
// per-image gains over independent groups, the same margin and minimum), stated in the task's measure.
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import type { AnatomySnapshot } from './anatomy-snapshot.js';
import { judgePromotion, type GateVerdict } from './gate.js';
import { judgedBy, snapshotGroupOf } from './held-out-groups.js';

/** One held-out image scored by both models in the task's measure. */
export interface AnatomyImageScore {
  imageId: number;
  maskVersionId: number;
  candidate: number;
  active: number;
  /** The gate judged it (absent in runs recorded before this was kept: every image then). */
  usable?: boolean;
}

interface TaskMeasure {
  /** How the verdict names the per-image gain. */
  gain: string;
  /** A higher score is better (accuracy), or a lower one (an error). */
  higherIsBetter: boolean;
}

export const ANATOMY_MEASURES: Record<AnatomyTask, TaskMeasure> = {
  'artery-vein': { gain: 'A/V accuracy', higherIsBetter: true },
  'optic-disc': { gain: 'disc centre error reduction (disc diameters)', higherIsBetter: false },
};

/** The per-image gain of the candidate: accuracy gained, or centre error lost. */
export function anatomyGain(task: AnatomyTask, s: Pick<AnatomyImageScore, 'candidate' | 'active'>): number {
  return ANATOMY_MEASURES[task].higherIsBetter ? s.candidate - s.active : s.active - s.candidate;
}

export interface AnatomyGateRules {
  /** The fewest held-out groups (independent images) the gate judges on (the retrain setting minHeldOut). */
  minImages: number;
  /** Promote only when the lower end of the 95% interval of the gain is above it (promotionMargin). */
  margin: number;
  seed: number;
  resamples?: number;
}

/**
 * The verdict on an anatomy candidate; every held-out image is a person's correction. The snapshot's groups (one
 * eye's visits, one photograph's copies) are one sample each, and only its usable images judge (all when absent).
 */
export function judgeAnatomy(
  task: AnatomyTask,
  images: readonly AnatomyImageScore[],
  rules: AnatomyGateRules,
  held: Pick<AnatomySnapshot, 'usableHeldOut' | 'heldOutGroups'> = {},
): GateVerdict {
  const judges = judgedBy(held);
  const judged = images.filter((s) => judges(s.imageId));
  const groupOf = snapshotGroupOf(held);
  return judgePromotion({
    deltas: judged.map((s) => anatomyGain(task, s)),
    groups: judged.map((s) => groupOf(s.imageId)),
    corrected: judged.length,
    minImages: rules.minImages,
    margin: rules.margin,
    benchmarkDelta: null,
    seed: rules.seed,
    resamples: rules.resamples,
    metric: ANATOMY_MEASURES[task].gain,
  });
}

/** The held-out images scored, each marked whether the gate judges it. */
export function markJudged(
  images: readonly AnatomyImageScore[],
  held: Pick<AnatomySnapshot, 'usableHeldOut'>,
): AnatomyImageScore[] {
  const judges = judgedBy(held);
  return images.map((s) => ({ ...s, usable: judges(s.imageId) }));
}

/**
 * Both models' mean scores over the images the gate judged (those marked usable; all in older runs), as they are
 * stored and shown beside the decision, and how many images that is.
 */
export function judgedMeans(images: readonly AnatomyImageScore[]): {
  candidate: number;
  active: number;
  images: number;
} {
  const judged = images.filter((s) => s.usable !== false);
  const mean = (k: 'candidate' | 'active'): number =>
    judged.length ? judged.reduce((sum, s) => sum + s[k], 0) / judged.length : Number.NaN;
  return { candidate: mean('candidate'), active: mean('active'), images: judged.length };
}
