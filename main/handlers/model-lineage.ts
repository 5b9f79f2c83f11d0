// The lineage part of a model's summary: parent, training run, masks trained on, its held-out comparison and
// its latest promotion with the reason.
import type { AnatomyHeldOut, ModelSummary } from '../../shared/contract.js';
import { modelTrainingMasks, type ModelRecord, type Store } from '../store/index.js';
import type { AnatomyRetrainOutcome } from '../retrain/anatomy-run.js';
import { anatomyOutcomeOf, promotionHistory, retrainOutcomeOf } from '../retrain/registry.js';
import { toIdOrNull } from './ids.js';
import { judgedMeans } from '../retrain/anatomy-gate.js';

/**
 * An anatomy retrain's comparison as the contract carries it: the means over the images the gate judged, their
 * count, and how many were scored.
 */
export function anatomyHeldOut(outcome: Pick<AnatomyRetrainOutcome, 'task' | 'heldOut'>): AnatomyHeldOut {
  const means = judgedMeans(outcome.heldOut.images);
  return {
    measure: outcome.task === 'artery-vein' ? 'av-accuracy' : 'disc-centre-error',
    candidate: means.candidate,
    parent: means.active,
    images: means.images,
    scored: outcome.heldOut.images.length,
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
          // The pooled scores are over the images the gate judged (all in runs recorded before it marked them).
          images: outcome.heldOut.images.filter((im) => im.usable !== false).length,
        }
      : null,
    anatomyHeldOut: anatomy ? anatomyHeldOut(anatomy) : null,
    lastPromotion: last
      ? { at: last.at, reason: last.reason, override: last.override, rollback: last.rollback }
      : null,
  };
}
