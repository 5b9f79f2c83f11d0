// The lineage part of a model's summary: parent, training run, masks trained on, its held-out comparison and
// its latest promotion with the reason.
import type { AnatomyHeldOut, ModelSummary } from '../../shared/contract.js';
import { modelTrainingMasks, type ModelRecord, type Store } from '../store/index.js';
import type { AnatomyRetrainOutcome } from '../retrain/anatomy-run.js';
import { anatomyOutcomeOf, promotionHistory, retrainOutcomeOf } from '../retrain/registry.js';
import { toIdOrNull } from './ids.js';

/** An anatomy retrain's comparison as the contract carries it: the per-image scores' means and their count. */
export function anatomyHeldOut(outcome: Pick<AnatomyRetrainOutcome, 'task' | 'heldOut'>): AnatomyHeldOut {
  const images = outcome.heldOut.images;
  const mean = (k: 'candidate' | 'active'): number =>
    images.length ? images.reduce((s, im) => s + im[k], 0) / images.length : Number.NaN;
  return {
    measure: outcome.task === 'artery-vein' ? 'av-accuracy' : 'disc-centre-error',
    candidate: mean('candidate'),
    parent: mean('active'),
    images: images.length,
  };
}

export function lineageSummary(
  store: Store,
  record: ModelRecord,
): Pick<
  ModelSummary,
  | 'parentId'
  | 'trainingRunId'
  | 'promotedAt'
  | 'trainedOnMasks'
  | 'heldOut'
  | 'anatomyHeldOut'
  | 'lastPromotion'
> {
  // An anatomy model's run recorded its scores in the task's measure, not F1.
  const outcome = record.task === 'vessel' ? retrainOutcomeOf(store, record) : null;
  const anatomy = anatomyOutcomeOf(store, record);
  const last = promotionHistory(store, record.id)[0] ?? null;
  return {
    parentId: toIdOrNull(record.parentModelId),
    trainingRunId: toIdOrNull(record.trainingRunId),
    promotedAt: record.promotedAt,
    trainedOnMasks: modelTrainingMasks(store, record.id).length,
    heldOut: outcome
      ? {
          f1: outcome.heldOut.pooled.candidate.f1,
          parentF1: outcome.heldOut.pooled.active.f1,
          images: outcome.heldOut.images.length,
        }
      : null,
    anatomyHeldOut: anatomy ? anatomyHeldOut(anatomy) : null,
    lastPromotion: last
      ? { at: last.at, reason: last.reason, override: last.override, rollback: last.rollback }
      : null,
  };
}
