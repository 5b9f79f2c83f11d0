// The one typed contract between the renderer and main (Electron IPC and browser mode alike).
//
// - RequestChannels: channel name -> { request; response }. Every request payload has a validator in
//   `requestChecks`, applied at the main-side boundary by `dispatchRequest` before any handler runs.
// - EventChannels: events main pushes to the renderer (job progress, changed images).
// - Binary data (images, masks, probability maps) is always a Uint8Array field, never base64 or a JSON array;
//   the HTTP transport (transport.ts) carries those fields as raw parts.
// - Ids are opaque strings (the store may use integers; it stringifies them).
// Plain TypeScript only: no Node, Electron or DOM imports.

import {
  arrayOf,
  bool,
  bytes,
  type Check,
  int,
  isUint8Array,
  literal,
  nullable,
  num,
  obj,
  optional,
  refine,
  str,
} from './validate.js';
import type { ImageMeasures } from './measure/measures.js';
import type { VisitComparison } from './measure/compare-visits.js';
import type { AnnotatorAgreement, ImageAgreement } from './agreement.js';
import { isCalendarDate } from './clinical-dates.js';

export type Id = string;
export type ImageStatus = 'new' | 'predicted' | 'draft' | 'approved';
export const IMAGE_STATUSES: readonly ImageStatus[] = ['new', 'predicted', 'draft', 'approved'];
export type Laterality = 'OD' | 'OS';
export type JobKind = 'import' | 'predict';
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type DatasetKind = 'auto' | 'drive' | 'stare' | 'generic';
/** Worklist eye filter: a laterality, or images whose eye is not known yet. */
export type EyeFilter = Laterality | 'unknown';
export const EYE_FILTERS: readonly EyeFilter[] = ['OD', 'OS', 'unknown'];

export const MAX_PAGE_SIZE = 500;
export const MAX_IMAGE_SIDE = 16384;
export const MAX_PIXELS = 64 * 1024 * 1024;
export const MAX_BATCH = 100_000;
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
/** Why an approval was reopened: a line in the History, not an essay. */
export const REOPEN_REASON_MAX = 500;

// ---------------------------------------------------------------------------------------------------------------
// Errors

export type ErrorCode =
  | 'invalid-request' // payload failed validation, or unknown channel
  | 'not-found' // no such patient/study/image/mask/model/job
  | 'conflict' // the change breaks a data rule (e.g. stale parent version)
  | 'unreadable-file' // an image/DICOM/dataset file cannot be read or decoded
  | 'mask-size' // a mask whose size differs from its image's
  | 'model-failed' // the model cannot be loaded or run
  | 'storage' // database or disk problem (read-only, full, corrupt, too new)
  | 'cancelled' // the job was cancelled
  | 'unsupported' // not available in this shell (e.g. a native dialog in browser mode)
  | 'forbidden' // bad token, origin or sender; or a role that may not do this
  | 'unauthenticated' // team mode: no session, or it expired (the renderer shows the login page)
  | 'unreachable' // browser mode: the server did not answer (stopped, restarting, the network down)
  | 'internal'; // anything else: a bug

/** What crosses the boundary when a request fails: a readable one-line message the UI shows as is. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid-request',
  'not-found',
  'conflict',
  'unreadable-file',
  'mask-size',
  'model-failed',
  'storage',
  'cancelled',
  'unsupported',
  'forbidden',
  'unauthenticated',
  'unreachable',
  'internal',
];

export function isErrorPayload(v: unknown): v is ErrorPayload {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.message === 'string' && ERROR_CODES.includes(e.code as ErrorCode);
}

// Error class names of main's modules, mapped by name so shared/ needs no import from main/.
const ERROR_NAME_CODES: Record<string, ErrorCode> = {
  NotFoundError: 'not-found',
  ConstraintError: 'conflict',
  MaskSizeError: 'mask-size',
  UnreadableImageError: 'unreadable-file',
  DicomError: 'unreadable-file',
  SchemaTooNewError: 'storage',
  StoreCorruptError: 'storage',
  StoreReadOnlyError: 'storage',
  StoreError: 'storage',
  ModelLoadError: 'model-failed',
  OnnxError: 'model-failed',
  AbortError: 'cancelled',
  RetrainError: 'conflict',
  EditRefusedError: 'conflict',
};

/** Turns anything thrown by a handler into the payload sent back; unknown errors keep their message. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof RpcError) return err.toPayload();
  if (isErrorPayload(err)) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    const code = ERROR_NAME_CODES[err.name] ?? 'internal';
    return { code, message: err.message.split('\n')[0] || err.name };
  }
  return { code: 'internal', message: String(err) };
}

// ---------------------------------------------------------------------------------------------------------------
// Data shapes

export interface StatusCounts {
  new: number;
  predicted: number;
  draft: number;
  approved: number;
}

export interface PageRequest {
  /** First row (0-based). */
  offset: number;
  /** Rows wanted, 1..MAX_PAGE_SIZE. */
  limit: number;
  /** Case-insensitive substring over names/ids/file names; empty or absent: no filter. */
  search?: string;
  /** Only rows having at least one image in one of these statuses; absent: all. */
  status?: ImageStatus[];
}

export interface Page<T> {
  items: T[];
  /** Rows matching the filter, over all pages. */
  total: number;
  offset: number;
}

export interface PatientSummary {
  id: Id;
  /** Pseudonymous identifier shown in the UI. */
  pseudonym: string;
  studyCount: number;
  imageCount: number;
  statusCounts: StatusCounts;
  /** ISO time of the latest change to any of its images, null when none. */
  updatedAt: string | null;
}

export interface StudySummary {
  id: Id;
  patientId: Id;
  /** ISO date of the visit, null when unknown. */
  date: string | null;
  device: string | null;
  description: string | null;
  imageCount: number;
  statusCounts: StatusCounts;
}

/** Team mode's roles (shared/roles.ts says which channels each may call). */
export type Role = 'admin' | 'reviewer' | 'annotator';

/**
 * Team mode's hand-off between annotator and reviewer: submitted and awaiting review, or sent back as needing work
 * with the reviewer's comment. Settled (null) by an approval newer than it.
 */
export interface Handoff {
  state: 'awaiting-review' | 'needs-work';
  comment: string | null;
  /** Who submitted or sent back, and when. */
  by: string;
  at: string;
  /**
   * The reviewer's view of an image read blind by several: the readers whose reading is sent back and not yet
   * resubmitted, as the image's hand-off is the last submitter's; absent when none (and always to a reader).
   */
  sentBackTo?: string[];
  /**
   * Sent back again before resubmitting: the earlier send-backs not answered yet, oldest first (the newest is
   * `comment`); a blind reader's own, else the image's; absent when none.
   */
  earlier?: { comment: string; by: string; at: string }[];
}

/**
 * Where an image's review stands. The status comes from the newest person-made version: an approval, or a draft.
 * A draft made after an approval ("approved, then edited") has status 'draft' and `reopened` true: it counts as
 * work to do until someone approves again.
 */
export interface ReviewState {
  status: ImageStatus;
  reopened: boolean;
  /** The latest approval (who, when, its per-image version number); null when never approved. */
  approval: { by: string; at: string; version: number } | null;
  /** Team mode: an open hand-off (awaiting review, or sent back with a comment); null or absent when none. */
  handoff?: Handoff | null;
}

/** An image's clinical context: who, which eye, which visit, which camera. Every field may be unknown. */
export interface ClinicalInfo {
  /** Pseudonymous patient identifier (clinic id); null: the image belongs to no patient yet. */
  patientId: string | null;
  /** Optional real name, kept only on this machine (shown in the app, written to exports only when asked). */
  patientName: string | null;
  birthYear: number | null;
  eye: Laterality | null;
  /** ISO date (YYYY-MM-DD) of the visit. */
  visitDate: string | null;
  camera: string | null;
  fieldAngleDeg: number | null;
}

/** An image's clinical details as read, with what decides its measurements' scale besides the field angle. */
export interface ClinicalRecord extends ClinicalInfo {
  /** Micrometres per pixel from the image's own DICOM pixel spacing, which measurements use over a field angle. */
  dicomPixelUm: number | null;
}

export interface ImageSummary {
  id: Id;
  patientId: Id;
  studyId: Id;
  fileName: string;
  width: number;
  height: number;
  laterality: Laterality | null;
  status: ImageStatus;
  /** ISO time of the latest mask version (or the import), for sorting. */
  updatedAt: string;
  /** Approved once, then edited or reopened: a draft again until re-approved. */
  reopened: boolean;
  /** The latest approval, null when never approved. */
  approvedBy: string | null;
  approvedAt: string | null;
  /** Clinical context for the worklist's columns and grouping ('' when the image has no patient). */
  patientPseudonym: string | null;
  visitDate: string | null;
  camera: string | null;
  fieldAngleDeg: number | null;
  /** The latest prediction's quality estimate; null without a prediction or when the model estimated none. */
  quality: ImageQuality | null;
  /**
   * Why the photograph cannot be measured, when its latest prediction judged it ungradable (black, blown out,
   * blurred past its vessels, not a fundus photograph); absent when gradable or predicted before it was judged.
   */
  ungradable?: string;
  /** Team mode: the annotators it is assigned to (absent in single-user mode). */
  assignees?: string[];
  /**
   * Team mode, to a reviewer: readers of an image read blind who are no longer assigned and left a draft (its newest
   * may be theirs); absent when none, and always to a reader.
   */
  formerReaders?: string[];
  /** Team mode: an open hand-off between annotator and reviewer. */
  handoff?: Handoff | null;
  /** Who holds the image's live edit lease and since when; null (or absent) when nobody edits it. */
  editedBy?: { holder: string; since: string } | null;
}

/** How good a prediction is expected to be, from where its model is unsure. */
export interface ImageQuality {
  /** The F1 the predicted mask is expected to score against a careful annotator (calibrated estimate). */
  expectedF1: number;
  /** Mean probability, inside the field of view, that the predicted mask is wrong at a pixel. */
  meanUncertainty: number;
  /** Pieces of the vessel tree beyond the first (a tree is one piece). */
  fragments: number;
  /** Vessel ends that stop just short of another piece, pointing at it: gaps a human would close. */
  gaps: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A likely gap: the end of a broken vessel and the nearest pixel of the piece it seems to continue into. */
export interface GapMarker {
  from: Point;
  to: Point;
}

/** Where a prediction is unsure, for the viewer's heat map, its "next uncertain region" and gap markers. */
export interface UncertaintyPayload {
  /** The prediction it belongs to. */
  versionId: Id;
  width: number;
  height: number;
  /** One byte per pixel, row-major: the probability that the mask is wrong, u = v / 255. */
  encoding: 'u8';
  data: Uint8Array;
  gaps: GapMarker[];
  quality: ImageQuality;
}

/** An encoded picture the browser decodes natively (main converts TIFF, PPM and DICOM). */
export interface EncodedImage {
  width: number;
  height: number;
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  bytes: Uint8Array;
}

/** Optic disc, fovea and the photograph's laterality, in the image's pixels (from the model, or moved by a person). */
export interface AnatomyRecord {
  disc: { x: number; y: number; diameter: number } | null;
  fovea: { x: number; y: number; confidence: number } | null;
  /** 'L' left eye, 'R' right eye, as judged from the disc; null when unknown. */
  laterality: 'L' | 'R' | null;
}

/** A version's anatomy as stored: the record, and who last moved the disc by hand (null: the model's place). */
export interface AnatomyPayload extends AnatomyRecord {
  discMovedBy: string | null;
}

/**
 * An artery/vein layer of a mask version: 'av8', one byte per pixel, row-major, width * height bytes: 0 background,
 * 1 artery, 2 vein; non-zero exactly on the version's vessel pixels.
 */
export const AV_VALUES = { background: 0, artery: 1, vein: 2 } as const;

export interface PredictionPayload {
  versionId: Id;
  /** Per-image version number: 1 is this image's first mask version of any kind. */
  version: number;
  modelId: Id | null;
  modelName: string | null;
  createdAt: string;
  /** The model's threshold: the slider's starting point. */
  threshold: number;
  /**
   * 'prob16': little-endian uint16 per pixel, p = v / 65535, 2 * width * height bytes (the slider re-thresholds it);
   * 'prob8': one byte per pixel, p = v / 255, width * height bytes: the store's own precision, half the bytes of
   *   the equal prob16 (v16 = 257 * v8); what main sends;
   * 'mask8': 0/1 per pixel, width * height bytes (only the binary mask was kept);
   * 'bits': getMasks with `bits`: the mask at `threshold`, 8 pixels a byte (shared/mask-bits.ts); its probability
   *   map, when `probabilities` says it has one, comes from getProbabilities.
   */
  encoding: 'prob16' | 'prob8' | 'mask8' | 'bits';
  data: Uint8Array;
  /** With 'bits': whether the prediction kept a probability map (getProbabilities sends it). */
  probabilities?: boolean;
  /**
   * The prediction's artery/vein labels (see AV_VALUES) at its own mask; null when it has none, or (getMasks) when
   * the draft or approval editing resumes from has its own.
   */
  av?: Uint8Array | null;
  anatomy?: AnatomyPayload | null;
}

export interface MaskVersionPayload {
  versionId: Id;
  /** Per-image version number: 1 is this image's first mask version of any kind. */
  version: number;
  kind: 'draft' | 'approved';
  createdAt: string;
  author: string | null;
  parentVersionId: Id | null;
  /** 0/1 per pixel, row-major, width * height bytes; with getMasks' `bits`, 8 pixels a byte (shared/mask-bits.ts). */
  data: Uint8Array;
  /**
   * Its artery/vein labels (see AV_VALUES); null when it has none or (getMasks) when it is not the version editing
   * resumes from (the newest person-made one).
   */
  av?: Uint8Array | null;
  anatomy?: AnatomyPayload | null;
}

/** What a model does: vessel segmentation, artery/vein labels, or the optic disc. Each task has its own active model. */
export type ModelTask = 'vessel' | 'artery-vein' | 'optic-disc';
export type AnatomyModelTask = Exclude<ModelTask, 'vessel'>;
export const MODEL_TASKS: readonly ModelTask[] = ['vessel', 'artery-vein', 'optic-disc'];

/**
 * An anatomy model's retrain comparison with its parent on the held-out corrections, in the task's measure (means over
 * the images): 'av-accuracy', the share of the corrected vessel (centreline) pixels labelled right (higher is
 * better); 'disc-centre-error', the disc centre's distance from the corrected one in disc diameters, capped at one
 * (lower is better).
 */
export interface AnatomyHeldOut {
  measure: 'av-accuracy' | 'disc-centre-error';
  candidate: number;
  parent: number;
  /** The held-out images the means are over: those the gate judged. */
  images: number;
  /** Every held-out image scored, judged or not (absent from older servers: `images`). */
  scored?: number;
}

export interface ModelSummary {
  id: Id;
  name: string;
  /** Absent from servers older than anatomy retraining: a vessel model. */
  task?: ModelTask;
  status: 'candidate' | 'active' | 'retired';
  createdAt: string;
  threshold: number;
  /** Short human description, e.g. "U-Net depth 4, 32 filters". */
  architecture: string;
  /** Held-out metrics when known. */
  metrics: { f1: number; aucRoc: number; dataset: string } | null;
  hasOnnx: boolean;
  /** Lineage: the model it was fine-tuned from, and the training run that made it. */
  parentId?: Id | null;
  trainingRunId?: Id | null;
  promotedAt?: string | null;
  /** Approved mask versions it was trained or validated on (store images). */
  trainedOnMasks?: number;
  /** Its retrain's comparison with its parent on the held-out images (pooled F1, FOV); vessel models. */
  heldOut?: { f1: number; parentF1: number; images: number } | null;
  /** The same for an artery/vein or optic-disc model, in its task's measure. */
  anatomyHeldOut?: AnatomyHeldOut | null;
  /** An artery/vein or optic-disc model's validation when it was trained (its directory's record), in that measure. */
  anatomyValidation?: {
    measure: AnatomyHeldOut['measure'];
    value: number;
    images: number;
    dataset: string;
  } | null;
  /** The latest promotion and why (a reason is required for an override). */
  lastPromotion?: { at: string; reason: string | null; override: boolean; rollback: boolean } | null;
}

/**
 * An artery/vein or optic-disc model that predictions use while the registry holds no model of its task: the one
 * installed with the app (or named by RETINA_ANATOMY_MODELS). The task's first retrain registers it.
 */
export interface InstalledModelSummary {
  task: AnatomyModelTask;
  name: string;
  architecture: string;
  anatomyValidation: ModelSummary['anatomyValidation'];
}

export type RetrainPhase = 'preparing' | 'training' | 'evaluating' | 'repredicting' | 'finished';

/** Where the current (or last) retrain of this session stands. */
export interface RetrainStatus {
  runId: Id | null;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  phase: RetrainPhase;
  message: string;
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number | null;
  elapsedSeconds: number;
  etaSeconds: number | null;
  /** Training loss of every step so far. */
  losses: number[];
  validation: { epoch: number; trainLoss: number; valLoss: number; valF1: number }[];
  error: ErrorPayload | null;
  candidateModelId: Id | null;
}

export interface MetricsBrief {
  f1: number;
  aucRoc: number;
  sensitivity: number;
  specificity: number;
  precision: number;
  threshold: number;
}

export interface RetrainImageChange {
  imageId: Id;
  fileName: string;
  candidate: MetricsBrief;
  active: MetricsBrief;
  deltaF1: number;
  /** FOV pixels where the two models' masks differ. */
  changedPixels: number;
  /** An overlay is available (getRetrainOverlay): the images where the models differ most. */
  overlay: boolean;
  /** The promotion gate counted it (a person's or a dataset's reference); false: the model's own prediction. */
  usable?: boolean;
}

/**
 * One anatomy task's part of a retrain: skipped or failed (`reason` says why), or a candidate trained and judged by
 * the gate (`decision`), shown as it stands now (awaiting a decision, active, or retired).
 */
export interface AnatomyRetrainPart {
  task: AnatomyModelTask;
  outcome: 'skipped' | 'failed' | 'judged';
  reason: string | null;
  runId: Id | null;
  parent: { id: Id; name: string } | null;
  candidate: ModelSummary | null;
  heldOut: AnatomyHeldOut | null;
  decision: PromotionVerdict | null;
}

/**
 * Everything the comparison screen shows about one retrain run. A retrain is known by its first run: the vessel
 * run, or, when the vessel part had nothing to do (`vesselSkipped`), its first anatomy run (whose parent, data and
 * seed the vessel fields then carry, with no candidate and no held-out scores).
 */
export interface RetrainRunReport {
  runId: Id;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  /** Why it failed or was cancelled. */
  reason: string | null;
  parent: { id: Id; name: string };
  candidate: ModelSummary | null;
  data: { train: number; validation: number; heldOut: number; replay: number };
  seed: number;
  heldOut: { candidate: MetricsBrief; active: MetricsBrief; images: RetrainImageChange[] } | null;
  benchmark: {
    path: string;
    split: string;
    images: number;
    candidate: MetricsBrief;
    active: MetricsBrief;
  } | null;
  decision: PromotionVerdict | null;
  losses: number[];
  validation: { epoch: number; trainLoss: number; valLoss: number; valF1: number }[];
  trainSeconds: number | null;
  vesselSkipped: string | null;
  /** Each anatomy task's part of the same retrain (the run's own part, for an anatomy run of an older retrain). */
  anatomy: AnatomyRetrainPart[];
}

/**
 * The promotion gate's verdict, in words a clinician can act on. The gate judges only on held-out images whose
 * reference a person corrected (differs from the model's own prediction) or that came from a dataset; with fewer
 * than the minimum it does not judge at all (`judged` false) and `advice` says what would help.
 */
export interface PromotionVerdict {
  better: boolean;
  /** Plain-words reason, e.g. "F1 +0.021 (95% interval +0.008 to +0.034) on 6 corrected images". */
  reason: string;
  promoted: boolean;
  /** False when there was too little usable held-out data to judge. */
  judged: boolean;
  /** What would help, e.g. "Approve 2 more corrected images, then retrain"; null when nothing is needed. */
  advice: string | null;
  /** Held-out images the gate used (person-corrected or dataset references). */
  usableImages: number;
  /**
   * The independent groups they make, the gate's samples: other visits of one eye and copies of one photograph
   * are one group, judged by their mean. Absent in runs recorded before the gate counted groups (one per image).
   */
  usableGroups?: number;
  /** Paired bootstrap over groups of candidate F1 - active F1; null when not judged. */
  delta: { mean: number; low: number; high: number; margin: number } | null;
  /** Bundled benchmark F1 change (candidate - active); null when there is no benchmark. */
  benchmarkDelta: number | null;
}

export interface JobInfo {
  jobId: Id;
  kind: JobKind;
  state: JobState;
  done: number;
  total: number;
  /** Short line for the UI, e.g. the file being imported. */
  message: string | null;
  error: ErrorPayload | null;
  startedAt: string;
  /** Import jobs: each file that could not be imported, by the user's own file name; predict jobs: each image
   * skipped because its stored photograph could not be read ("x.tif (image 3)"). `warning`: the file did import,
   * with something to read (a patient ID like another's), kept in this list so the tray keeps the job till read. */
  failures?: { file: string; reason: string; warning?: true }[];
}

/** One line of a team job's log. */
export interface JobLogEntry {
  at: string;
  attempt: number;
  worker: string | null;
  line: string;
}

/** A job in the team queue: the job list's fields, plus who runs it, which attempt, and its log's last lines. */
export interface QueueJob extends Omit<JobInfo, 'kind'> {
  kind: JobKind | 'retrain';
  actor: string;
  /** The worker running it, or that ran it last; null before any took it. */
  worker: string | null;
  /** 0 while queued; a retry after a failure or a lost worker counts up. */
  attempt: number;
  log: JobLogEntry[];
  /** A running job's worker's last heartbeat (ISO); absent from older servers. */
  heartbeatAt?: string | null;
}

export interface QueueSnapshot {
  /** False for one user: jobs run inside the app and the list is the app's own (no workers, no log). */
  team: boolean;
  /** Newest first; dismissed jobs left out. */
  jobs: QueueJob[];
}

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------------
// Channels

export type ListPatientsRequest = PageRequest;
export interface ListStudiesRequest extends PageRequest {
  patientId?: Id;
}
export interface ListImagesRequest extends PageRequest {
  patientId?: Id;
  studyId?: Id;
  /**
   * 'patient': grouped by patient, then visit date, then eye, then file name. 'review-next': the images that still
   * need work, lowest expected F1 first (unscored after them), then the approved ones.
   */
  sort?: 'updated' | 'name' | 'patient' | 'review-next';
  eye?: EyeFilter[];
  /** Only images of visits from / up to this day (YYYY-MM-DD, both inclusive); undated images are left out. */
  visitFrom?: string;
  visitTo?: string;
  /** Team mode: only images submitted for review and not yet sent back or approved (a reviewer's queue). */
  awaitingReview?: boolean;
  /** The asking window's id: its own edit leases are not marked "being edited" (they are not someone else's). */
  clientId?: string;
}
export interface ImageRef {
  imageId: Id;
}
export interface ThumbnailRequest {
  imageId: Id;
  /** Longest side in pixels. */
  maxSize: number;
}
export interface MasksRequest extends ImageRef {
  /**
   * Binary masks 8 pixels a byte and the prediction as its mask ('bits'), its probabilities left for
   * getProbabilities: an eighth of the bytes for the viewer's first frame.
   */
  bits?: boolean;
}
/** A prediction's probability map, one byte per pixel (p = v / 255). */
export interface ProbabilitiesResponse {
  versionId: Id;
  data: Uint8Array;
}
export interface MasksResponse {
  imageId: Id;
  width: number;
  height: number;
  prediction: PredictionPayload | null;
  draft: MaskVersionPayload | null;
  approved: MaskVersionPayload | null;
  review: ReviewState;
  /**
   * Whether a prediction here gets artery/vein labels and a disc (each task has a model to predict with: the store's
   * active one, else the installed one): false tells the viewer why an image has no artery/vein layer.
   */
  anatomyModels?: boolean;
}
export interface SaveMaskRequest {
  imageId: Id;
  width: number;
  height: number;
  /** 0/1 per pixel, width * height bytes. */
  mask: Uint8Array;
  /** The version this edit started from (prediction, draft or approved), null for a mask drawn from scratch. */
  parentVersionId: Id | null;
  /**
   * The artery/vein labels saved with the mask (see AV_VALUES), non-zero exactly where `mask` is; absent: the new
   * version has no artery/vein map.
   */
  av?: Uint8Array;
  /** Disc, fovea and laterality saved with the mask (the store records who moved the disc). */
  anatomy?: AnatomyRecord;
  /**
   * The window saving (see acquireEditLease). A save is refused while another window holds the image's live
   * lease, and when the image's newest draft or approval is not `parentVersionId`; the edit is then kept as a
   * draft of its own (listKeptDrafts) and the 'conflict' error names it.
   */
  clientId?: string;
  /**
   * This save's id, chosen by the window (the same for the same pixels sent again): a save whose answer was lost
   * (a network blip, a proxy's timeout), sent again, gets the version it made then instead of a second one.
   */
  saveId?: string;
  /**
   * The ids of this window's earlier saves of the edit that were never answered (they may have been saved): a
   * version they made on `parentVersionId` is the window's own, not someone else's save after it opened the image.
   */
  unansweredSaveIds?: string[];
}
/** How many unanswered saves a window names at most (the oldest are dropped: their versions are far behind). */
export const MAX_UNANSWERED_SAVES = 32;
/** The caller's saves (or restores, or adoptions) by id whose answers the window never heard: did they reach main? */
export interface SavesMadeRequest {
  imageId: Id;
  /** At most MAX_UNANSWERED_SAVES + 1: an edit kept in the browser names its own save and those before it. */
  saveIds: string[];
}
/** A version one of those saves made (the caller's own, of that image). */
export interface MadeSave {
  saveId: string;
  versionId: Id;
  /** Per-image version number. */
  version: number;
  kind: 'draft' | 'approved';
}
export interface SavedVersion {
  versionId: Id;
  /** Per-image version number. */
  version: number;
  createdAt: string;
  status: ImageStatus;
  review: ReviewState;
}
export interface SendBackRequest {
  imageId: Id;
  /** What to fix (required, shown to the annotator in the viewer). */
  comment: string;
}
export interface AssignImagesRequest {
  imageIds: Id[];
  /** Annotators' user names; empty: unassigned. */
  users: string[];
}
/** One reader of a two-reader image: their own latest draft (null before they saved one). */
export interface ReaderDraft {
  name: string;
  draft: MaskVersionPayload | null;
  /** No longer assigned (taken off the image, or left off once disabled): listed for the draft they left. */
  removed?: true;
}
export interface ReadersPayload {
  imageId: Id;
  width: number;
  height: number;
  readers: ReaderDraft[];
  /** Mean pairwise Dice of the readers' drafts; null until two have saved one. */
  dice: number | null;
}
export interface AgreementPayload {
  /** formerReaders: those of `readers` no longer assigned to the image (absent when none), as ImageSummary's. */
  images: (ImageAgreement & { fileName: string; formerReaders?: string[] })[];
  annotators: AnnotatorAgreement[];
}
export interface UserSummary {
  name: string;
  role: Role;
  disabled: boolean;
}
/** A window's claim to edit one image: `clientId` is per window (a random id it makes at start-up). */
export interface EditLeaseRequest {
  imageId: Id;
  clientId: string;
}
export interface ReleaseEditLeaseRequest extends EditLeaseRequest {
  /**
   * The lease's expiry as this page last renewed it: a release that arrives after the same window renewed it again
   * (a reloaded page, whose old page's release landed late) leaves it. Without it, the window's lease goes.
   */
  expiresAt?: string;
}
export interface AcquireEditLeaseRequest extends EditLeaseRequest {
  /** Take over another's expired lease (audited); a live one can never be taken. */
  takeOver?: boolean;
}
export interface EditLease {
  /** The name others see: the user's. */
  holder: string;
  /** ISO time it was acquired (renewals keep it). */
  since: string;
  expiresAt: string;
  /** Held by the window asking. */
  mine: boolean;
  /** Not expired yet. */
  live: boolean;
}
export interface EditLeaseState {
  imageId: Id;
  /** The asking window holds the lease now: it may edit, and renews it every `heartbeatMs`. */
  granted: boolean;
  /** The lease as it stands: the caller's, another's (live or expired), or null when nobody holds one. */
  lease: EditLease | null;
  heartbeatMs: number;
  /** Team mode: why the image is not offered to this user now (the hand-off gives it to others). */
  heldBack?: string;
}
/** An edit whose save was refused, kept with its pixels outside the image's version line until adopted. */
export interface KeptDraftSummary {
  id: Id;
  imageId: Id;
  author: string;
  createdAt: string;
  /** 'lease': another window held the image; 'stale': someone saved after the edit started. */
  reason: 'lease' | 'stale' | 'handed-off';
  /** The version the edit started from, and the image's current one when it was refused (per-image numbers). */
  basedOnVersion: number | null;
  currentVersion: number | null;
  /** The draft version adopting it made; null while it waits. */
  adoptedVersionId: Id | null;
}
export interface KeptDraftPayload
  extends KeptDraftSummary, Pick<MaskVersionPreview, 'av' | 'anatomy' | 'alsoDiffers'> {
  width: number;
  height: number;
  /** 0/1 per pixel, width * height bytes. */
  data: Uint8Array;
}
export interface AdoptKeptDraftRequest {
  keptDraftId: Id;
  /** The image's current draft or approval as the window saw it (null: none). */
  parentVersionId: Id | null;
  clientId?: string;
  /**
   * This act's id, chosen by the window (the same when it is sent again): one whose answer was lost, sent again, gets
   * the version it made then instead of being refused as stale against it.
   */
  saveId?: string;
}
/** One entry of an image's history (its audit trail, with its mask versions' and kept drafts'), oldest first. */
export interface HistoryEntry {
  at: string;
  /** A run of one person's drafts shown as one entry: the time of its last. */
  until?: string;
  actor: string;
  action: string;
  /** The action in a reviewer's words (shared/audit-words.ts). */
  words: string;
  /** The mask version the entry made (its last for a run of drafts), to open or restore, and its number. */
  versionId?: Id;
  version?: number;
  /** When that version's pixels were compacted away (`retina db compact`): it can no longer be opened. */
  compacted?: string;
}
/** An earlier mask version of an image, to look at over the current mask before restoring it. */
export interface MaskVersionPreview {
  imageId: Id;
  versionId: Id;
  version: number;
  kind: 'prediction' | 'draft' | 'approved';
  author: string;
  createdAt: string;
  width: number;
  height: number;
  /** 0/1 per pixel, width * height bytes. */
  data: Uint8Array;
  /** Besides the vessels, what differs from the image's current mask (what a restore replaces). */
  alsoDiffers: VersionAlsoDiffers;
  /** Its own artery/vein labels (null: none) and disc/fovea record: what a restore brings back, drawn as such. */
  av: Uint8Array | null;
  anatomy: AnatomyPayload | null;
}
/** What an earlier version carries that the current mask does not: labels and a disc a restore brings back too. */
export interface VersionAlsoDiffers {
  /**
   * Artery/vein labels: how many pixels are labelled otherwise (0: the same, or neither has any); 'none': the
   * version has none of its own where the current mask has; 'only': the version has some, the current mask none.
   */
  av: number | 'none' | 'only';
  /** The optic disc where the two differ (null: the same place): each one's (null: none marked). */
  disc: { version: AnatomyRecord['disc']; current: AnatomyRecord['disc'] } | null;
}
export interface RestoreMaskVersionRequest {
  imageId: Id;
  versionId: Id;
  /** The image's current draft or approval as the window saw it (null: none). */
  parentVersionId: Id | null;
  clientId?: string;
  /**
   * This act's id, chosen by the window (the same when it is sent again): one whose answer was lost, sent again, gets
   * the version it made then instead of being refused as stale against it.
   */
  saveId?: string;
}

/** Erasure of the images named (and, with `wholePatients`, of everything else of their patients). */
export interface EraseRequest {
  imageIds: Id[];
  wholePatients: boolean;
  /** eraseImages: the images the preview showed; refused if the request now covers others. */
  expectImageIds?: Id[];
}

/** What an erasure takes, before it is done. */
export interface ErasurePreview {
  imageIds: Id[];
  maskVersions: number;
  keptDrafts: number;
  /** Visits that go because no image is left in them. */
  visits: number;
  /** Patient IDs that go because no visit is left. */
  patients: string[];
  /** Models trained on these images' masks: they keep what they learned. */
  trainedModels: string[];
}

export interface ErasureDone extends ErasurePreview {
  filesRemoved: number;
  bytesFreed: number;
  /** Where the erased data still lingers for a while (another window's open snapshot), in words; else null. */
  residue: string | null;
}

export interface SetClinicalInfoRequest {
  imageIds: Id[];
  /** Only the fields present change; null clears one. */
  info: Partial<ClinicalInfo>;
}
export type ExportPart = 'masks' | 'probabilities' | 'coco' | 'metrics' | 'clinical' | 'measures';
export const EXPORT_PARTS: readonly ExportPart[] = [
  'masks',
  'probabilities',
  'coco',
  'metrics',
  'clinical',
  'measures',
];

/** An image's vessel measures, computed in main from the mask the viewer shows (see shared/measure). */
export interface MeasurementsPayload {
  imageId: Id;
  /** The mask version measured: the newest draft or approval, else the latest prediction. */
  versionId: Id;
  /** Its per-image version number and kind. */
  version: number;
  kind: 'prediction' | 'draft' | 'approved';
  /**
   * Where micrometres come from: the DICOM pixel spacing, the image's field angle (over the fitted aperture), or
   * nowhere (null: lengths are in disc diameters, or pixels without a disc).
   */
  scaleSource: 'dicom' | 'field angle' | null;
  /** Who placed, moved, resized or removed the measured version's optic disc by hand; null: the model's disc. */
  discBy: string | null;
  measures: ImageMeasures;
  /** True when nothing it depends on changed since it was last computed (answered from the cache). */
  cached: boolean;
}
/** A measurement report: of one image, or of every image of one study (one patient's visit). Exactly one is given. */
export interface ReportRequest {
  imageId?: Id;
  studyId?: Id;
}
export interface ReportDocument {
  /** Self-contained HTML (images as data URLs, inline CSS and SVG): nothing in it is fetched from anywhere. */
  html: string;
  /** A suggested file name, e.g. "P-001_OD_2026-01-02_report.html". */
  fileName: string;
}
/** One visit of a comparison: which image, when, and its measures. */
export interface VisitSide {
  imageId: Id;
  fileName: string;
  visitDate: string | null;
  /** The image's size: the measures' coordinates. */
  width: number;
  height: number;
  measurements: MeasurementsPayload;
}
/**
 * Two photographs of the same eye compared: `earlier` is the reference whose vessel names (A1..V6) both sides use,
 * by visit date, or the one imported first when a date is missing or both are the same day.
 */
export interface VisitComparisonPayload {
  earlier: VisitSide;
  later: VisitSide;
  comparison: VisitComparison;
}
export interface ExportRequest {
  /** Absent: every image. */
  imageIds?: Id[];
  parts: ExportPart[];
  /** 'best': approved, else draft, else prediction; 'approved': approved masks only. */
  source: 'best' | 'approved';
  /** Write patient names into the clinical CSV (off by default). */
  includeNames?: boolean;
  /** Remove identifiers: images named by id, patients coded per export (not with includeNames). */
  deidentify?: boolean;
  /** 'folder': written into `folder` (required) on the machine main runs on (Electron); 'zip': the bytes come back. */
  target: { kind: 'folder' | 'zip'; folder?: string };
}
export interface ExportResult {
  /** Paths relative to the folder or zip root, e.g. "masks/01_test.png", "coco.json", "images.csv". */
  files: string[];
  images: number;
  folder: string | null;
  /** target 'zip': the archive, and a suggested file name. */
  zip: Uint8Array | null;
  zipName: string | null;
}
export interface ImportFilesRequest {
  /** Paths on the machine main runs on (both shells run on the user's machine). */
  paths?: string[];
  /** Files uploaded from the renderer (browser drag-and-drop). */
  files?: NamedBytes[];
}
export interface ImportFolderRequest {
  path: string;
  recursive: boolean;
  /** Pair masks to images by file stem. */
  pairMasks: boolean;
}
export interface ImportDatasetRequest {
  path: string;
  kind: DatasetKind;
}
export interface JobStarted {
  jobId: Id;
}
export interface PredictRequest {
  imageIds: Id[];
  /** Absent: the active model. */
  modelId?: Id;
}
export interface OpenDialogRequest {
  mode: 'files' | 'folder';
  title?: string;
  /** Label of the confirm button (e.g. "Export here"). */
  buttonLabel?: string;
}
export interface ModelDecisionRequest {
  modelId: Id;
  /** Required to promote a candidate that did not beat the active model (recorded as an override). */
  reason?: string;
}
export interface ModelDecision {
  model: ModelSummary;
  /** The re-prediction of draft-free images with the new active model, when one was started. */
  repredictJobId: Id | null;
}
export interface AppInfo {
  version: string;
  shell: 'electron' | 'browser';
  databasePath: string;
  /**
   * The study's identity (the same database, however its location is written): what the browser keeps an edit it
   * could not deliver under, so that it is offered again on this study only.
   */
  study: string;
  user: string;
  /** Team mode: who is logged in and their role; absent in single-user mode. */
  account?: { name: string; role: Role };
  /** Credits for what the app ships that others made (the sample photograph), shown in About. */
  notices: string[];
}
export interface SampleStudy {
  /** The bundled sample photograph, imported once (opening it again reuses it). */
  imageId: Id;
  /** The prediction started for it; null when it already has one. */
  predictJobId: Id | null;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- requests without parameters
export type Empty = {};

/** The longest message and stack a renderer error report carries (the rest is cut: the log stays small). */
export const RENDERER_ERROR_MESSAGE_MAX = 1000;
export const RENDERER_ERROR_STACK_MAX = 8000;

/**
 * A failure in the renderer (a view's render, a promise nobody awaited) for the support log: the user already
 * read its message; the stack, which stays in DevTools otherwise, is what support needs.
 */
export interface RendererErrorReport {
  where: 'view' | 'unhandled';
  name: string;
  message: string;
  stack: string | null;
}

export interface RequestChannels {
  getAppInfo: { request: Empty; response: AppInfo };
  /** `logFile`: where it went (null: not logged, e.g. too many reports in a short time). */
  reportRendererError: { request: RendererErrorReport; response: { logFile: string | null } };
  listPatients: { request: ListPatientsRequest; response: Page<PatientSummary> };
  listStudies: { request: ListStudiesRequest; response: Page<StudySummary> };
  listImages: { request: ListImagesRequest; response: Page<ImageSummary> };
  getImageInfo: { request: ImageRef; response: ImageSummary };
  getImage: { request: ImageRef; response: EncodedImage };
  getImageThumbnail: { request: ThumbnailRequest; response: EncodedImage };
  /**
   * The photograph downscaled to fit `maxSize` (JPEG, cached): what the viewer shows of a large image until the full
   * one has decoded, at about the screen's size.
   */
  getImagePreview: { request: ThumbnailRequest; response: EncodedImage };
  getMasks: { request: MasksRequest; response: MasksResponse };
  /** The probability map of one of the image's predictions; null when it kept only its mask. */
  getProbabilities: { request: ImageRef & { versionId: Id }; response: ProbabilitiesResponse | null };
  /**
   * A prediction's uncertainty map and likely gaps: of `versionId` (the one the viewer shows, which may no longer be
   * the latest), else of the latest; null when it has none.
   */
  getUncertainty: { request: ImageRef & { versionId?: Id }; response: UncertaintyPayload | null };
  /** Vessel measures of the mask the viewer shows, with units and 95% intervals; null when it has no mask. */
  getMeasurements: { request: ImageRef; response: MeasurementsPayload | null };
  /** The measurement report as a self-contained HTML document (browser mode also serves it at /report). */
  getReport: { request: ReportRequest; response: ReportDocument };
  /** Electron: the report in its own window (Print / save as PDF there); browser mode answers 'unsupported'. */
  openReportWindow: { request: ReportRequest; response: { opened: boolean } };
  /** Electron: the report printed to an A4 PDF through a save dialog; null when cancelled. Browser: 'unsupported'. */
  saveReportPdf: { request: ReportRequest; response: { path: string | null } };
  /** Two images of the same eye, registered by the disc and compared measure by measure (ordered by visit date). */
  compareVisits: { request: { imageId: Id; otherImageId: Id }; response: VisitComparisonPayload };
  saveDraft: { request: SaveMaskRequest; response: SavedVersion };
  approveMask: { request: SaveMaskRequest; response: SavedVersion };
  /** Explicitly reopens an approved mask for editing: a draft copy of the approval; the image becomes a draft. */
  reopenMask: { request: ImageRef & { clientId?: string; reason?: string }; response: SavedVersion };
  /** Takes, renews (the heartbeat) or explicitly takes over an expired edit lease; a busy one is only reported. */
  acquireEditLease: { request: AcquireEditLeaseRequest; response: EditLeaseState };
  /** Who holds the image's lease, without taking it. */
  getEditLease: { request: EditLeaseRequest; response: EditLeaseState };
  /** Gives the lease back (closing the image); only its window can. */
  releaseEditLease: { request: ReleaseEditLeaseRequest; response: { released: boolean } };
  /** The image's kept drafts (refused saves), newest first. */
  listKeptDrafts: { request: ImageRef; response: { drafts: KeptDraftSummary[] } };
  getKeptDraft: { request: { keptDraftId: Id }; response: KeptDraftPayload };
  /** Makes a kept draft the image's mask: a new draft version on top of the current one (audited). */
  adoptKeptDraft: { request: AdoptKeptDraftRequest; response: SavedVersion };
  /** An earlier version of the image's mask (from its History), to show before restoring it. */
  getMaskVersionPreview: { request: ImageRef & { versionId: Id }; response: MaskVersionPreview };
  /** Makes an earlier version the image's mask again: a new draft on top of the current one (audited). */
  restoreMaskVersion: { request: RestoreMaskVersionRequest; response: SavedVersion };
  /**
   * Which of the caller's saves named made a version (read-only): a page loaded again asks it of what it kept when
   * answers were lost, so that it does not offer as unsaved what reached main.
   */
  savesMade: { request: SavesMadeRequest; response: { saves: MadeSave[] } };
  /** Team mode: an annotator hands their draft to the reviewers (the image awaits review). */
  submitForReview: { request: ImageRef; response: { review: ReviewState } };
  /** Team mode: a reviewer returns the image to its annotators as needing work, with a comment. */
  sendBack: { request: SendBackRequest; response: { review: ReviewState } };
  /** Team mode: sets the annotators of each image (an empty list unassigns). */
  assignImages: { request: AssignImagesRequest; response: { images: ImageSummary[] } };
  /** Team mode: the accounts, for assigning images. */
  listUsers: { request: Empty; response: { users: UserSummary[] } };
  /** Two-reader mode: each reader's own latest draft of an image and their agreement (for the reviewer). */
  getReaders: { request: ImageRef; response: ReadersPayload };
  /** Two-reader mode: agreement (Dice) per image read by several annotators, and per annotator. */
  getAgreement: { request: Empty; response: AgreementPayload };
  getClinicalInfo: { request: ImageRef; response: ClinicalRecord };
  /** Who did what to the image, when: imports, clinical changes, drafts, approvals, assignments, hand-offs. */
  getImageHistory: {
    request: ImageRef;
    response: { entries: HistoryEntry[]; /** older entries left out */ cut: boolean };
  };
  /** Sets clinical fields of one or more images (moving them to the patient and visit named); audited. */
  setClinicalInfo: { request: SetClinicalInfoRequest; response: { images: ImageSummary[] } };
  /** What erasing these images (or their patients) would take, changing nothing. */
  previewErasure: { request: EraseRequest; response: ErasurePreview };
  /** Erases them for good (rows, files no other image uses, audit details); audited. */
  eraseImages: { request: EraseRequest; response: ErasureDone };
  /** Masks, probability maps, COCO RLE, metrics and clinical CSV for a selection, the same code as `retina db export`. */
  exportImages: { request: ExportRequest; response: ExportResult };
  importFiles: { request: ImportFilesRequest; response: JobStarted };
  importFolder: { request: ImportFolderRequest; response: JobStarted };
  importDataset: { request: ImportDatasetRequest; response: JobStarted };
  predict: { request: PredictRequest; response: JobStarted };
  cancelJob: { request: { jobId: Id }; response: { cancelled: boolean } };
  /** Jobs not dismissed yet (a finished job stays until dismissed). */
  listJobs: { request: Empty; response: { jobs: JobInfo[] } };
  /** Removes a finished, failed or cancelled job from the list; a running job cannot be dismissed. */
  dismissJob: { request: { jobId: Id }; response: { dismissed: boolean } };
  /** The job queue with its workers and log lines (a team database's queue, or this app's own jobs). */
  getQueue: { request: Empty; response: QueueSnapshot };
  /** The models of one task (default: vessel) or of every task ('all'). */
  listModels: {
    request: { task?: ModelTask | 'all' };
    /** `installed`: the requested anatomy tasks' unregistered models in use (absent from older servers). */
    response: { models: ModelSummary[]; installed?: InstalledModelSummary[] };
  };
  getActiveModel: { request: Empty; response: { model: ModelSummary | null } };
  /** A native open dialog; browser mode answers 'unsupported' and the UI asks for a path instead. */
  showOpenDialog: { request: OpenDialogRequest; response: { paths: string[] } };
  /** Imports the bundled CC0 sample photograph and segments it: a first-time user's first study. */
  openSampleStudy: { request: Empty; response: SampleStudy };
  /** Fine-tunes the active model on new approvals in a worker; answers once the run exists. */
  startRetrain: { request: Empty; response: { runId: Id } };
  cancelRetrain: { request: Empty; response: { cancelled: boolean } };
  getRetrainStatus: {
    request: Empty;
    response: {
      status: RetrainStatus | null;
      /** Approved masks the active model has never seen (neither trained nor validated on). */
      newApprovals: number;
      autoRetrainAfter: number;
      /** The gate's minimum F1 gain (lower end of the 95% interval must exceed it). */
      promotionMargin: number;
    };
  };
  getRetrainRun: { request: { runId: Id }; response: RetrainRunReport };
  /** Image dimmed, both masks white, candidate only green, active only magenta. */
  getRetrainOverlay: { request: { runId: Id; imageId: Id }; response: EncodedImage };
  setRetrainSettings: {
    request: { autoRetrainAfter?: number; promotionMargin?: number };
    response: { autoRetrainAfter: number; promotionMargin: number };
  };
  promoteModel: { request: ModelDecisionRequest; response: ModelDecision };
  /** Keep the active model: the candidate is retired. */
  rejectModel: { request: { modelId: Id }; response: ModelDecision };
  rollbackModel: { request: ModelDecisionRequest; response: ModelDecision };
}

export interface EventChannels {
  /** Sent on every state change and at most ~10 times a second while a job runs. */
  jobProgress: JobInfo & {
    /** The image just finished (imported or predicted), so the UI can refresh it. */
    imageId: Id | null;
  };
  /**
   * Images whose status or masks changed (from any window or job). `leaseOnly`: only who edits them changed (a
   * window took or gave back its edit lease): nothing of their pixels, measures or history, so what is read from
   * those need not be read again (a 12-MP photograph's measures take seconds).
   */
  imagesChanged: { imageIds: Id[]; leaseOnly?: true };
  /** The running retrain's progress (at most a few times a second) and its end. */
  retrainProgress: RetrainStatus;
  /** The active model of a task changed (promotion, rollback). */
  activeModelChanged: { modelId: Id | null };
  /** The team queue changed (a job queued, taken, progressing, retried or ended); at most about once a second. */
  queueChanged: QueueSnapshot;
}

export type RequestChannel = keyof RequestChannels;
export type EventChannel = keyof EventChannels;
export type RequestOf<C extends RequestChannel> = RequestChannels[C]['request'];
export type ResponseOf<C extends RequestChannel> = RequestChannels[C]['response'];
export type EventOf<E extends EventChannel> = EventChannels[E];

/** What a request turns into on the wire; handlers never throw across the boundary. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

// ---------------------------------------------------------------------------------------------------------------
// Validators

const id = str({ min: 1, max: 128 });
const side = int(1, MAX_IMAGE_SIDE);
const statusList = arrayOf(literal(...IMAGE_STATUSES), { max: IMAGE_STATUSES.length });
const page = {
  offset: int(0, Number.MAX_SAFE_INTEGER),
  limit: int(1, MAX_PAGE_SIZE),
  search: optional(str({ max: 200 })),
  status: optional(statusList),
};
const path = str({ min: 1, max: 4096 });
const empty = obj({});
const isoDate = refine(str({ min: 10, max: 10 }), (v, p) =>
  isCalendarDate(v) ? null : `${p} must be a calendar date YYYY-MM-DD from 1900 on`,
);
const clinicalInfo = obj({
  patientId: optional(nullable(str({ min: 1, max: 64 }))),
  patientName: optional(nullable(str({ min: 1, max: 200 }))),
  birthYear: optional(nullable(int(1880, 2100))),
  eye: optional(nullable(literal('OD', 'OS'))),
  visitDate: optional(nullable(isoDate)),
  camera: optional(nullable(str({ min: 1, max: 200 }))),
  fieldAngleDeg: optional(nullable(num(1, 250))),
});
const exportRequest = obj({
  imageIds: optional(arrayOf(id, { min: 1, max: MAX_BATCH })),
  parts: arrayOf(literal(...EXPORT_PARTS), { min: 1, max: EXPORT_PARTS.length }),
  source: literal('best', 'approved'),
  includeNames: optional(bool()),
  deidentify: optional(bool()),
  target: refine(obj({ kind: literal('folder', 'zip'), folder: optional(path) }), (v, p) =>
    v.kind === 'folder' && !v.folder ? `${p}.folder is required for a folder export` : null,
  ),
});

const coordinate = num(0, MAX_IMAGE_SIDE);
const anatomyRecord = obj({
  disc: nullable(obj({ x: coordinate, y: coordinate, diameter: num(0, MAX_IMAGE_SIDE) })),
  fovea: nullable(obj({ x: coordinate, y: coordinate, confidence: num(0, 1) })),
  laterality: nullable(literal('L', 'R')),
});

const clientId = str({ min: 8, max: 128 });
const saveId = str({ min: 8, max: 128 });
const saveMask = refine(
  obj({
    imageId: id,
    width: side,
    height: side,
    mask: bytes(MAX_PIXELS),
    parentVersionId: nullable(id),
    av: optional(bytes(MAX_PIXELS)),
    anatomy: optional(anatomyRecord),
    clientId: optional(clientId),
    saveId: optional(saveId),
    unansweredSaveIds: optional(arrayOf(saveId, { max: MAX_UNANSWERED_SAVES })),
  }),
  (v, p) => {
    if (v.width * v.height > MAX_PIXELS)
      return `${p} is ${v.width}x${v.height}, more than ${MAX_PIXELS} pixels`;
    if (v.mask.length !== v.width * v.height) {
      return `${p}.mask has ${v.mask.length} bytes, expected ${v.width}x${v.height} = ${v.width * v.height}`;
    }
    for (let i = 0; i < v.mask.length; i++) {
      if (v.mask[i] > 1) return `${p}.mask has value ${v.mask[i]} at pixel ${i}; masks hold 0 or 1`;
    }
    // Whether the labels cover exactly the vessel pixels is the store's rule (checked there, with the pixel).
    if (v.av && v.av.length !== v.mask.length) {
      return `${p}.av has ${v.av.length} bytes, expected ${v.width}x${v.height} = ${v.mask.length}`;
    }
    return null;
  },
);

const importFiles = refine(
  obj({
    paths: optional(arrayOf(path, { max: MAX_BATCH })),
    files: optional(
      arrayOf(obj({ name: str({ min: 1, max: 255 }), bytes: bytes(MAX_UPLOAD_BYTES) }), { max: 10_000 }),
    ),
  }),
  (v, p) => ((v.paths?.length ?? 0) + (v.files?.length ?? 0) === 0 ? `${p} names no file to import` : null),
);

const eraseRequest = obj({
  imageIds: arrayOf(id, { min: 1, max: MAX_BATCH }),
  wholePatients: bool(),
  expectImageIds: optional(arrayOf(id, { max: MAX_BATCH })),
});

const reportRequest = refine(obj({ imageId: optional(id), studyId: optional(id) }), (v, p) =>
  (v.imageId === undefined) === (v.studyId === undefined)
    ? `${p} needs exactly one of imageId and studyId`
    : null,
);

export const requestChecks: { [C in RequestChannel]: Check<RequestOf<C>> } = {
  getAppInfo: empty,
  reportRendererError: obj({
    where: literal('view', 'unhandled'),
    name: str({ max: 100 }),
    message: str({ max: RENDERER_ERROR_MESSAGE_MAX }),
    stack: nullable(str({ max: RENDERER_ERROR_STACK_MAX })),
  }),
  listPatients: obj(page),
  listStudies: obj({ ...page, patientId: optional(id) }),
  listImages: refine(
    obj({
      ...page,
      patientId: optional(id),
      studyId: optional(id),
      sort: optional(literal('updated', 'name', 'patient', 'review-next')),
      eye: optional(arrayOf(literal(...EYE_FILTERS), { max: EYE_FILTERS.length })),
      visitFrom: optional(isoDate),
      visitTo: optional(isoDate),
      awaitingReview: optional(bool()),
      clientId: optional(clientId),
    }),
    (v, p) =>
      v.visitFrom !== undefined && v.visitTo !== undefined && v.visitFrom > v.visitTo
        ? `${p}.visitFrom is after ${p}.visitTo`
        : null,
  ),
  getImageInfo: obj({ imageId: id }),
  getImage: obj({ imageId: id }),
  getImageThumbnail: obj({ imageId: id, maxSize: int(16, 1024) }),
  getImagePreview: obj({ imageId: id, maxSize: int(256, 4096) }),
  getMasks: obj({ imageId: id, bits: optional(bool()) }),
  getProbabilities: obj({ imageId: id, versionId: id }),
  getUncertainty: obj({ imageId: id, versionId: optional(id) }),
  getMeasurements: obj({ imageId: id }),
  getReport: reportRequest,
  openReportWindow: reportRequest,
  saveReportPdf: reportRequest,
  compareVisits: refine(obj({ imageId: id, otherImageId: id }), (v, p) =>
    v.imageId === v.otherImageId ? `${p} compares an image with itself` : null,
  ),
  saveDraft: saveMask,
  approveMask: saveMask,
  reopenMask: obj({
    imageId: id,
    clientId: optional(clientId),
    reason: optional(str({ max: REOPEN_REASON_MAX })),
  }),
  acquireEditLease: obj({ imageId: id, clientId, takeOver: optional(bool()) }),
  getEditLease: obj({ imageId: id, clientId }),
  releaseEditLease: obj({ imageId: id, clientId, expiresAt: optional(str({ min: 1, max: 40 })) }),
  listKeptDrafts: obj({ imageId: id }),
  getKeptDraft: obj({ keptDraftId: id }),
  adoptKeptDraft: obj({
    keptDraftId: id,
    parentVersionId: nullable(id),
    clientId: optional(clientId),
    saveId: optional(saveId),
  }),
  getMaskVersionPreview: obj({ imageId: id, versionId: id }),
  restoreMaskVersion: obj({
    imageId: id,
    versionId: id,
    parentVersionId: nullable(id),
    clientId: optional(clientId),
    saveId: optional(saveId),
  }),
  savesMade: obj({ imageId: id, saveIds: arrayOf(saveId, { min: 1, max: MAX_UNANSWERED_SAVES + 1 }) }),
  submitForReview: obj({ imageId: id }),
  sendBack: obj({ imageId: id, comment: str({ min: 1, max: 2000 }) }),
  assignImages: obj({
    imageIds: arrayOf(id, { min: 1, max: MAX_BATCH }),
    users: arrayOf(str({ min: 1, max: 64 }), { max: 20 }),
  }),
  listUsers: empty,
  getReaders: obj({ imageId: id }),
  getAgreement: empty,
  getClinicalInfo: obj({ imageId: id }),
  getImageHistory: obj({ imageId: id }),
  setClinicalInfo: obj({ imageIds: arrayOf(id, { min: 1, max: MAX_BATCH }), info: clinicalInfo }),
  previewErasure: eraseRequest,
  eraseImages: eraseRequest,
  exportImages: exportRequest,
  importFiles,
  importFolder: obj({ path, recursive: bool(), pairMasks: bool() }),
  importDataset: obj({ path, kind: literal('auto', 'drive', 'stare', 'generic') }),
  predict: obj({ imageIds: arrayOf(id, { min: 1, max: MAX_BATCH }), modelId: optional(id) }),
  cancelJob: obj({ jobId: id }),
  listJobs: empty,
  dismissJob: obj({ jobId: id }),
  getQueue: empty,
  listModels: obj({ task: optional(literal(...MODEL_TASKS, 'all')) }),
  getActiveModel: empty,
  showOpenDialog: obj({
    mode: literal('files', 'folder'),
    title: optional(str({ max: 200 })),
    buttonLabel: optional(str({ max: 60 })),
  }),
  openSampleStudy: empty,
  startRetrain: empty,
  cancelRetrain: empty,
  getRetrainStatus: empty,
  getRetrainRun: obj({ runId: id }),
  getRetrainOverlay: obj({ runId: id, imageId: id }),
  setRetrainSettings: obj({
    autoRetrainAfter: optional(int(0, 1_000_000)),
    promotionMargin: optional(num(0, 0.5)),
  }),
  promoteModel: obj({ modelId: id, reason: optional(str({ max: 500 })) }),
  rejectModel: obj({ modelId: id }),
  rollbackModel: obj({ modelId: id, reason: optional(str({ max: 500 })) }),
};

export const REQUEST_CHANNELS = Object.keys(requestChecks) as RequestChannel[];

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestChecks, name);
}

/** Validates a payload for `channel`; throws RpcError('invalid-request') naming the field otherwise. */
export function validateRequest<C extends RequestChannel>(channel: C, payload: unknown): RequestOf<C> {
  const check = requestChecks[channel] as Check<RequestOf<C>>;
  const err = check(payload, channel);
  if (err) throw new RpcError('invalid-request', err);
  return payload as RequestOf<C>;
}

/** The handler table both shells (Electron IPC, HTTP server) register; `Ctx` carries the caller (sender, etc.). */
export type RequestHandlers<Ctx = void> = {
  [C in RequestChannel]: (request: RequestOf<C>, ctx: Ctx) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

/**
 * The boundary: checks the channel name and the payload, runs the handler, and turns any failure into an
 * ErrorPayload. Never throws.
 */
export async function dispatchRequest<Ctx>(
  handlers: RequestHandlers<Ctx>,
  channel: unknown,
  payload: unknown,
  ctx: Ctx,
): Promise<RpcResult<unknown>> {
  try {
    if (!isRequestChannel(channel)) {
      throw new RpcError(
        'invalid-request',
        `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`,
      );
    }
    const request = validateRequest(channel, payload);
    const handler = handlers[channel] as (r: typeof request, c: Ctx) => Promise<unknown> | unknown;
    return { ok: true, value: await handler(request, ctx) };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}

/** Decodes a 'prob16' prediction's bytes into a Uint16Array (copying only when the bytes are misaligned). */
export function prob16View(data: Uint8Array): Uint16Array {
  if (!isUint8Array(data) || data.length % 2 !== 0)
    throw new RangeError('prob16 data must be an even byte count');
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (littleEndian && data.byteOffset % 2 === 0)
    return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  const out = new Uint16Array(data.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = data[2 * i] | (data[2 * i + 1] << 8);
  return out;
}
