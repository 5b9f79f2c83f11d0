// The lineage part of a model's summary: parent, training run, masks trained on, its held-out comparison and
// its latest promotion with the reason.
import type { ModelSummary } from '../../shared/contract.js';
import { modelTrainingMasks, type ModelRecord, type Store } from '../store/index.js';
import { promotionHistory, retrainOutcomeOf } from '../retrain/registry.js';
import { toIdOrNull } from './ids.js';

export function lineageSummary(
  store: Store,
  record: ModelRecord,
): Pick<
  ModelSummary,
  'parentId' | 'trainingRunId' | 'promotedAt' | 'trainedOnMasks' | 'heldOut' | 'lastPromotion'
> {
  const outcome = retrainOutcomeOf(store, record);
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
    lastPromotion: last
      ? { at: last.at, reason: last.reason, override: last.override, rollback: last.rollback }
      : null,
  };
}
