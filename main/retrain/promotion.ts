// Steps 5 and 6 of a retrain: decide (strictly better on the held-out images, recorded on the candidate's row),
// promote when allowed, then re-predict the images nobody has corrected yet with the new active model.
import { promotionDecision, type PromotionDecision } from './fine-tune.js';
import { promoteModel, updateModelMetrics, type ModelRecord, type Store } from '../store/index.js';
import type { ProgressTracker } from './progress.js';
import { repredictDraftFree } from './repredict.js';
import type { Scores } from './scoring.js';

export interface RepredictResult {
  repredicted: number;
  /** A failed re-prediction does not undo the promotion: its first line is reported instead. */
  repredictError: string | null;
}

/** Decides on the candidate and records its scores on its model row. */
export function judgeCandidate(
  store: Store,
  candidate: ModelRecord,
  scores: Scores,
  actor: string,
): PromotionDecision {
  const decision = promotionDecision(scores.comparison);
  updateModelMetrics(
    store,
    candidate.id,
    {
      heldOut: scores.comparison.pooled.candidate,
      heldOutImages: scores.images.length,
      benchmark: scores.benchmark?.candidate ?? null,
    },
    actor,
  );
  return decision;
}

/** The one place a retrain changes the active model. */
export function promoteCandidate(
  store: Store,
  candidate: ModelRecord,
  decision: PromotionDecision,
  runId: number,
  actor: string,
): void {
  promoteModel(store, candidate.id, actor, { reason: decision.reason, override: false, runId });
}

export async function repredictWithCandidate(
  store: Store,
  candidate: ModelRecord,
  decision: PromotionDecision,
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
    return { repredicted: done.length, repredictError: null };
  } catch (err) {
    return { repredicted: 0, repredictError: (err as Error).message.split('\n')[0] };
  }
}
