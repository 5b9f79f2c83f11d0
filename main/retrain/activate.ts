// The person's promote and rollback, as the CLI and the app call them: before a model becomes active its directory
// is opened the way a prediction opens it (manifest, then an ONNX Runtime session), so a missing folder or a
// truncated model.onnx is refused with the registry unchanged instead of breaking every later prediction.
import { openModel } from '../ml/model/model-loader.js';
import { firstLine } from '../ml/onnx/errors.js';
import { getModel, type ModelRecord, type Store } from '../store/index.js';
import { PromotionRefusedError, promoteCandidate, rollbackTo } from './registry.js';

/** Throws PromotionRefusedError (one line) when `model` could not predict. */
export async function refuseUnusableModel(model: ModelRecord, what: string): Promise<void> {
  try {
    // The engine predictions use (jobs/predict.ts); one thread: only the session's creation is wanted.
    const loaded = await openModel(model.dirPath, { engine: 'onnx', threads: 1 });
    await loaded.predictor.dispose();
  } catch (err) {
    throw new PromotionRefusedError(`cannot ${what} ${model.name}: ${firstLine(err)}`);
  }
}

export interface ActiveChange {
  model: ModelRecord;
  /** False when the model was already active: nothing changed, nothing to re-predict. */
  changed: boolean;
}

async function checked(
  store: Store,
  modelId: number,
  what: string,
  change: () => ModelRecord,
): Promise<ActiveChange> {
  const model = getModel(store, modelId);
  if (model.status === 'active') return { model, changed: false };
  await refuseUnusableModel(model, what);
  // The registry's own rules (reason, retired, a retrain running) are checked after the files, synchronously.
  return { model: change(), changed: true };
}

/** promoteCandidate, refused before the registry changes when the model's files could not predict. */
export function promoteUsable(
  store: Store,
  modelId: number,
  actor: string,
  reason?: string,
): Promise<ActiveChange> {
  return checked(store, modelId, 'promote', () => promoteCandidate(store, modelId, actor, reason));
}

/** rollbackTo, refused before the registry changes when the model's files could not predict. */
export function rollbackUsable(
  store: Store,
  modelId: number,
  actor: string,
  reason?: string,
): Promise<ActiveChange> {
  return checked(store, modelId, 'roll back to', () => rollbackTo(store, modelId, actor, reason));
}
