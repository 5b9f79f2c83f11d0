// Registry decisions a person makes: promote a candidate (one click when it beat the active model on the held-out
// images, otherwise only with a reason, recorded as an override), keep the active model (the candidate is
// retired), and roll back to any earlier model. Each lands in the audit log with its reason.
import {
  activeModel,
  getModel,
  getTrainingRun,
  listAudit,
  listModels,
  modelTrainingMasks,
  promoteModel,
  retireModel,
  type ModelRecord,
  type ModelTask,
  type Store,
} from '../store/index.js';
import { ConstraintError, liveRunMessage, otherLiveRun } from '../store/index.js';
import { RETRAIN_RUN_KINDS } from './run-kinds.js';
import type { AnatomyRetrainOutcome } from './anatomy-run.js';
import type { RetrainOutcome } from './outcome.js';

/** A promotion was refused: it needs a reason (an override), or the model cannot be promoted that way. */
export class PromotionRefusedError extends ConstraintError {
  override name = 'ConstraintError';
}

/** The retrain outcome that produced a model, when it came from a finished retrain run. */
export function retrainOutcomeOf(store: Store, model: ModelRecord): RetrainOutcome | null {
  if (model.trainingRunId === null) return null;
  const run = getTrainingRun(store, model.trainingRunId);
  const outcome = run.outcome as Partial<RetrainOutcome> | null;
  return run.status === 'succeeded' && outcome && typeof outcome.candidateModelId === 'number'
    ? (outcome as RetrainOutcome)
    : null;
}

/** The anatomy retrain outcome that produced an artery/vein or optic-disc model (the same run fields, its own scores). */
export function anatomyOutcomeOf(store: Store, model: ModelRecord): AnatomyRetrainOutcome | null {
  if (model.task === 'vessel') return null;
  return retrainOutcomeOf(store, model) as unknown as AnatomyRetrainOutcome | null;
}

export interface PromotionRecord {
  at: string;
  actor: string;
  reason: string | null;
  override: boolean;
  rollback: boolean;
}

/** The model's promotions, newest first, from the audit log. */
export function promotionHistory(store: Store, modelId: number): PromotionRecord[] {
  return listAudit(store, { entity: 'model', entityId: modelId, limit: 1000 })
    .filter((a) => a.action === 'model.promote')
    .map((a) => {
      const d = (a.details ?? {}) as Record<string, unknown>;
      return {
        at: a.at,
        actor: a.actor,
        reason: typeof d.reason === 'string' ? d.reason : null,
        override: d.override === true,
        rollback: d.rollback === true,
      };
    });
}

function cleanReason(reason: string | undefined): string | null {
  const r = reason?.trim();
  return r ? r.slice(0, 500) : null;
}

/**
 * The active model may not change under a retrain another process runs: its candidate would be judged against a
 * model no longer active (and offered as better than it). The retrain of this process is the caller's to check.
 */
function refuseDuringRetrain(store: Store, what: string): void {
  const run = otherLiveRun(store, RETRAIN_RUN_KINDS);
  if (run) throw new PromotionRefusedError(liveRunMessage(run, what));
}

/**
 * Promotes a candidate in place of its task's active model. Without a reason only a candidate that beat the active
 * model on the held-out images (or the very first model, when none is active) is promoted; with a reason anything
 * but a retired model is, and the promotion is recorded as an override.
 */
export function promoteCandidate(store: Store, modelId: number, actor: string, reason?: string): ModelRecord {
  refuseDuringRetrain(store, 'promote');
  const model = getModel(store, modelId);
  if (model.status === 'active') return model;
  if (model.status === 'retired') {
    throw new PromotionRefusedError(`model ${model.name} is retired: roll back to it instead`);
  }
  const current = activeModel(store, model.task);
  const given = cleanReason(reason);
  const outcome = retrainOutcomeOf(store, model);
  const beat = outcome !== null && outcome.decision.better && outcome.baseModelId === current?.id;
  if (!current) {
    return promoteModel(store, model.id, actor, { reason: given ?? 'first active model', override: false });
  }
  if (beat) {
    return promoteModel(store, model.id, actor, {
      reason: given ?? outcome.decision.reason,
      override: false,
      runId: outcome.runId,
    });
  }
  if (!given) {
    const why = outcome
      ? outcome.baseModelId !== current.id
        ? `it was compared with ${getModel(store, outcome.baseModelId).name}, not with the active ${current.name}`
        : outcome.decision.reason
      : 'it was not compared with the active model on held-out images';
    throw new PromotionRefusedError(`promoting ${model.name} needs a reason: ${why}`);
  }
  return promoteModel(store, model.id, actor, {
    reason: given,
    override: true,
    runId: outcome?.runId ?? null,
  });
}

/** Keeps the active model: the candidate is retired (its files and record stay, for the trace). */
export function rejectCandidate(store: Store, modelId: number, actor: string): ModelRecord {
  const model = getModel(store, modelId);
  if (model.status !== 'candidate') {
    throw new PromotionRefusedError(`model ${model.name} is ${model.status}, not a candidate`);
  }
  return retireModel(store, model.id, actor);
}

/** Makes an earlier model active again, in one step. */
export function rollbackTo(store: Store, modelId: number, actor: string, reason?: string): ModelRecord {
  refuseDuringRetrain(store, 'roll back');
  const model = getModel(store, modelId);
  if (model.status === 'active') return model;
  const current = activeModel(store, model.task);
  if (model.promotedAt === null) {
    throw new PromotionRefusedError(
      `model ${model.name} was never active: promote it instead of rolling back`,
    );
  }
  return promoteModel(store, model.id, actor, {
    // The table prefixes 'rollback': the default reason says only from what (it read 'rollback: rollback from x').
    reason: cleanReason(reason) ?? `from ${current?.name ?? 'no active model'}`,
    override: false,
    rollback: true,
  });
}

export interface LineageEntry {
  model: ModelRecord;
  /** Number of mask versions it was trained or validated on (store images only). */
  trainedOnMasks: number;
  outcome: RetrainOutcome | null;
  promotions: PromotionRecord[];
}

/** Every model of a task (default: the vessel models) with its parent, run outcome, training masks, promotions. */
export function registryWithLineage(store: Store, task: ModelTask | 'any' = 'vessel'): LineageEntry[] {
  return listModels(store, { task }).map((model) => ({
    model,
    trainedOnMasks: modelTrainingMasks(store, model.id).length,
    outcome: retrainOutcomeOf(store, model),
    promotions: promotionHistory(store, model.id),
  }));
}
