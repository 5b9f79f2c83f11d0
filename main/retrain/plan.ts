// Step 1 of a retrain: decide what it will do before anything is written. The active model to start from, the
// snapshot of images (new approvals, held-out, validation, replay) and the fine-tuning configuration; a
// RetrainError here means there is nothing to do (or nothing the gate could judge, or an exact repeat of an
// earlier run, which is deterministic), and no run row exists yet.
import { fineTuneConfig } from './fine-tune.js';
import { readManifest } from '../ml/model/model-dir.js';
import type { TrainConfig } from '../ml/train/recipes.js';
import { activeModel, listTrainingRuns, type ModelRecord, type Store } from '../store/index.js';
import { RetrainError } from './errors.js';
import { checkSettings, readSettings, type RetrainSettings } from './settings.js';
import { planSnapshot, type RetrainSnapshot } from './snapshot.js';

export interface RetrainPlan {
  settings: RetrainSettings;
  /** The active model the candidate is fine-tuned from and compared against. */
  base: ModelRecord;
  snapshot: RetrainSnapshot;
  config: TrainConfig;
}

export function effectiveSettings(store: Store, overrides: Partial<RetrainSettings> = {}): RetrainSettings {
  return checkSettings({ ...readSettings(store.beside('retrain.json')), ...overrides }, 'retrain options');
}

export async function planRetrain(store: Store, overrides?: Partial<RetrainSettings>): Promise<RetrainPlan> {
  const settings = effectiveSettings(store, overrides);
  const base = activeModel(store);
  if (!base) throw new RetrainError('no active model to retrain: promote a model first');
  const parent = await readManifest(base.dirPath);
  const snapshot = await planSnapshot(store, base, settings);
  const fitCount = snapshot.train.length + snapshot.replay.store.length + snapshot.replay.dataset.length;
  if (fitCount + snapshot.validation.length < 2) {
    throw new RetrainError(
      `only ${fitCount} image to train on: approve more images (or allow replay of earlier training data)`,
    );
  }
  const config = fineTuneConfig(parent, {
    epochs: settings.epochs,
    stepsPerEpoch: settings.stepsPerEpoch,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    seed: settings.seed,
    maxMinutes: settings.maxMinutes,
  });
  const plan = { settings, base, snapshot, config };
  refuseRepeat(store, plan);
  return plan;
}

/** What decides a run's result: the same of these gives the same candidate and the same verdict. */
function fingerprint(p: { settings?: unknown; snapshot?: unknown; train?: unknown }): string {
  return JSON.stringify([p.settings ?? null, p.snapshot ?? null, p.train ?? null]);
}

/**
 * Refuses a retrain that would repeat the latest finished run from the same model exactly (same images, same
 * settings): it would train for minutes to give the identical candidate and verdict.
 */
function refuseRepeat(store: Store, plan: RetrainPlan): void {
  const last = listTrainingRuns(store, { status: 'succeeded', limit: 1_000 }).find(
    (r) => r.baseModelId === plan.base.id && (r.config as { kind?: string } | null)?.kind === 'retrain',
  );
  if (!last) return;
  const cfg = last.config as { settings?: unknown; snapshot?: unknown; train?: unknown };
  const now = JSON.parse(
    JSON.stringify({ settings: plan.settings, snapshot: plan.snapshot, train: plan.config }),
  );
  if (fingerprint(cfg) === fingerprint(now)) {
    throw new RetrainError(
      `nothing changed since run ${last.id}: the same images and settings give the same result. ` +
        'Approve more images (corrected ones help most), then retrain.',
    );
  }
}

/** The run log's first line. */
export function describePlan({ base, snapshot }: RetrainPlan): string {
  const replay = snapshot.replay.store.length + snapshot.replay.dataset.length;
  return (
    `retraining ${base.name}: ${snapshot.train.length} new + ${replay} replay images, ` +
    `${snapshot.validation.length} validation, ${snapshot.heldOut.length} held out`
  );
}
