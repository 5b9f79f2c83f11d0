// Store records -> the contract's summaries. The store speaks of mask kinds ('none', 'prediction', ...); the UI
// speaks of image statuses ('new', 'predicted', ...).
import type { ImageStatus, ImageSummary, ReviewState, StatusCounts } from '../../shared/contract.js';
import {
  getClinical,
  getMaskVersion,
  reviewOf,
  latestMasks,
  type ImageListItem,
  type ImageRecord,
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
function updatedAt(store: Store, image: ImageRecord, latestIds: (number | null)[]): string {
  let newest = image.importedAt;
  const top = Math.max(0, ...latestIds.map((id) => id ?? 0));
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

/** The contract's review state of an image. */
export function reviewState(store: Store, imageId: number): ReviewState {
  const r = reviewOf(store, imageId);
  return {
    status: imageStatus(r.status),
    reopened: r.reopened,
    approval: r.approval ? { by: r.approval.by, at: r.approval.at, version: r.approval.version } : null,
  };
}

function summary(store: Store, image: ImageRecord, latestIds: (number | null)[]): ImageSummary {
  const review = reviewState(store, image.id);
  return {
    id: toId(image.id),
    ...clinicalOf(store, image),
    fileName: image.fileName,
    width: image.width,
    height: image.height,
    laterality: image.laterality,
    status: review.status,
    updatedAt: updatedAt(store, image, latestIds),
    reopened: review.reopened,
    approvedBy: review.approval?.by ?? null,
    approvedAt: review.approval?.at ?? null,
  };
}

export function summaryFromListItem(store: Store, item: ImageListItem): ImageSummary {
  return summary(store, item, [item.latestPredictionId, item.latestDraftId, item.latestApprovedId]);
}

export function summaryFromRecord(store: Store, image: ImageRecord): ImageSummary {
  const m = latestMasks(store, image.id);
  return summary(store, image, [m.prediction?.id ?? null, m.draft?.id ?? null, m.approved?.id ?? null]);
}
