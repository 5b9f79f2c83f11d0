// Store records -> the contract's summaries. The store speaks of mask kinds ('none', 'prediction', ...); the UI
// speaks of image statuses ('new', 'predicted', ...).
import type { ImageStatus, ImageSummary, ReviewState, StatusCounts } from '../../shared/contract.js';
import { judgeGradability } from '../../shared/measure/gradability.js';
import {
  getClinical,
  assigneesOf,
  formerReaderDrafts,
  getMaskVersion,
  handoffSeenBy,
  handoffSeenByReviewer,
  latestIds,
  ownLatestIds,
  reviewOf,
  type ImageListItem,
  type ImageRecord,
  type LatestIds,
  type MaskStatus,
  type Store,
} from '../store/index.js';
import { toId } from './ids.js';

const STATUS_OF: Record<MaskStatus, ImageStatus> = {
  none: 'new',
  prediction: 'predicted',
  draft: 'draft',
  approved: 'approved',
};
const MASK_STATUS_OF: Record<ImageStatus, MaskStatus> = {
  new: 'none',
  predicted: 'prediction',
  draft: 'draft',
  approved: 'approved',
};

export function imageStatus(maskStatus: MaskStatus): ImageStatus {
  return STATUS_OF[maskStatus];
}

export function maskStatusOf(status: ImageStatus): MaskStatus {
  return MASK_STATUS_OF[status];
}

export function emptyCounts(): StatusCounts {
  return { new: 0, predicted: 0, draft: 0, approved: 0 };
}

/** Latest change: the newest of the latest mask versions, else the import. */
function updatedAt(store: Store, image: ImageRecord, latest: LatestIds): string {
  let newest = image.importedAt;
  const top = Math.max(latest.prediction ?? 0, latest.draft ?? 0, latest.approved ?? 0);
  if (top > 0) {
    const created = getMaskVersion(store, top).createdAt;
    if (created > newest) newest = created;
  }
  return newest;
}

function clinicalOf(
  store: Store,
  image: ImageRecord,
): Pick<
  ImageSummary,
  'patientId' | 'studyId' | 'patientPseudonym' | 'visitDate' | 'camera' | 'fieldAngleDeg'
> {
  const c = getClinical(store, image.id);
  return {
    patientId: c.patientDbId === null ? '' : toId(c.patientDbId),
    studyId: c.studyId === null ? '' : toId(c.studyId),
    patientPseudonym: c.pseudonym,
    visitDate: c.visitDate,
    camera: c.camera,
    fieldAngleDeg: c.fieldAngleDeg,
  };
}

/**
 * The contract's review state of an image (from its newest version ids when the caller has them). `reader`: a blind
 * reader of a two-reader image (blindReaderOf), told of their own drafts and submission only.
 */
export function reviewState(
  store: Store,
  imageId: number,
  latest?: LatestIds,
  reader: string | null = null,
): ReviewState {
  const r = reviewOf(store, imageId, reader === null ? latest : ownLatestIds(store, imageId, reader, latest));
  const handoff =
    reader === null ? handoffSeenByReviewer(store, imageId) : handoffSeenBy(store, imageId, reader);
  return {
    status: imageStatus(r.status),
    reopened: r.reopened,
    approval: r.approval ? { by: r.approval.by, at: r.approval.at, version: r.approval.version } : null,
    // Team-mode fields appear only when set, so single-user answers stay as they were.
    ...(handoff ? { handoff } : {}),
  };
}

/**
 * The latest prediction's quality scores (the gap markers themselves travel with the uncertainty map), and why the
 * photograph is ungradable when it is (only then, so other summaries stay as they were).
 */
function qualityOf(store: Store, latest: LatestIds): Pick<ImageSummary, 'quality' | 'ungradable'> {
  if (latest.prediction === null) return { quality: null };
  const v = getMaskVersion(store, latest.prediction);
  const q = v.quality;
  const verdict = v.photograph ? judgeGradability(v.photograph) : null;
  return {
    quality: q
      ? {
          expectedF1: q.expectedF1,
          meanUncertainty: q.meanUncertainty,
          fragments: q.fragments,
          gaps: q.gaps.length,
        }
      : null,
    ...(verdict && !verdict.gradable ? { ungradable: verdict.reasons.join('; ') } : {}),
  };
}

function summary(
  store: Store,
  image: ImageRecord,
  imageLatest: LatestIds,
  reader: string | null,
): ImageSummary {
  // A blind reader's row is dated and scored by their own reading too.
  const latest = reader === null ? imageLatest : ownLatestIds(store, image.id, reader, imageLatest);
  const review = reviewState(store, image.id, latest, reader);
  return {
    id: toId(image.id),
    ...clinicalOf(store, image),
    fileName: image.fileName,
    width: image.width,
    height: image.height,
    laterality: image.laterality,
    status: review.status,
    updatedAt: updatedAt(store, image, latest),
    reopened: review.reopened,
    approvedBy: review.approval?.by ?? null,
    approvedAt: review.approval?.at ?? null,
    ...qualityOf(store, latest),
    ...teamFields(store, image.id, review, reader),
  };
}

function teamFields(
  store: Store,
  imageId: number,
  review: ReviewState,
  reader: string | null,
): Pick<ImageSummary, 'assignees' | 'formerReaders' | 'handoff'> {
  const assignees = assigneesOf(store, imageId);
  // A blind reader is told nothing of the other readers' drafts.
  const former = reader === null ? formerReaderDrafts(store, imageId).map((r) => r.reader) : [];
  return {
    ...(assignees.length > 0 ? { assignees } : {}),
    ...(former.length > 0 ? { formerReaders: former } : {}),
    ...(review.handoff ? { handoff: review.handoff } : {}),
  };
}

/** `reader`: see reviewState. */
export function summaryFromListItem(
  store: Store,
  item: ImageListItem,
  reader: string | null = null,
): ImageSummary {
  // The row's own newest ids: its status and its summary's come from the same reading.
  const latest = {
    prediction: item.latestPredictionId,
    draft: item.latestDraftId,
    approved: item.latestApprovedId,
  };
  return summary(store, item, latest, reader);
}

/** `reader`: see reviewState. */
export function summaryFromRecord(
  store: Store,
  image: ImageRecord,
  reader: string | null = null,
): ImageSummary {
  return summary(store, image, latestIds(store, image.id), reader);
}
