// Store records -> the contract's summaries. The store speaks of mask kinds ('none', 'prediction', ...); the UI
// speaks of image statuses ('new', 'predicted', ...).
import type { ImageStatus, ImageSummary, StatusCounts } from '../../shared/contract.js';
import {
  getMaskVersion,
  getStudy,
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

function patientOf(store: Store, image: ImageRecord): { patientId: string; studyId: string } {
  if (image.studyId === null) return { patientId: '', studyId: '' };
  const study = getStudy(store, image.studyId);
  return { patientId: toId(study.patientId), studyId: toId(study.id) };
}

export function summaryFromListItem(store: Store, item: ImageListItem): ImageSummary {
  return {
    id: toId(item.id),
    ...patientOf(store, item),
    fileName: item.fileName,
    width: item.width,
    height: item.height,
    laterality: item.laterality,
    status: imageStatus(item.maskStatus),
    updatedAt: updatedAt(store, item, [item.latestPredictionId, item.latestDraftId, item.latestApprovedId]),
  };
}

export function summaryFromRecord(store: Store, image: ImageRecord): ImageSummary {
  const m = latestMasks(store, image.id);
  const maskStatus: MaskStatus = m.approved
    ? 'approved'
    : m.draft
      ? 'draft'
      : m.prediction
        ? 'prediction'
        : 'none';
  return {
    id: toId(image.id),
    ...patientOf(store, image),
    fileName: image.fileName,
    width: image.width,
    height: image.height,
    laterality: image.laterality,
    status: imageStatus(maskStatus),
    updatedAt: updatedAt(store, image, [
      m.prediction?.id ?? null,
      m.draft?.id ?? null,
      m.approved?.id ?? null,
    ]),
  };
}
