// The one handler table behind both shells: every request channel of shared/contract.ts, implemented over the
// store and the engine. Payloads reach these functions already validated (dispatchRequest checks them against
// `requestChecks` first); ids are converted, rows looked up, and failures thrown as errors the boundary turns
// into readable one-line messages.
import { closeInterruptedRuns } from '../retrain/leftovers.js';
import { osUser } from '../node/os-user.js';
import { DiagnosticsLog, defaultLogPath } from '../node/diagnostics-log.js';
import { RendererErrorLog } from './renderer-errors.js';
import { loggingUnexpected } from './unexpected-errors.js';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import {
  RpcError,
  type AppInfo,
  type OpenDialogRequest,
  type ReportDocument,
  type RequestHandlers,
} from '../../shared/contract.js';
import {
  openStore,
  getImage,
  assigneesOf,
  isMultiReader,
  latestMaskVersion,
  listModels,
  listUsers,
  sendBack,
  setAssignees,
  submitForReview,
  type Store,
  resolveLocation,
  releaseLeasesOf,
  releaseWindowLeases,
  countUsers,
  redactUrl,
  removeErasedFiles,
  restoreMaskVersion,
  studyIdentity,
} from '../store/index.js';
import { JobManager, type Jobs } from '../jobs/index.js';
import { TeamJobs } from '../jobs/queue/team-jobs.js';
import { TeamQueue } from '../jobs/queue/team-queue.js';
import { TeamRetrain } from '../jobs/queue/team-retrain.js';
import { ANATOMY_MODELS_ENV, anatomyAvailable, findAnatomyDirs } from '../jobs/anatomy-dirs.js';
import { RetrainService, type Retrainer } from '../retrain/service.js';
import { actorOf, type CallerContext } from './caller.js';
import { eventForCaller, FormerAssignees, guardHandlers, type EventAudience } from './access-guard.js';
import { maybeAutoRetrain, retrainHandlers, type RetrainDeps } from './retrain.js';
import { EventHub } from './events.js';
import { rowId, toId } from './ids.js';
import { watchOutsideChanges } from './outside-changes.js';
import {
  getMasks,
  getMaskVersionPreview,
  getProbabilities,
  getUncertainty,
  reopenMask,
  savedVersion,
  saveMask,
  savesMade,
} from './masks.js';
import {
  assertNotLeasedByOther,
  editLeaseHandlers,
  handedElsewhere,
  leaseDurationFromEnv,
  withEditMarkers,
  type LeaseClock,
} from './edit-leases.js';
import { MaskPixels } from './maskPixels.js';
import { MeasurementService } from './measurements.js';
import { getClinicalInfo, setClinicalInfo } from './clinical.js';
import { blindReaderOf, getAgreement, getReaders } from './readers.js';
import { exportImages } from './export.js';
import { eraseImages, previewErasure } from './erase.js';
import { getImageHistory } from './history.js';
import { installedAnatomy, ModelResolver } from './models.js';
import { ANATOMY_TASKS } from '../ml/anatomy/anatomy-manifest.js';
import { PictureService } from './pictures.js';
import { ReportService } from './report.js';
import { reviewState, summaryFromRecord } from './summaries.js';
import { listImagesPage, listPatientsPage, listStudiesPage } from './worklist.js';
import { packageVersion } from '../node/package-root.js';
import { importSample, SAMPLE_NOTICE } from './sample-study.js';

export interface WorkstationOptions {
  dbPath: string;
  shell: 'electron' | 'browser';
  /** A model directory to predict with (overrides the store's active model). */
  modelDir?: string;
  /** Author of masks and imports; default: the OS user. */
  user?: string;
  /** ONNX Runtime threads for predictions (default: all cores). */
  threads?: number;
  /**
   * A folder holding artery-vein/ and optic-disc/ model directories for predictions (default: $RETINA_ANATOMY_MODELS,
   * else the bundled models). Without both, predictions have no artery/vein map.
   */
  anatomyModels?: string;
  /** The native open dialog (Electron); absent in browser mode, where the UI asks for a path. */
  showOpenDialog?: (req: OpenDialogRequest, ctx: CallerContext) => Promise<string[]>;
  /** The report's own window and its PDF through a save dialog (Electron); absent in browser mode (a tab there). */
  reportWindow?: {
    open: (doc: ReportDocument) => Promise<void>;
    savePdf: (doc: ReportDocument, ctx: CallerContext) => Promise<string | null>;
  };
  /** The edit leases' clock and duration (default: Date.now, $RETINA_LEASE_SECONDS else 30 s); tests shorten them. */
  leaseClock?: Partial<LeaseClock>;
  /** The support log, where a handler's unexpected failure leaves its stack (default: defaultLogPath()). */
  logFile?: string;
}

export interface Workstation {
  readonly handlers: RequestHandlers<CallerContext>;
  readonly events: EventHub;
  /** Team mode: what of each event an account may see (the server applies it per window). */
  readonly eventAudience: EventAudience;
  readonly jobs: Jobs;
  readonly store: Store;
  readonly measurements: MeasurementService;
  /**
   * A window is gone (browser mode: its event socket closed and did not come back): the edit leases it held are
   * given back, so the next window edits those images at once rather than after the lease's expiry. `user`: the
   * account it was logged in as (team mode), whose leases alone it can give back.
   */
  windowGone(clientId: string, user?: CallerContext['user']): void;
  close(): Promise<void>;
}

export async function createWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const dbPath = resolveLocation(opts.dbPath);
  // Read before the store opens: a bad setting leaves nothing open behind it.
  const leaseDurationMs = opts.leaseClock?.durationMs ?? leaseDurationFromEnv();
  const store = openStore(dbPath);
  // The desktop app has no login: on a database with accounts it would act for no one, past every role.
  if (opts.shell === 'electron' && countUsers(store) > 0) {
    store.close();
    throw new Error(
      `${redactUrl(dbPath)} has team accounts: open it through its team server (retina serve --database ...) ` +
        'in a browser and log in, or open a database of your own',
    );
  }
  // A team database's jobs go to its queue, for `retina worker` processes on any machine to run.
  const team = store.kind === 'postgres';
  // A retrain whose process was killed is marked failed (with its reason); the active model never changed. On a
  // team a worker may be running one right now: a retried retrain job closes its own dead run instead.
  if (!team) await closeInterruptedRuns(store);
  // An erasure cut short between its commit and its file removal is finished: those files belong to no one now.
  await removeErasedFiles(store);
  const user = opts.user ?? osUser();
  const threads = opts.threads ?? availableParallelism();
  const anatomyDirs = findAnatomyDirs(opts.anatomyModels ?? process.env[ANATOMY_MODELS_ENV]);
  const events = new EventHub();
  const formerAssignees = new FormerAssignees();
  let teamJobs: TeamJobs | null = null;
  if (team) {
    try {
      const queue = await TeamQueue.open(dbPath, 'retina-serve', (err) =>
        console.error(`job queue: ${err.message}`),
      );
      teamJobs = new TeamJobs(store, queue, events, opts.user ?? osUser());
    } catch (err) {
      store.close();
      throw err;
    }
  }
  const supportLog = new DiagnosticsLog(opts.logFile ?? defaultLogPath());
  const jobs: Jobs = teamJobs ?? new JobManager(events, supportLog);
  const rendererErrors = new RendererErrorLog(supportLog);
  const pictures = new PictureService(store);
  const maskPixels = new MaskPixels(store);
  const measurements = new MeasurementService(store);
  const models = new ModelResolver(store, user, opts.modelDir);
  const reports = new ReportService(store, measurements, pictures, packageVersion());
  try {
    await models.init();
  } catch (err) {
    await jobs.close();
    store.close();
    throw err;
  }
  const retrain: Retrainer = teamJobs
    ? new TeamRetrain(store, teamJobs, user)
    : new RetrainService({
        dbPath,
        actor: user,
        threads,
        anatomyDirs,
        log: supportLog,
        onStatus: (status) => events.emit('retrainProgress', status),
        onFinished: ({ vessel, anatomyRepredicted }) => {
          if (vessel?.decision.promoted) {
            models.followActive();
            events.emit('activeModelChanged', { modelId: String(vessel.candidateModelId) });
          }
          // New predictions: of a promoted vessel model, or with a promoted anatomy model's labels and disc.
          if (vessel?.decision.promoted || anatomyRepredicted > 0)
            events.emit('imagesChanged', { imageIds: [] });
        },
      });
  const retrainDeps: RetrainDeps = {
    store,
    dbPath,
    user,
    threads,
    jobs,
    events,
    models,
    retrain,
    anatomy: anatomyDirs,
  };
  const info: AppInfo = {
    version: packageVersion(),
    shell: opts.shell,
    // A team database's URL without its password.
    databasePath: team ? store.path : dbPath,
    study: studyIdentity(dbPath),
    user,
    notices: [SAMPLE_NOTICE],
  };

  /**
   * A folder to import, checked at once where the import runs here (a team's workers read paths on their own
   * machines): a typo is answered in the dialog, not as a job that fails after "Importing...".
   */
  const assertFolderHere = (path: string): void => {
    if (team) return;
    const info = statSync(resolve(path), { throwIfNoEntry: false });
    if (!info) throw new RpcError('not-found', `${resolve(path)} does not exist`);
    if (!info.isDirectory())
      throw new RpcError('invalid-request', `${resolve(path)} is a file, not a folder`);
  };
  /** The windows granted an edit lease by this process. */
  const leasingWindows = new Set<string>();
  const changed = (imageId: number, leaseOnly = false): void =>
    events.emit('imagesChanged', { imageIds: [toId(imageId)], ...(leaseOnly ? { leaseOnly: true } : {}) });
  const leaseClock: LeaseClock = {
    now: opts.leaseClock?.now ?? Date.now,
    durationMs: leaseDurationMs,
  };

  /** Queues a prediction job with the given (or the active) model; fails at once when the model cannot run. */
  const startPrediction = async (imageIds: number[], author: string, modelId?: number): Promise<string> => {
    const model = await models.resolve(modelId);
    if (!model.manifest.onnx) {
      throw new RpcError(
        'model-failed',
        `model ${model.record.name} has no ONNX export (run: retina export --model ${model.dir})`,
      );
    }
    const spec = {
      kind: 'predict',
      dbPath,
      imageIds,
      modelId: model.record.id,
      modelDir: model.dir,
      threads,
      author,
      anatomy: anatomyDirs,
    } as const;
    return jobs.start('predict', imageIds.length, spec).jobId;
  };

  const handlers: RequestHandlers<CallerContext> = {
    getAppInfo: (_req, ctx) =>
      ctx.user
        ? { ...info, user: ctx.user.name, account: { name: ctx.user.name, role: ctx.user.role } }
        : info,
    listPatients: (req) => listPatientsPage(store, req),
    listStudies: (req) => listStudiesPage(store, req),
    // An annotator's worklist holds only the images assigned to them.
    listImages: (req, ctx) => {
      // Nobody logs in, so nothing is ever submitted: the filter could only answer an always-empty list.
      if (req.awaitingReview && !ctx.user)
        throw new RpcError(
          'invalid-request',
          '"Submitted for review" is a team filter: in single-user mode nothing is submitted for review',
        );
      const page = listImagesPage(store, req, ctx.user?.role === 'annotator' ? ctx.user : undefined);
      return { ...page, items: withEditMarkers(store, page.items, leaseClock.now(), req.clientId) };
    },
    getImageInfo: (req, ctx) => {
      const image = getImage(store, rowId(req.imageId, 'image'));
      const summary = summaryFromRecord(store, image, blindReaderOf(store, image.id, ctx));
      return withEditMarkers(store, [summary], leaseClock.now())[0];
    },
    getImage: (req) => pictures.image(rowId(req.imageId, 'image')),
    getImageThumbnail: (req) => pictures.thumbnail(rowId(req.imageId, 'image'), req.maxSize),
    getImagePreview: (req) => pictures.preview(rowId(req.imageId, 'image'), req.maxSize),
    // Two-reader images are read blind: an annotator gets only their own drafts.
    getMasks: (req, ctx) => {
      const blind = ctx.user?.role === 'annotator' && isMultiReader(store, rowId(req.imageId, 'image'));
      return getMasks(
        store,
        req.imageId,
        maskPixels,
        // As the prediction job chooses its models: a store-registered active model of a task counts too.
        anatomyAvailable(store, anatomyDirs),
        blind ? ctx.user?.name : undefined,
        req.bits,
      );
    },
    getProbabilities: (req) => getProbabilities(store, req, maskPixels),
    getUncertainty: (req) => getUncertainty(store, req),
    getMeasurements: (req, ctx) =>
      measurements.get(req.imageId, blindReaderOf(store, rowId(req.imageId, 'image'), ctx)),
    getReport: (req) => reports.report(req),
    openReportWindow: async (req) => {
      if (!opts.reportWindow) throw new RpcError('unsupported', 'browser mode opens the report in a new tab');
      await opts.reportWindow.open(await reports.report(req));
      return { opened: true };
    },
    saveReportPdf: async (req, ctx) => {
      if (!opts.reportWindow)
        throw new RpcError('unsupported', "browser mode saves the PDF from the report's Print button");
      return { path: await opts.reportWindow.savePdf(await reports.report(req), ctx) };
    },
    compareVisits: (req) => reports.compare(req.imageId, req.otherImageId),
    saveDraft: async (req, ctx) => {
      const saved = await saveMask(store, req, 'draft', actorOf(ctx, user), leaseClock.now(), (id) =>
        handedElsewhere(store, id, ctx),
      );
      changed(Number(req.imageId));
      return saved;
    },
    approveMask: async (req, ctx) => {
      const saved = await saveMask(store, req, 'approved', actorOf(ctx, user), leaseClock.now(), (id) =>
        handedElsewhere(store, id, ctx),
      );
      changed(Number(req.imageId));
      maybeAutoRetrain(retrainDeps);
      return saved;
    },
    reopenMask: async (req, ctx) => {
      assertNotLeasedByOther(store, rowId(req.imageId, 'image'), req.clientId ?? null, leaseClock.now());
      const saved = reopenMask(store, req.imageId, actorOf(ctx, user), req.reason);
      changed(Number(req.imageId));
      return saved;
    },
    getMaskVersionPreview: (req) => getMaskVersionPreview(store, maskPixels, req.imageId, req.versionId),
    savesMade: (req, ctx) => savesMade(store, req, actorOf(ctx, user)),
    restoreMaskVersion: (req, ctx) => {
      const imageId = rowId(req.imageId, 'image');
      const version = restoreMaskVersion(store, {
        imageId,
        versionId: rowId(req.versionId, 'mask version'),
        author: actorOf(ctx, user),
        parentId: req.parentVersionId === null ? null : rowId(req.parentVersionId, 'mask version'),
        clientId: req.clientId ?? null,
        nowMs: leaseClock.now(),
        handedOff: handedElsewhere(store, imageId, ctx),
        saveId: req.saveId ?? null,
      });
      changed(imageId);
      return savedVersion(store, version);
    },
    submitForReview: (req, ctx) => {
      const imageId = rowId(req.imageId, 'image');
      submitForReview(store, imageId, actorOf(ctx, user));
      // Handing over: the submitter's windows give the image up (see handedElsewhere).
      releaseLeasesOf(store, imageId, actorOf(ctx, user));
      changed(imageId);
      return { review: reviewState(store, imageId, undefined, blindReaderOf(store, imageId, ctx)) };
    },
    sendBack: (req, ctx) => {
      const imageId = rowId(req.imageId, 'image');
      sendBack(store, imageId, req.comment, actorOf(ctx, user));
      releaseLeasesOf(store, imageId, actorOf(ctx, user));
      changed(imageId);
      return { review: reviewState(store, imageId) };
    },
    assignImages: (req, ctx) => {
      const ids = req.imageIds.map((id) => rowId(id, 'image'));
      const before = new Map(ids.map((id) => [id, assigneesOf(store, id)]));
      setAssignees(store, ids, req.users, actorOf(ctx, user));
      // An annotator taken off an image no longer holds its pen: the new assignee must not wait out their lease
      // (their next save is kept as a draft, see handedElsewhere).
      const dropped = new Map<string, string[]>();
      for (const [id, names] of before) {
        const gone = names.filter((name) => !req.users.includes(name));
        for (const name of gone) releaseLeasesOf(store, id, name);
        dropped.set(toId(id), gone);
      }
      formerAssignees.during(dropped, () => events.emit('imagesChanged', { imageIds: ids.map(toId) }));
      return { images: ids.map((id) => summaryFromRecord(store, getImage(store, id))) };
    },
    getReaders: (req) => getReaders(store, req.imageId, maskPixels),
    getAgreement: () => getAgreement(store, maskPixels),
    listUsers: () => ({
      users: listUsers(store).map((u) => ({ name: u.name, role: u.role, disabled: u.disabled })),
    }),
    getClinicalInfo: (req) => getClinicalInfo(store, req.imageId),
    getImageHistory: (req) => getImageHistory(store, req.imageId),
    setClinicalInfo: (req, ctx) => {
      const result = setClinicalInfo(store, req, actorOf(ctx, user));
      events.emit('imagesChanged', { imageIds: req.imageIds });
      return result;
    },
    previewErasure: (req) => previewErasure(store, req),
    eraseImages: async (req, ctx) => {
      const done = await eraseImages(store, req, actorOf(ctx, user));
      // Every window showing one of them reads it again and finds it gone.
      events.emit('imagesChanged', { imageIds: done.imageIds });
      return done;
    },
    exportImages: (req, ctx) => {
      // A browser is given the export to download; a folder named by a browser would be a path on the server
      // (another machine, for a team), where a caller could write wherever the server may.
      if (req.target.kind === 'folder' && ctx.shell === 'browser')
        throw new RpcError(
          'forbidden',
          'in a browser the export is downloaded as a zip; a folder export is for the desktop app or `retina db export`',
        );
      return exportImages(store, req, { measure: (input) => measurements.measureInThread(input) });
    },
    importFiles: (req, ctx) => {
      const paths = (req.paths ?? []).map((p) => resolve(p));
      const files = req.files ?? [];
      const actor = actorOf(ctx, user);
      const spec = { kind: 'import', dbPath, actor, source: { type: 'files', paths, files } } as const;
      return { jobId: jobs.start('import', paths.length + files.length, spec).jobId };
    },
    importFolder: (req, ctx) => {
      assertFolderHere(req.path);
      const source = {
        type: 'folder',
        path: resolve(req.path),
        recursive: req.recursive,
        pairMasks: req.pairMasks,
      } as const;
      const actor = actorOf(ctx, user);
      return { jobId: jobs.start('import', 0, { kind: 'import', dbPath, actor, source }).jobId };
    },
    importDataset: (req, ctx) => {
      assertFolderHere(req.path);
      const source = { type: 'dataset', path: resolve(req.path), datasetKind: req.kind } as const;
      const actor = actorOf(ctx, user);
      return { jobId: jobs.start('import', 0, { kind: 'import', dbPath, actor, source }).jobId };
    },
    predict: async (req, ctx) => {
      // Check everything that can be checked here, so a bad request fails at once rather than as a job.
      const imageIds = req.imageIds.map((id) => getImage(store, rowId(id, 'image')).id);
      const modelId = req.modelId !== undefined ? rowId(req.modelId, 'model') : undefined;
      return { jobId: await startPrediction(imageIds, actorOf(ctx, user), modelId) };
    },
    openSampleStudy: async (_req, ctx) => {
      const actor = actorOf(ctx, user);
      const imageId = await importSample(store, actor);
      changed(imageId);
      const predicted = latestMaskVersion(store, imageId, 'prediction') !== null;
      return {
        imageId: toId(imageId),
        predictJobId: predicted ? null : await startPrediction([imageId], actor),
      };
    },
    cancelJob: (req, ctx) => ({ cancelled: jobs.cancel(req.jobId, actorOf(ctx, user)) }),
    listJobs: () => ({ jobs: jobs.list() }),
    dismissJob: (req) => ({ dismissed: jobs.dismiss(req.jobId) }),
    getQueue: () =>
      teamJobs
        ? teamJobs.snapshot()
        : {
            team: false,
            jobs: jobs.list().map((j) => ({ ...j, actor: user, worker: null, attempt: 1, log: [] })),
          },
    listModels: async (req) => {
      const task = req.task === 'all' ? 'any' : (req.task ?? 'vessel');
      const anatomyTasks = ANATOMY_TASKS.filter((t) => task === 'any' || task === t);
      return {
        models: await Promise.all(listModels(store, { task }).map((m) => models.summary(m))),
        installed: await installedAnatomy(store, anatomyDirs, anatomyTasks),
      };
    },
    getActiveModel: async () => {
      const current = models.current();
      return { model: current ? await models.summary(current) : null };
    },
    reportRendererError: (req) => ({ logFile: rendererErrors.report(req) }),
    showOpenDialog: async (req, ctx) => {
      if (!opts.showOpenDialog) {
        throw new RpcError(
          'unsupported',
          'file dialogs are not available in browser mode: type or paste a path',
        );
      }
      return { paths: await opts.showOpenDialog(req, ctx) };
    },
    ...retrainHandlers(retrainDeps),
    ...editLeaseHandlers({
      store,
      pixels: maskPixels,
      actor: (ctx) => actorOf(ctx, user),
      clock: leaseClock,
      changed,
      granted: (clientId) => leasingWindows.add(clientId),
    }),
  };

  const stopWatching = watchOutsideChanges(store, events);
  return {
    handlers: loggingUnexpected(guardHandlers(store, handlers), supportLog),
    events,
    eventAudience: eventForCaller(store, formerAssignees),
    jobs,
    store,
    measurements,
    windowGone(clientId, windowUser) {
      for (const imageId of releaseWindowLeases(store, clientId, windowUser?.name)) changed(imageId, true);
    },
    async close() {
      stopWatching();
      await measurements.close();
      await retrain.close();
      await jobs.close();
      // The desktop app quits with its windows: their leases go with them (a closing page's own release may not
      // reach main before the quit), so the next launch edits at once. A server's windows outlive it instead:
      // they reconnect to the next one and go on renewing.
      if (opts.shell === 'electron') for (const id of leasingWindows) releaseWindowLeases(store, id);
      store.close();
    },
  };
}
