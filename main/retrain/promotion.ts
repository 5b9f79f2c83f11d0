// Steps 5 and 6 of a retrain: decide (the promotion gate on the held-out images a person corrected and the
// benchmark; recorded on the candidate's row), promote when allowed, then re-predict the images nobody has
// corrected yet with the new active model.
import { getImage, promoteModel, updateModelMetrics, type ModelRecord, type Store } from '../store/index.js';
import { judgePromotion, type GateVerdict } from './gate.js';
import type { HeldOutImageReport } from './outcome.js';
import type { RetrainPlan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import { repredictDraftFree } from './repredict.js';
import { skippedSummary } from '../jobs/index.js';
import type { Scores } from './scoring.js';
import { judgedBy, snapshotGroupOf } from './held-out-groups.js';

export interface RepredictResult {
  repredicted: number;
  /** A failed re-prediction does not undo the promotion: its first line is reported instead. */
  repredictError: string | null;
}

/**
 * The gate's verdict on the scores: per-image F1 differences of the usable held-out images, grouped as the
 * snapshot held them out (one eye's visits, one photograph's copies), and the benchmark.
 */
export function gateVerdict(
  store: Store,
  plan: Pick<RetrainPlan, 'settings' | 'snapshot'>,
  scores: {
    images: readonly Pick<HeldOutImageReport, 'imageId' | 'deltaF1'>[];
    benchmark: Scores['benchmark'];
  },
): GateVerdict {
  const judges = judgedBy(plan.snapshot);
  const usable = scores.images.filter((im) => judges(im.imageId));
  const groupOf = snapshotGroupOf(plan.snapshot);
  return judgePromotion({
    deltas: usable.map((im) => im.deltaF1),
    groups: usable.map((im) => groupOf(im.imageId)),
    corrected: usable.filter((im) => getImage(store, im.imageId).dataset === null).length,
    minImages: plan.settings.minHeldOut,
    margin: plan.settings.promotionMargin,
    benchmarkDelta: scores.benchmark ? scores.benchmark.candidate.f1 - scores.benchmark.active.f1 : null,
    seed: plan.settings.seed,
  });
}

/** Decides on the candidate and records its scores on its model row (pooled over the images the gate judged). */
export function judgeCandidate(
  store: Store,
  candidate: ModelRecord,
  plan: RetrainPlan,
  scores: Scores,
  actor: string,
): GateVerdict {
  const verdict = gateVerdict(store, plan, scores);
  updateModelMetrics(
    store,
    candidate.id,
    {
      heldOut: scores.comparison.pooled.candidate,
      heldOutImages: scores.images.filter((im) => im.usable !== false).length,
      benchmark: scores.benchmark?.candidate ?? null,
    },
    actor,
  );
  return verdict;
}

/** The one place a retrain changes the active model. */
export function promoteCandidate(
  store: Store,
  candidate: ModelRecord,
  decision: GateVerdict,
  runId: number,
  actor: string,
): void {
  promoteModel(store, candidate.id, actor, { reason: decision.reason, override: false, runId });
}

export async function repredictWithCandidate(
  store: Store,
  candidate: ModelRecord,
  decision: GateVerdict,
  opts: { actor: string; threads: number; signal?: AbortSignal; tracker: ProgressTracker },
): Promise<RepredictResult> {
  const { tracker } = opts;
  tracker.update(
    { phase: 'repredicting', message: 're-predicting draft-free images with the new model' },
    decision.reason,
  );
  try {
    const done = await repredictDraftFree(store, candidate, {
      author: opts.actor,
      threads: opts.threads,
      hooks: {
        isCancelled: () => opts.signal?.aborted === true,
        progress: (d, t, file) =>
          tracker.update({ message: `re-predicting ${d}/${t}${file ? ` ${file}` : ''}` }),
      },
    });
    // Photographs that could not be read were skipped: the others are predicted, and the skipped are named.
    return { repredicted: done.predicted.length, repredictError: skippedSummary(done.skipped) };
  } catch (err) {
    return { repredicted: 0, repredictError: (err as Error).message.split('\n')[0] };
  }
}
