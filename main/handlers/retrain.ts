// The retrain and registry channels: start/cancel/status of the retrain worker, the comparison report of a run
// and its overlays, and the person's decisions (promote with a reason when needed, keep, roll back), each
// followed by re-predicting the draft-free images with the new active model as a predict job.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  RpcError,
  type ModelDecision,
  type MetricsBrief,
  type ModelSummary,
  type RequestHandlers,
  type RetrainRunReport,
} from '../../shared/contract.js';
import type { Metrics } from '../ml/types.js';
import {
  activeModel,
  getImage,
  getModel,
  getTrainingRun,
  latestApprovedMasks,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import type { Jobs } from '../jobs/index.js';
import { promoteCandidate, rejectCandidate } from '../retrain/registry.js';
import { promoteUsable, rollbackUsable, type ActiveChange } from '../retrain/activate.js';
import { ANATOMY_RUN_KIND, VESSEL_RUN_KIND } from '../retrain/run-kinds.js';
import { anatomyParts, anatomyRunReport } from './anatomy-retrain-report.js';
import { verdictOf } from './verdict.js';
import { draftFreeImages } from '../retrain/repredict.js';
import { overlayPath, type RetrainOutcome } from '../retrain/run.js';
import type { Retrainer } from '../retrain/service.js';
import { readSettings, saveSettings } from '../retrain/settings.js';
import { newApprovals, type RetrainSnapshot } from '../retrain/snapshot.js';
import type { EventHub } from './events.js';
import { rowId, toId } from './ids.js';
import type { ModelResolver } from './models.js';
import { actorOf, type CallerContext } from './caller.js';

type RetrainChannels =
  | 'startRetrain'
  | 'cancelRetrain'
  | 'getRetrainStatus'
  | 'getRetrainRun'
  | 'getRetrainOverlay'
  | 'setRetrainSettings'
  | 'promoteModel'
  | 'rejectModel'
  | 'rollbackModel';

export interface RetrainDeps {
  store: Store;
  dbPath: string;
  user: string;
  threads: number;
  jobs: Jobs;
  events: EventHub;
  models: ModelResolver;
  retrain: Retrainer;
  /** Anatomy model directories re-predictions use too (null: none). */
  anatomy?: { arteryVein: string; opticDisc: string } | null;
}

function brief(m: Metrics): MetricsBrief {
  return {
    f1: m.f1,
    aucRoc: m.aucRoc,
    sensitivity: m.sensitivity,
    specificity: m.specificity,
    precision: m.precision,
    threshold: m.threshold,
  };
}

interface RunConfig {
  kind?: string;
  trigger?: string;
  parent?: { id: number; name: string };
  snapshot?: RetrainSnapshot;
}

/** Approvals new since the active model's last retrain (what the next retrain would add). */
export function pendingApprovals(store: Store): number {
  const active = activeModel(store);
  // Standing approvals only, as a retrain takes them: one reopened for editing is under review again.
  return active
    ? newApprovals(store, active.id).length
    : latestApprovedMasks(store, { standing: true }).length;
}

export function retrainHandlers(d: RetrainDeps): Pick<RequestHandlers<CallerContext>, RetrainChannels> {
  const { store, models, events } = d;

  /** This server's own retrain: the active model stays as it is until its candidate has been judged. */
  const refuseWhileRetraining = (what: string): void => {
    if (d.retrain.running)
      throw new RpcError('conflict', `a retrain is running: ${what} once it has finished, or cancel it`);
  };

  /**
   * After a task's active model changed: predictions follow it, the UI is told, draft-free images are re-predicted
   * (by the vessel model in use: an artery/vein or disc model's change shows in their labels and disc).
   */
  const afterActiveChange = async (model: ModelRecord): Promise<ModelDecision> => {
    const anatomy = model.task !== 'vessel';
    if (!anatomy) models.followActive();
    events.emit('activeModelChanged', { modelId: toId(model.id) });
    const vessel = anatomy ? models.current() : model;
    const resolved = vessel ? await models.resolve(vessel.id) : null;
    const imageIds = draftFreeImages(store);
    let repredictJobId: string | null = null;
    if (imageIds.length > 0 && resolved?.manifest.onnx) {
      repredictJobId = d.jobs.start('predict', imageIds.length, {
        kind: 'predict',
        dbPath: d.dbPath,
        imageIds,
        anatomy: d.anatomy ?? null,
        modelId: resolved.record.id,
        modelDir: resolved.dir,
        threads: d.threads,
        author: d.user,
      }).jobId;
    }
    return { model: await models.summary(getModel(store, model.id)), repredictJobId };
  };

  const summaryOf = async (modelId: number): Promise<ModelSummary> =>
    models.summary(getModel(store, modelId));
  /** A promotion or rollback: what follows a change of the active model, or nothing when it was active already. */
  const decided = async ({ model, changed }: ActiveChange): Promise<ModelDecision> =>
    changed ? afterActiveChange(model) : { model: await summaryOf(model.id), repredictJobId: null };

  return {
    startRetrain: async (_req, ctx) => {
      const actor = actorOf(ctx, d.user);
      // The first retrain of a database makes the model in use its registry root.
      const current = models.current();
      if (!activeModel(store) && current) promoteCandidate(store, current.id, actor, 'first active model');
      return { runId: toId(await d.retrain.start('button', actor)) };
    },
    cancelRetrain: () => ({ cancelled: d.retrain.cancel() }),
    getRetrainStatus: () => {
      const settings = readSettings(d.store.beside('retrain.json'));
      return {
        status: d.retrain.status(),
        newApprovals: pendingApprovals(store),
        autoRetrainAfter: settings.autoRetrainAfter,
        promotionMargin: settings.promotionMargin,
      };
    },
    getRetrainRun: async (req) => {
      const run = getTrainingRun(store, rowId(req.runId, 'training run'));
      const cfg = (run.config ?? {}) as RunConfig;
      if (cfg.kind === ANATOMY_RUN_KIND) return anatomyRunReport(store, run, summaryOf);
      if (cfg.kind !== VESSEL_RUN_KIND || !cfg.parent || !cfg.snapshot) {
        throw new RpcError('not-found', `training run ${run.id} is not a retrain`);
      }
      const outcome = run.status === 'succeeded' ? (run.outcome as RetrainOutcome) : null;
      const reason = outcome ? null : ((run.outcome as { reason?: string } | null)?.reason ?? null);
      const snap = cfg.snapshot;
      const report: RetrainRunReport = {
        runId: toId(run.id),
        status: run.status,
        trigger: cfg.trigger ?? 'unknown',
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        reason,
        parent: { id: toId(cfg.parent.id), name: cfg.parent.name },
        candidate: outcome ? await models.summary(getModel(store, outcome.candidateModelId)) : null,
        data: {
          train: snap.train.length,
          validation: snap.validation.length,
          heldOut: snap.heldOut.length,
          replay: snap.replay.store.length + snap.replay.dataset.length,
        },
        seed: run.seed,
        heldOut: outcome
          ? {
              candidate: brief(outcome.heldOut.pooled.candidate),
              active: brief(outcome.heldOut.pooled.active),
              images: outcome.heldOut.images.map((im) => ({
                imageId: toId(im.imageId),
                fileName: im.fileName,
                candidate: brief(im.candidate),
                active: brief(im.active),
                deltaF1: im.deltaF1,
                changedPixels: im.changedPixels,
                overlay: im.overlay,
                ...(im.usable !== undefined ? { usable: im.usable } : {}),
              })),
            }
          : null,
        benchmark: outcome?.benchmark
          ? {
              ...outcome.benchmark,
              candidate: brief(outcome.benchmark.candidate),
              active: brief(outcome.benchmark.active),
            }
          : null,
        decision: outcome ? verdictOf(outcome.decision, outcome.heldOut?.images.length ?? 0) : null,
        losses: outcome?.losses ?? [],
        validation: (outcome?.validationCurve ?? []).map((c) => ({
          epoch: c.epoch,
          trainLoss: c.trainLoss,
          valLoss: c.valLoss,
          valF1: c.valF1,
        })),
        trainSeconds: outcome?.trainSeconds ?? null,
        vesselSkipped: null,
        anatomy: await anatomyParts(store, run, summaryOf),
      };
      return report;
    },
    getRetrainOverlay: async (req) => {
      const runId = rowId(req.runId, 'training run');
      const image = getImage(store, rowId(req.imageId, 'image'));
      const file = overlayPath(store, runId, image.id);
      if (!existsSync(file)) {
        throw new RpcError('not-found', `training run ${runId} kept no overlay for image ${image.id}`);
      }
      return { width: image.width, height: image.height, mime: 'image/png', bytes: await readFile(file) };
    },
    setRetrainSettings: async (req) => {
      const changes: { autoRetrainAfter?: number; promotionMargin?: number } = {};
      if (req.autoRetrainAfter !== undefined) changes.autoRetrainAfter = req.autoRetrainAfter;
      if (req.promotionMargin !== undefined) changes.promotionMargin = req.promotionMargin;
      const s = await saveSettings(d.store.beside('retrain.json'), changes);
      return { autoRetrainAfter: s.autoRetrainAfter, promotionMargin: s.promotionMargin };
    },
    promoteModel: async (req, ctx) => {
      refuseWhileRetraining('promote');
      return decided(
        await promoteUsable(store, rowId(req.modelId, 'model'), actorOf(ctx, d.user), req.reason),
      );
    },
    rejectModel: async (req, ctx) => {
      const model = rejectCandidate(store, rowId(req.modelId, 'model'), actorOf(ctx, d.user));
      return { model: await models.summary(model), repredictJobId: null };
    },
    rollbackModel: async (req, ctx) => {
      refuseWhileRetraining('roll back');
      return decided(
        await rollbackUsable(store, rowId(req.modelId, 'model'), actorOf(ctx, d.user), req.reason),
      );
    },
  };
}

/** Starts a retrain by itself once the configured number of approvals is new to the active model. */
export function maybeAutoRetrain(d: RetrainDeps): void {
  const after = readSettings(d.store.beside('retrain.json')).autoRetrainAfter;
  if (after <= 0 || d.retrain.running || !activeModel(d.store)) return;
  if (pendingApprovals(d.store) < after) return;
  d.retrain
    .start('auto')
    .catch((err: unknown) => console.error(`automatic retrain: ${(err as Error).message}`));
}
